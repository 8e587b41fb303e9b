/**
 * Delivery of NDJSON lines to Firehose: packing lines into as few records as the service limits
 * allow (Firehose bills each record rounded up to 5 KB), grouping records into PutRecordBatch calls,
 * and resending exactly the entries that failed, with exponential backoff and full jitter.
 */
import { gzipSync, constants as zlibConstants, zstdCompressSync } from "node:zlib";
import { PutRecordBatchCommand, type PutRecordBatchCommandOutput } from "@aws-sdk/client-firehose";
import { isServerError, isThrottlingError, isTransientError } from "@smithy/core/retry";
import { signalAt } from "./time.ts";

/**
 * Firehose's limits: 1,000 KiB a record, 500 records a PutRecordBatch call, and 4 MB of data a call.
 * The API reference says "4 MB for the entire request" and the quota page 4 MiB: a call holds at
 * most 4,000,000 data bytes, which satisfies either reading and costs nothing (billing is per record).
 */
export const FIREHOSE_LIMITS = {
  recordBytes: 1_000 * 1024,
  batchRecords: 500,
  batchBytes: 4_000_000,
} as const;
export type FirehoseLimits = { readonly [K in keyof typeof FIREHOSE_LIMITS]: number };

/** Firehose bills ingestion per record, rounded up to the next 5 KB. */
export const FIREHOSE_BILLING_INCREMENT = 5 * 1024;

/**
 * How the function compresses each Firehose record before sending it (`none`: it does not, and the
 * delivery stream may compress the objects itself). Each record becomes one gzip member or one zstd
 * frame: the records Firehose concatenates into an object make a valid multi-member gzip file or a
 * valid multi-frame zstd file.
 */
export interface DeliveryCompression {
  readonly format: "none" | "gzip" | "zstd";
  /** The codec's level (0 for `none`). */
  readonly level: number;
}

export const NO_COMPRESSION: DeliveryCompression = { format: "none", level: 0 };

/**
 * Levels when the value names none, measured on our lines (scripts/bench.ts): gzip 1, not zlib's
 * default 6, which spends over three times as long compressing for ~18 % fewer bytes; zstd 1, which
 * compresses both faster and smaller than zstd's default 3.
 */
export const DEFAULT_LEVELS = { gzip: 1, zstd: 1 } as const;

const COMPRESSION_VALUE = /^(none|gzip(?:-([1-9]))?|zstd(?:-([1-9]|1[0-9]))?)$/;

/** `none`, `gzip`, `gzip-1`…`gzip-9`, `zstd`, `zstd-1`…`zstd-19`; `undefined` for anything else. */
export function parseDeliveryCompression(value: string): DeliveryCompression | undefined {
  const match = COMPRESSION_VALUE.exec(value);
  if (!match) return undefined;
  if (value === "none") return NO_COMPRESSION;
  const format = value.startsWith("gzip") ? "gzip" : "zstd";
  const level = match[2] ?? match[3];
  return { format, level: level === undefined ? DEFAULT_LEVELS[format] : Number(level) };
}

/**
 * The most bytes `format` can turn `n` bytes into, whatever they hold: zlib's `deflateBound` for
 * its default window and memory level plus the gzip wrapper, zstd's `ZSTD_COMPRESSBOUND`; each
 * with 64 bytes to spare.
 */
export function compressedBound(format: DeliveryCompression["format"], n: number): number {
  if (format === "none") return n;
  if (format === "gzip") return n + (n >> 12) + (n >> 14) + (n >> 25) + 7 + 18 + 64;
  const small = 128 * 1024;
  // Stryker disable next-line EqualityOperator: at exactly 128 KiB the margin (small - n) >> 11 is 0 either way
  return n + (n >> 8) + (n < small ? (small - n) >> 11 : 0) + 64;
}

/** A compressed record over the limit: `compressedBound` is wrong, a bug (the invocation fails and is retried). */
export class CompressedRecordSizeError extends Error {
  constructor(bytes: number, limit: number) {
    super(`a compressed record of ${bytes} bytes is over the ${limit}-byte record limit`);
    this.name = "CompressedRecordSizeError";
  }
}

/** Compresses one record's bytes as one gzip member or one zstd frame; `none` returns them as they are. */
export function compressRecord(data: Uint8Array, compression: DeliveryCompression): Uint8Array {
  if (compression.format === "gzip") return gzipSync(data, { level: compression.level });
  if (compression.format === "zstd")
    return zstdCompressSync(data, { params: { [zlibConstants.ZSTD_c_compressionLevel]: compression.level } });
  return data;
}

/** One Firehose record: whole NDJSON lines, each ending in `\n`, compressed as the packer was told. */
export interface PackedRecord {
  readonly data: Uint8Array;
  /** The record's NDJSON bytes before compression (`data`'s length when uncompressed). */
  readonly payloadBytes: number;
  /** The tag of the record's first line (the batch uses the index of the Kinesis record that carried it). */
  readonly firstTag: number;
  readonly lineCount: number;
}

/**
 * Packs lines, in order, into Firehose records of at most `limits.recordBytes` bytes each, as they
 * come: each line is encoded straight into the record's own buffer, which is handed out as it is
 * (a view of the bytes written) when the next line would not fit, so no list of lines is kept and
 * nothing is copied. A line plus its newline never straddles two records.
 *
 * With compression, a record is compressed when it is sealed, and holds at most `lineLimit` bytes
 * of lines: the most whose worst-case compressed size (`compressedBound`) fits the record limit, so
 * no record exceeds it even for lines that do not compress (random bytes in a string field). At
 * ~10:1 on our lines a record's compressed size stays far above the 5 KB billing increment, so
 * packing to the uncompressed capacity costs nothing in billing. A record closed while a `mark` is
 * held stays uncompressed (a `rollback` may reopen it) until `release` or `finish`.
 */
export class RecordPacker {
  readonly #limits: FirehoseLimits;
  readonly #compression: DeliveryCompression;
  readonly #capacity: number;
  readonly #records: { data: Uint8Array; payloadBytes: number; firstTag: number; lineCount: number }[] = [];
  /** The open record's buffer, of the record capacity: lines are written in place, never copied. */
  #buffer: Buffer | undefined;
  #offset = 0;
  #firstTag = 0;
  #lineCount = 0;
  /** While a mark is held: the index of the first record closed since, kept uncompressed. */
  #heldFrom: number | undefined;

  constructor(limits: FirehoseLimits = FIREHOSE_LIMITS, compression: DeliveryCompression = NO_COMPRESSION) {
    this.#limits = limits;
    this.#compression = compression;
    this.#capacity = capacityOf(compression.format, limits.recordBytes);
  }

  /** Bytes `line` takes in a record (its UTF-8 encoding plus the newline). */
  static sizeOf(line: string): number {
    // Stryker disable next-line StringLiteral: Node reads the empty encoding name as UTF-8
    return Buffer.byteLength(line, "utf8") + 1;
  }

  /** The most bytes of lines (newlines included) one record holds: the record limit, less compression's worst case. */
  get lineLimit(): number {
    return this.#capacity;
  }

  /**
   * Appends a line, tagged (the batch passes the index of the Kinesis record that carried it).
   * Throws a `RangeError` for a line that cannot fit in any record (over `lineLimit`): callers reject those first.
   */
  add(line: string, tag: number): void {
    // A UTF-16 unit is at most 3 UTF-8 bytes: most lines need no exact measurement.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the cheap length check: a line is measured exactly more often (performance only)
    if (line.length * 3 + 1 > this.#capacity - this.#offset) {
      const size = RecordPacker.sizeOf(line);
      if (size > this.#capacity) {
        throw new RangeError(`a line of ${size} bytes is over the ${this.#capacity}-byte record limit`);
      }
      if (size > this.#capacity - this.#offset) this.#close();
    }
    // Allocated whole but unfilled: only the pages written become resident.
    this.#buffer ??= Buffer.allocUnsafeSlow(this.#capacity);
    const buffer = this.#buffer;
    if (this.#lineCount === 0) this.#firstTag = tag;
    // Stryker disable next-line StringLiteral: Node reads the empty encoding name as UTF-8
    this.#offset += buffer.write(line, this.#offset, "utf8");
    buffer[this.#offset++] = 0x0a;
    this.#lineCount++;
  }

  /** Where the packer stands, to `rollback` to (lines added after it can be taken back) or `release`. */
  mark(): PackerMark {
    this.#heldFrom ??= this.#records.length;
    return {
      records: this.#records.length,
      offset: this.#offset,
      firstTag: this.#firstTag,
      lineCount: this.#lineCount,
    };
  }

  /**
   * Takes back every line added since `mark`. A record closed since then is reopened: its buffer
   * still starts with the bytes it held at the mark (it was kept uncompressed).
   */
  rollback(mark: PackerMark): void {
    const reopened = this.#records[mark.records];
    if (reopened) {
      const data = reopened.data;
      this.#buffer = Buffer.from(data.buffer, data.byteOffset, this.#capacity);
      this.#records.length = mark.records;
    }
    this.#offset = mark.offset;
    this.#firstTag = mark.firstTag;
    this.#lineCount = mark.lineCount;
    this.#release();
  }

  /** Gives up the mark: the lines added since are kept, and records closed since are compressed. */
  release(): void {
    this.#release();
  }

  /** The records packed so far, the last one closed, each compressed. */
  finish(): PackedRecord[] {
    this.#close();
    this.#release();
    return this.#records;
  }

  #release(): void {
    const from = this.#heldFrom;
    this.#heldFrom = undefined;
    // Stryker disable next-line ConditionalExpression: with no mark the loop starts at undefined and runs no iteration
    if (from === undefined) return;
    for (let i = from; i < this.#records.length; i++) this.#seal(this.#records[i] as { data: Uint8Array });
  }

  #seal(record: { data: Uint8Array }): void {
    // Stryker disable next-line ConditionalExpression,StringLiteral: compressRecord with none returns the bytes as they are, within the size check
    if (this.#compression.format === "none") return;
    record.data = compressRecord(record.data, this.#compression);
    if (record.data.byteLength > this.#limits.recordBytes)
      throw new CompressedRecordSizeError(record.data.byteLength, this.#limits.recordBytes);
  }

  #close(): void {
    if (
      this.#lineCount === 0 ||
      // Stryker disable next-line ConditionalExpression: a line count above 0 always comes with a buffer (add allocates it before counting)
      this.#buffer === undefined
    )
      return;
    const record = {
      data: this.#buffer.subarray(0, this.#offset),
      payloadBytes: this.#offset,
      firstTag: this.#firstTag,
      lineCount: this.#lineCount,
    };
    if (this.#heldFrom === undefined) this.#seal(record);
    this.#records.push(record);
    this.#buffer = undefined;
    this.#offset = 0;
    this.#lineCount = 0;
  }
}

/** The most bytes of lines whose worst-case compressed size fits `recordBytes`. */
function capacityOf(format: DeliveryCompression["format"], recordBytes: number): number {
  let low = 0;
  let high = recordBytes;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (compressedBound(format, mid) <= recordBytes) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** A packer's position, from `RecordPacker.mark`. */
export interface PackerMark {
  readonly records: number;
  readonly offset: number;
  readonly firstTag: number;
  readonly lineCount: number;
}

/** Packs a list of lines (tagged by their index) into Firehose records; see `RecordPacker`. */
export function packLines(
  lines: readonly string[],
  limits: FirehoseLimits = FIREHOSE_LIMITS,
  compression: DeliveryCompression = NO_COMPRESSION,
): PackedRecord[] {
  const packer = new RecordPacker(limits, compression);
  for (let i = 0; i < lines.length; i++) packer.add(lines[i] as string, i);
  return packer.finish();
}

/** Groups records, in order, into PutRecordBatch-sized slices: ≤ 500 records and ≤ 4,000,000 data bytes each. */
export function packBatches<T extends { readonly data: Uint8Array }>(
  records: readonly T[],
  limits: FirehoseLimits = FIREHOSE_LIMITS,
): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = record.data.byteLength;
    if (batch.length === limits.batchRecords || (batch.length > 0 && bytes + size > limits.batchBytes)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(record);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** The part of a Firehose client that delivery uses. */
export interface FirehoseSender {
  send(command: PutRecordBatchCommand, options?: { abortSignal?: AbortSignal }): Promise<PutRecordBatchCommandOutput>;
}

export interface DeliveryDeps {
  readonly firehose: FirehoseSender;
  readonly deliveryStreamName: string;
  /** Epoch ms; the delivery stops (and reports what is left) rather than run past it. */
  readonly deadlineMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1): the jitter source. */
  readonly random: () => number;
  /** One call is abandoned (and retried) after this long, so a hung connection cannot eat the budget. */
  readonly attemptTimeoutMs: number;
  readonly limits?: FirehoseLimits;
}

/** Backoff: full jitter over min(cap, base · 2^attempt), at most `maxAttempts` calls per batch. */
export const RETRY_POLICY = { baseMs: 50, capMs: 2_000, maxAttempts: 8 } as const;

export interface DeliveryResult {
  /** Indices, ascending, of the records Firehose did not confirm; empty when all were. */
  readonly undelivered: readonly number[];
  readonly calls: number;
  readonly retries: number;
  /**
   * Entries not accepted, summed over attempts: each entry a response reports failed (or every entry
   * of a response that does not line up with its request), plus every entry of a call that failed
   * whole (an error, retryable or not, the attempt timeout, or the deadline cutting it short).
   */
  readonly failedPuts: number;
  /** NDJSON bytes (before compression: `payloadBytes`) of the records Firehose confirmed, each counted once. */
  readonly deliveredBytes: number;
  /**
   * What Firehose bills: the data bytes as sent (compressed, when the function compresses) of each
   * entry a response reports accepted, rounded up to 5 KB, summed over
   * attempts (an entry accepted twice, because an earlier response could not be trusted, is billed twice).
   */
  readonly billedBytes: number;
  /** Why delivery stopped short, when it did. */
  readonly stopReason: string | undefined;
}

/**
 * Sends the records in order, one PutRecordBatch call per batch, never past `deadlineMs`.
 * Retries, with full-jitter backoff, exactly the entries that failed: those named by a 200
 * response with `FailedPutCount > 0`, or all of a call that failed with a throttling, 5xx or
 * network error or took longer than `attemptTimeoutMs`. Other errors (access denied, missing stream) are not retried. It stops at the
 * first batch it cannot complete, since Lambda will rewind to it and resend the rest anyway.
 * Never throws: the outcome says which records were not confirmed.
 */
export async function deliverRecords(records: readonly PackedRecord[], deps: DeliveryDeps): Promise<DeliveryResult> {
  const limits = deps.limits ?? FIREHOSE_LIMITS;
  const indexed = records.map((record, index) => ({ data: record.data, index }));
  let calls = 0;
  let retries = 0;
  let failedPuts = 0;
  let billedBytes = 0;
  const confirmed = new Uint8Array(records.length);
  for (const batch of packBatches(indexed, limits)) {
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      if (deps.now() >= deps.deadlineMs) {
        return finish("time budget exhausted before Firehose confirmed the batch");
      }
      calls++;
      let failed: typeof pending;
      let reason: string;
      const attemptSignal = AbortSignal.timeout(deps.attemptTimeoutMs);
      try {
        const output = await deps.firehose.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: deps.deliveryStreamName,
            Records: pending.map((entry) => ({ Data: entry.data })),
          }),
          { abortSignal: AbortSignal.any([signalAt(deps.deadlineMs, deps.now), attemptSignal]) },
        );
        failed = failedEntries(pending, output);
        failedPuts += failed.length;
        billedBytes += acceptedBilledBytes(pending, output);
        reason = `${failed.length} of ${pending.length} entries failed (FailedPutCount)`;
      } catch (err) {
        // The whole call failed: none of its entries is confirmed, whatever happens next.
        failedPuts += pending.length;
        if (deps.now() >= deps.deadlineMs) {
          return finish("time budget exhausted while waiting for Firehose");
        }
        const timedOut = attemptSignal.aborted;
        if (!timedOut && !isRetryable(err)) return finish(`Firehose error: ${describe(err)}`);
        failed = pending;
        reason = timedOut
          ? `Firehose call timed out after ${deps.attemptTimeoutMs} ms`
          : `Firehose error: ${describe(err)}`;
      }
      for (const entry of pending) confirmed[entry.index] = 1;
      for (const entry of failed) confirmed[entry.index] = 0;

      if (failed.length === 0) break;
      const delayMs = deps.random() * Math.min(RETRY_POLICY.capMs, RETRY_POLICY.baseMs * 2 ** attempt);
      if (attempt >= RETRY_POLICY.maxAttempts) return finish(`${reason}, after ${attempt} attempts`);
      if (deps.now() + delayMs >= deps.deadlineMs) return finish(`${reason}; no time left to retry`);
      await deps.sleep(delayMs);
      retries++;
      pending = failed;
    }
  }
  return finish(undefined);

  function finish(stopReason: string | undefined): DeliveryResult {
    const undelivered: number[] = [];
    let deliveredBytes = 0;
    for (let i = 0; i < confirmed.length; i++) {
      if (confirmed[i] === 0) undelivered.push(i);
      else deliveredBytes += (records[i] as PackedRecord).payloadBytes;
    }
    return { undelivered, calls, retries, failedPuts, deliveredBytes, billedBytes, stopReason };
  }
}

/** Bytes Firehose bills for one record: its size rounded up to the next 5 KB. */
function billedSize(bytes: number): number {
  return Math.ceil(bytes / FIREHOSE_BILLING_INCREMENT) * FIREHOSE_BILLING_INCREMENT;
}

/**
 * Billed bytes of the entries a response reports accepted (a `RecordId` and no `ErrorCode`). A
 * response that does not line up with its request says nothing reliable per entry: counted as none
 * accepted, like a call that failed whole (Firehose may have ingested some; nothing says which).
 */
function acceptedBilledBytes(pending: readonly { readonly data: Uint8Array }[], output: PutRecordBatchCommandOutput) {
  const responses = output.RequestResponses;
  if (!responses || responses.length !== pending.length) return 0;
  let bytes = 0;
  // Stryker disable next-line EqualityOperator: one iteration past the responses reads undefined and adds nothing
  for (let i = 0; i < pending.length; i++) {
    const response = responses[i];
    if (response?.ErrorCode === undefined && response?.RecordId !== undefined)
      bytes += billedSize((pending[i] as { readonly data: Uint8Array }).data.byteLength);
  }
  return bytes;
}

/**
 * The entries a 200 response reports failed. A response whose per-entry results do not line up
 * with the request is treated as all failed (a resend can duplicate, never lose).
 */
function failedEntries<T>(pending: readonly T[], output: PutRecordBatchCommandOutput): T[] {
  const responses = output.RequestResponses;
  if (!responses || responses.length !== pending.length) return [...pending];
  return pending.filter((_, i) => {
    const response = responses[i];
    return response?.ErrorCode !== undefined || response?.RecordId === undefined;
  });
}

function isRetryable(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const sdkError = err as Parameters<typeof isTransientError>[0];
  return isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError);
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
