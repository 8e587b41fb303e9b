/**
 * From a Kinesis record's base64 `data` to the JSON value of each user record: base64, KPL
 * de-aggregation (with MD5 verification), size, UTF-8 and JSON checks. Each step returns its value
 * or a `Rejection`, and never throws.
 */
import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import { MAX_USER_RECORD_BYTES } from "./contract.ts";
import { type Rejection, reject } from "./rejection.ts";

/** The KPL aggregation magic number (https://github.com/awslabs/amazon-kinesis-producer/blob/master/aggregation-format.md). */
const KPL_MAGIC = [0xf3, 0x89, 0x9a, 0xc2] as const;
const KPL_MD5_BYTES = 16;
const KPL_MIN_BYTES = KPL_MAGIC.length + KPL_MD5_BYTES;

/** Kinesis's limit on a partition key, in Unicode characters; an aggregate's keys are held to it too. */
export const MAX_PARTITION_KEY_CHARS = 256;
/** The most UTF-8 bytes a key within the limit takes (4 per character). */
const MAX_PARTITION_KEY_BYTES = MAX_PARTITION_KEY_CHARS * 4;
/**
 * How many times its own size an aggregate's entries may repeat its partition keys (each entry's
 * line carries its key, JSON-escaped): past it one small entry would be written as a long key many
 * times over (a KPL key table lets every entry point at one key).
 */
export const MAX_KEY_REPETITION = 2;

/**
 * One user record inside a Kinesis record: the record itself, or one entry of a KPL aggregate. An
 * entry's `data` is a view of its aggregate's bytes: valid only as long as they are.
 */
export interface UserRecord {
  readonly partitionKey: string;
  /** Present only for entries of a KPL aggregate. */
  readonly subSequenceNumber: number | undefined;
  readonly data: Buffer;
}

/** Reused for decoding records up to the contract's size: no allocation per record. */
// Stryker disable next-line ArithmeticOperator: the buffer's size only decides which records are decoded into it (performance only)
const decodeScratch = Buffer.allocUnsafe(MAX_USER_RECORD_BYTES + 3);

/**
 * Decodes standard, padded base64 strictly: Node's decoder skips characters outside the alphabet
 * and accepts the URL-safe one, so the decoded length is checked against the string's.
 * With `reuse`, a record of up to the contract's size is decoded into a buffer shared by every call:
 * the result is then valid only until the next call (the batch consumes each record at once).
 */
export function decodeBase64(data: string, reuse = false): Buffer | Rejection {
  const length = data.length;
  if (length % 4 !== 0 || data.includes("-") || data.includes("_")) {
    return reject("BASE64_INVALID", "not padded standard base64");
  }
  // Stryker disable next-line ConditionalExpression: the empty string has no padding either way
  const padding = length === 0 ? 0 : data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
  const expected = (length / 4) * 3 - padding;
  const bytes =
    // Stryker disable next-line ConditionalExpression: decoding into a fresh buffer instead of the shared one (performance only)
    reuse &&
    // Stryker disable next-line EqualityOperator: decoding into a fresh buffer instead of the shared one (performance only)
    expected <= decodeScratch.length
      ? decodeScratch.subarray(0, decodeScratch.write(data, "base64"))
      : Buffer.from(data, "base64");
  if (bytes.length !== expected) return reject("BASE64_INVALID", "characters outside the base64 alphabet");
  return bytes;
}

/** True when the bytes start with the KPL aggregation magic number. */
export function isKplAggregate(bytes: Buffer): boolean {
  // A buffer shorter than the magic number fails a comparison: an index past its end reads undefined.
  return (
    bytes[0] === KPL_MAGIC[0] && bytes[1] === KPL_MAGIC[1] && bytes[2] === KPL_MAGIC[2] && bytes[3] === KPL_MAGIC[3]
  );
}

/**
 * Visits a KPL aggregate's user records, in order, with their sub-sequence numbers, as views of
 * `bytes` (no copy, no list: an aggregate of 1 MB can hold ~140,000). The format
 * (https://github.com/awslabs/amazon-kinesis-producer/blob/master/aggregation-format.md) is the
 * magic number, a protobuf `AggregatedRecord` and the MD5 of that protobuf; it is read here rather
 * than with awslabs' library, which decodes every entry into objects first (~140 MB of heap for
 * four such aggregates) and loads protobufjs at the first aggregate. The tests check this reader
 * against the library. The whole aggregate is checked before the first visit: a short,
 * checksum-failing, undecodable or empty aggregate, one with an entry pointing outside its key
 * table, a partition key over `MAX_PARTITION_KEY_CHARS`, or entries whose keys (JSON-escaped, as
 * their lines carry them) come to more than `MAX_KEY_REPETITION` times the aggregate's size, is an
 * `AGGREGATE_CORRUPT` rejection (of the whole Kinesis record), with nothing visited.
 * Throws only what `visit` throws.
 */
export function forEachUserRecord(bytes: Buffer, visit: (user: UserRecord) => void): Rejection | undefined {
  if (bytes.length < KPL_MIN_BYTES) {
    return corrupt(`aggregate of ${bytes.length} bytes is shorter than its ${KPL_MIN_BYTES}-byte frame`);
  }
  const end = bytes.length - KPL_MD5_BYTES;
  const digest = createHash("md5").update(bytes.subarray(KPL_MAGIC.length, end)).digest();
  if (!digest.equals(bytes.subarray(end))) return corrupt("Invalid record checksum");

  // First pass: the key table, and every entry checked, so that a corrupt aggregate visits nothing.
  const keys: string[] = [];
  /** Bytes each key takes in a line: its JSON string's, without the quotes. */
  const keyBytes: number[] = [];
  let entries = 0;
  const reader = new ProtobufReader(bytes, KPL_MAGIC.length, end);
  while (reader.more()) {
    const field = reader.field();
    if (field === AGGREGATE.partitionKeyTable && reader.wireType === LEN) {
      const key = reader.bytes();
      if (key === undefined) return corrupt("partition key table entry runs past the aggregate");
      // Measured in bytes first: a key of megabytes is never decoded.
      const tooLong = `partition key table entry ${keys.length} is over Kinesis's ${MAX_PARTITION_KEY_CHARS}-character limit`;
      // Stryker disable next-line ConditionalExpression: a key over 1,024 bytes has over 256 characters, which the count below refuses too; measuring first spares decoding it (performance only)
      if (key.end - key.start > MAX_PARTITION_KEY_BYTES) return corrupt(tooLong);
      const partitionKey = bytes.toString("utf8", key.start, key.end);
      // A key has at most as many characters as UTF-16 units: only a longer one is counted.
      if (
        // Stryker disable next-line ConditionalExpression,EqualityOperator: counting every key's characters gives the same answer (performance only)
        partitionKey.length > MAX_PARTITION_KEY_CHARS &&
        characters(partitionKey) > MAX_PARTITION_KEY_CHARS
      )
        return corrupt(tooLong);
      keys.push(partitionKey);
      keyBytes.push(Buffer.byteLength(JSON.stringify(partitionKey)) - 2);
    } else if (field === AGGREGATE.records && reader.wireType === LEN) {
      const record = reader.bytes();
      if (record === undefined) return corrupt(`user record ${entries} runs past the aggregate`);
      entries++;
    } else if (field === undefined || !reader.skip()) {
      return corrupt("aggregate is not a valid protobuf AggregatedRecord");
    }
  }
  if (entries === 0) return corrupt("aggregate holds no user records");
  // Stryker disable next-line ObjectLiteral: readRecord writes the entry's fields before they are read
  const entry = { keyIndex: 0, start: 0, end: 0 };
  const keyBudget = MAX_KEY_REPETITION * bytes.length;
  let repeated = 0;
  // Stryker disable next-line EqualityOperator: a third pass only re-checks (it visits nothing)
  for (let pass = 0; pass < 2; pass++) {
    reader.reset(KPL_MAGIC.length, end);
    let index = 0;
    while (reader.more()) {
      const field = reader.field();
      if (field !== AGGREGATE.records || reader.wireType !== LEN) {
        reader.skip();
        continue;
      }
      const span = reader.bytes();
      // Stryker disable next-line ConditionalExpression: unreachable: the first pass refused a record whose span runs past the aggregate
      if (!span) continue;
      const problem = readRecord(bytes, span.start, span.end, entry);
      if (problem !== undefined) return corrupt(`user record ${index} ${problem}`);
      const partitionKey = keys[entry.keyIndex];
      if (partitionKey === undefined) return corrupt(`user record ${index} points outside the partition key table`);
      if (pass === 0) {
        repeated += keyBytes[entry.keyIndex] as number;
        if (repeated > keyBudget)
          return corrupt(
            `its entries repeat partition keys past ${MAX_KEY_REPETITION} times its ${bytes.length} bytes (from user record ${index} on)`,
          );
      } else visit({ partitionKey, subSequenceNumber: index, data: bytes.subarray(entry.start, entry.end) });
      index++;
    }
  }
  return undefined;
}

/** Protobuf wire types. */
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

/** The field numbers read in the KPL's `AggregatedRecord` and `Record`; the others are skipped. */
const AGGREGATE = { partitionKeyTable: 1, records: 3 } as const;
const RECORD = { partitionKeyIndex: 1, data: 3 } as const;

/** Reads one `Record` in `[start, end)` into `entry`; returns what is wrong with it, if anything. */
function readRecord(
  bytes: Buffer,
  start: number,
  end: number,
  entry: { keyIndex: number; start: number; end: number },
): string | undefined {
  const reader = new ProtobufReader(bytes, start, end);
  let keyIndex: number | undefined;
  let data: { start: number; end: number } | undefined;
  while (reader.more()) {
    const field = reader.field();
    if (field === RECORD.partitionKeyIndex && reader.wireType === VARINT) {
      keyIndex = reader.varint();
      if (keyIndex === undefined) return "has a malformed partition key index";
    } else if (field === RECORD.data && reader.wireType === LEN) {
      data = reader.bytes();
      if (data === undefined) return "data runs past the record";
    } else if (field === undefined || !reader.skip()) {
      return "is not a valid protobuf Record";
    }
  }
  if (keyIndex === undefined) return "has no partition key index";
  if (data === undefined) return "has no data";
  entry.keyIndex = keyIndex;
  entry.start = data.start;
  entry.end = data.end;
  return undefined;
}

/** Just enough protobuf to walk the KPL messages: tags, varints, length-delimited fields, skips. */
class ProtobufReader {
  readonly #bytes: Buffer;
  #at: number;
  #end: number;
  wireType = 0;

  constructor(bytes: Buffer, start: number, end: number) {
    this.#bytes = bytes;
    this.#at = start;
    this.#end = end;
  }

  reset(start: number, end: number): void {
    this.#at = start;
    this.#end = end;
  }

  more(): boolean {
    return this.#at < this.#end;
  }

  /** The next field's number (its wire type in `wireType`), or undefined for a malformed tag. */
  field(): number | undefined {
    const tag = this.varint();
    // Stryker disable next-line ConditionalExpression: a truncated tag yields a wire type skip() refuses (the same rejection)
    if (tag === undefined) return undefined;
    if (tag < 8) return undefined;
    this.wireType = tag % 8;
    return Math.floor(tag / 8);
  }

  /** A varint of up to 10 bytes; undefined if truncated or past 2^53 (no index or length is that large). */
  varint(): number | undefined {
    let value = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.#at >= this.#end) return undefined;
      const byte = this.#bytes[this.#at++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return Number.isSafeInteger(value) ? value : undefined;
    }
    return undefined;
  }

  /** A length-delimited field's span, or undefined if it runs past the message. */
  bytes(): { start: number; end: number } | undefined {
    const length = this.varint();
    if (length === undefined || length > this.#end - this.#at) return undefined;
    const start = this.#at;
    this.#at += length;
    return { start, end: this.#at };
  }

  /** Skips the value of the field just read; false if it is malformed or a (deprecated) group. */
  skip(): boolean {
    switch (this.wireType) {
      case VARINT:
        return this.varint() !== undefined;
      case I64:
        return this.#advance(8);
      case LEN:
        return this.bytes() !== undefined;
      case I32:
        return this.#advance(4);
      // Stryker disable next-line ConditionalExpression: falling out of the switch returns undefined, which callers read as false too
      default:
        return false;
    }
  }

  #advance(count: number): boolean {
    if (count > this.#end - this.#at) return false;
    this.#at += count;
    return true;
  }
}

/** A string's length in Unicode characters (code points), as Kinesis counts a partition key's. */
function characters(text: string): number {
  let count = 0;
  // A string's iterator yields code points: a surrogate pair is one.
  for (const _ of text) count++;
  return count;
}

function corrupt(message: string): Rejection {
  return reject("AGGREGATE_CORRUPT", message);
}

/**
 * Parses one user record's bytes as UTF-8 JSON: oversize input is `TOO_LARGE` (checked before any
 * parsing), malformed UTF-8 is `UTF8_INVALID`, malformed JSON `JSON_INVALID`.
 */
export function parseJson(bytes: Buffer): unknown {
  if (bytes.length > MAX_USER_RECORD_BYTES) {
    return reject("TOO_LARGE", `${bytes.length} bytes exceeds the ${MAX_USER_RECORD_BYTES}-byte limit`);
  }
  if (!isUtf8(bytes)) return reject("UTF8_INVALID", "bytes are not valid UTF-8");
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    return reject("JSON_INVALID", (err as Error).message);
  }
}
