/** NDJSON lines packed into as few Firehose records as the record limit allows. */
import { compressedBound, compressRecord, type DeliveryCompression, NO_COMPRESSION } from "./codec.ts";
import { FIREHOSE_LIMITS, type FirehoseLimits } from "./constants.ts";
import { CompressedRecordSizeError } from "./errors.ts";

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
