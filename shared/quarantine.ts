/** Rejected records: one replayable NDJSON line each, written to S3 in one object per invocation. */
import type {
  AbortMultipartUploadCommandInput,
  CompleteMultipartUploadCommandInput,
  CreateMultipartUploadCommandInput,
  PutObjectCommandInput,
  UploadPartCommandInput,
} from "@aws-sdk/client-s3";
import type { RedriveInfo } from "./enrich.ts";
import type { RejectionDetail, RejectionReason } from "./rejection.ts";
import { signalAt } from "./time.ts";

/** One line of a quarantine object. `data` is the original bytes in base64, ready to replay. */
export interface QuarantineLine {
  readonly recordId: string;
  readonly partitionKey: string;
  readonly reason: RejectionReason;
  readonly details: readonly RejectionDetail[];
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber?: number;
  readonly arrivalTime: string;
  readonly sourceAccount: string;
  readonly sourceStream: string;
  readonly quarantinedAt: string;
  readonly data: string;
  /** Set on a record that was redriven and rejected again: where from, and which attempt. */
  readonly redrive?: RedriveInfo;
}

type Options = { abortSignal?: AbortSignal };

/** What quarantine needs of S3: PutObject, and multipart upload for large objects (`s3ObjectWriter` in aws.ts). */
export interface ObjectWriter {
  putObject(input: PutObjectCommandInput, options?: Options): Promise<void>;
  createMultipartUpload(input: CreateMultipartUploadCommandInput, options?: Options): Promise<{ UploadId?: string }>;
  uploadPart(input: UploadPartCommandInput, options?: Options): Promise<{ ETag?: string; ChecksumCRC32?: string }>;
  completeMultipartUpload(input: CompleteMultipartUploadCommandInput, options?: Options): Promise<void>;
  abortMultipartUpload(input: AbortMultipartUploadCommandInput, options?: Options): Promise<void>;
}

export interface QuarantineTarget {
  readonly bucket: string;
  readonly prefix: string;
}

/**
 * Bytes of one part of a quarantine object: bodies up to this size go in one PutObject, larger ones
 * in a multipart upload of parts this size (S3's minimum is 5 MiB but for the last part).
 */
export const QUARANTINE_PART_BYTES = 8 * 1024 * 1024;

/** A failed multipart upload, with the S3 error of the step that failed as `cause`. */
export class MultipartUploadError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = "MultipartUploadError";
  }
}

/**
 * The object key for one invocation's rejects:
 * `<prefix>YYYY/MM/DD/HH/<stream>/<shardId>/<firstSequenceNumber>-<requestId>.ndjson`.
 */
export function quarantineKey(prefix: string, first: QuarantineLine, requestId: string): string {
  const at = first.quarantinedAt;
  const hour = `${at.slice(0, 4)}/${at.slice(5, 7)}/${at.slice(8, 10)}/${at.slice(11, 13)}`;
  return `${prefix}${hour}/${first.sourceStream}/${first.shardId}/${first.sequenceNumber}-${requestId}.ndjson`;
}

/**
 * Lines encoded as NDJSON straight into parts of `partBytes` (a line may span two parts), so the
 * body is never one string nor copied whole. Every part but the last is full. The first part's
 * buffer starts small and doubles (most bodies are a few lines); later ones are allocated full size.
 */
export class NdjsonParts {
  readonly #partBytes: number;
  readonly #parts: Buffer[] = [];
  #part: Buffer | undefined;
  #offset = 0;
  #size = 0;

  constructor(partBytes: number = QUARANTINE_PART_BYTES) {
    this.#partBytes = partBytes;
  }

  /** Appends `text` and a newline. */
  add(text: string): void {
    // A UTF-16 unit is at most 3 UTF-8 bytes: most lines fit without measuring.
    const most = text.length * 3;
    if (
      // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: redundant with #room; a false test sends the text through Buffer.from, the same bytes
      most < this.#partBytes - this.#offset &&
      this.#room(most + 1)
    ) {
      // Stryker disable next-line StringLiteral: Node reads the empty encoding name as UTF-8
      this.#offset += (this.#part as Buffer).write(text, this.#offset, "utf8");
    } else {
      // Stryker disable next-line StringLiteral: Node reads the empty encoding name as UTF-8
      this.#addBytes(Buffer.from(text, "utf8"));
    }
    this.#addBytes(NEWLINE);
  }

  /** The body's size in bytes. */
  get size(): number {
    return this.#size + this.#offset;
  }

  /** The parts, each a view of its buffer; the last may be shorter. */
  parts(): Buffer[] {
    const parts = [...this.#parts];
    if (
      // Stryker disable next-line LogicalOperator: a part in hand has an offset above 0, and with none the offset is 0
      this.#part &&
      // Stryker disable next-line ConditionalExpression,EqualityOperator: whenever a part is in hand its offset is above 0 (every add ends with a newline into it)
      this.#offset > 0
    )
      parts.push(this.#part.subarray(0, this.#offset));
    return parts;
  }

  // Stryker disable next-line BlockStatement: how the first part grows: other allocation sizes, the same bytes (performance only)
  /** Makes `bytes` of room in the part in hand, growing the first part up to `partBytes`; false if it cannot. */
  #room(bytes: number): boolean {
    const capacity = this.#part?.length ?? 0;
    // Stryker disable next-line EqualityOperator,BooleanLiteral: how the first part grows: other allocation sizes, the same bytes (performance only)
    if (this.#offset + bytes <= capacity) return true;
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,ArithmeticOperator,BooleanLiteral: false whenever it is reached; how the first part grows: other allocation sizes, the same bytes (performance only)
    if (this.#parts.length > 0 || this.#offset + bytes > this.#partBytes) return false;
    // Stryker disable next-line ArithmeticOperator: how the first part grows: other allocation sizes, the same bytes (performance only)
    let size = Math.max(capacity * 2, FIRST_PART_BYTES);
    // Stryker disable next-line EqualityOperator: how the first part grows: other allocation sizes, the same bytes (performance only)
    while (size < this.#offset + bytes) size *= 2;
    const grown = Buffer.allocUnsafe(Math.min(size, this.#partBytes));
    this.#part?.copy(grown, 0, 0, this.#offset);
    this.#part = grown;
    // Stryker disable next-line BooleanLiteral: how the first part grows: other allocation sizes, the same bytes (performance only)
    return true;
  }

  #addBytes(bytes: Uint8Array): void {
    let from = 0;
    while (from < bytes.length) {
      const rest = bytes.length - from;
      if (
        // Stryker disable next-line ConditionalExpression: asking for room on every pass only grows the first part sooner (performance only)
        !this.#part ||
        this.#offset === this.#part.length
      )
        this.#room(Math.min(rest, this.#partBytes - this.#offset));
      if (!this.#part || this.#offset === this.#part.length) {
        // Stryker disable next-line ConditionalExpression: unreachable: with no part in hand none is pushed either, so #room has just allocated one
        if (this.#part) {
          this.#parts.push(this.#part);
          this.#size += this.#offset;
        }
        this.#part = Buffer.allocUnsafeSlow(this.#partBytes);
        this.#offset = 0;
      }
      const n = Math.min(rest, this.#part.length - this.#offset);
      this.#part.set(bytes.subarray(from, from + n), this.#offset);
      this.#offset += n;
      from += n;
    }
  }
}

const NEWLINE = Buffer.from("\n");
// Stryker disable next-line ArithmeticOperator: a first part of 0.0625 bytes doubles to whole sizes of at least what is asked (more reallocations only)
const FIRST_PART_BYTES = 64 * 1024;

/**
 * Writes the lines as one NDJSON object and returns its key: one PutObject up to `partBytes`,
 * past it a multipart upload (CRC32-checked parts, sent one after another so one part at a time is
 * in flight), aborted if any step fails. Retries are the SDK's standard ones; the calls are
 * abandoned at `deadlineMs`. Throws the S3 error when the object was not written (a
 * `MultipartUploadError` wrapping it when a part or the completion failed, after the abort): the
 * caller then reports these records for retry instead of counting them quarantined.
 */
export async function writeQuarantine(
  lines: readonly QuarantineLine[],
  target: QuarantineTarget,
  objects: ObjectWriter,
  requestId: string,
  deadlineMs: number,
  now: () => number,
  partBytes: number = QUARANTINE_PART_BYTES,
): Promise<string> {
  const first = lines[0];
  if (first === undefined) throw new RangeError("writeQuarantine needs at least one line");
  const key = quarantineKey(target.prefix, first, requestId);
  const body = new NdjsonParts(partBytes);
  for (const line of lines) body.add(JSON.stringify(line));
  const parts = body.parts();
  const object = { Bucket: target.bucket, Key: key };
  if (parts.length === 1) {
    const options = { abortSignal: signalAt(deadlineMs, now) };
    await objects.putObject({ ...object, Body: parts[0], ContentType: "application/x-ndjson" }, options);
    return key;
  }
  await uploadParts(parts, object, objects, deadlineMs, now);
  return key;
}

async function uploadParts(
  parts: readonly Buffer[],
  object: { readonly Bucket: string; readonly Key: string },
  objects: ObjectWriter,
  deadlineMs: number,
  now: () => number,
): Promise<void> {
  const options = () => ({ abortSignal: signalAt(deadlineMs, now) });
  const created = await objects.createMultipartUpload(
    { ...object, ContentType: "application/x-ndjson", ChecksumAlgorithm: "CRC32" },
    options(),
  );
  const uploadId = created.UploadId;
  if (uploadId === undefined) throw new MultipartUploadError("CreateMultipartUpload returned no UploadId", undefined);
  let step = "UploadPart";
  try {
    const completed: { PartNumber: number; ETag?: string; ChecksumCRC32?: string }[] = [];
    for (let i = 0; i < parts.length; i++) {
      const PartNumber = i + 1;
      const output = await objects.uploadPart(
        { ...object, UploadId: uploadId, PartNumber, Body: parts[i], ChecksumAlgorithm: "CRC32" },
        options(),
      );
      completed.push({ PartNumber, ETag: output.ETag, ChecksumCRC32: output.ChecksumCRC32 });
    }
    step = "CompleteMultipartUpload";
    await objects.completeMultipartUpload(
      { ...object, UploadId: uploadId, MultipartUpload: { Parts: completed } },
      options(),
    );
  } catch (err) {
    // The parts cost storage until aborted; the bucket's lifecycle rule aborts any this misses.
    await objects.abortMultipartUpload({ ...object, UploadId: uploadId }, options()).catch(() => undefined);
    throw new MultipartUploadError(
      `${step} failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
      err,
    );
  }
}
