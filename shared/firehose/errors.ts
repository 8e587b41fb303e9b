/** A compressed record over the limit: `compressedBound` is wrong, a bug (the invocation fails and is retried). */
export class CompressedRecordSizeError extends Error {
  constructor(bytes: number, limit: number) {
    super(`a compressed record of ${bytes} bytes is over the ${limit}-byte record limit`);
    this.name = "CompressedRecordSizeError";
  }
}
