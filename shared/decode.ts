/**
 * From a Kinesis record's base64 `data` to the JSON value of each user record: base64, KPL
 * de-aggregation (with MD5 verification), size, UTF-8 and JSON checks. Each step returns its value
 * or a `Rejection`, and never throws.
 */
import { isUtf8 } from "node:buffer";
import type { deaggregateSync, UserRecord as UserRecordEntry } from "aws-kinesis-agg/lib/kpl-deagg.js";
import { MAX_USER_RECORD_BYTES } from "./contract.ts";
import { type Rejection, reject } from "./rejection.ts";

/** The KPL aggregation magic number (https://github.com/awslabs/amazon-kinesis-producer/blob/master/aggregation-format.md). */
const KPL_MAGIC = [0xf3, 0x89, 0x9a, 0xc2] as const;
const KPL_MIN_BYTES = KPL_MAGIC.length + 16;
/** How base64 text of bytes starting with the magic number begins ("84ma" is f3 89 9a; "w" starts c0–c3). */
const KPL_MAGIC_BASE64 = "84maw";

/** One user record inside a Kinesis record: the record itself, or one entry of a KPL aggregate. */
export interface UserRecord {
  readonly partitionKey: string;
  /** Present only for entries of a KPL aggregate. */
  readonly subSequenceNumber: number | undefined;
  readonly data: Buffer;
}

/** Reused for decoding records up to the contract's size: no allocation per record. */
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
  const padding = length === 0 ? 0 : data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
  const expected = (length / 4) * 3 - padding;
  const bytes =
    reuse && expected <= decodeScratch.length
      ? decodeScratch.subarray(0, decodeScratch.write(data, "base64"))
      : Buffer.from(data, "base64");
  if (bytes.length !== expected) return reject("BASE64_INVALID", "characters outside the base64 alphabet");
  return bytes;
}

/** True when the bytes start with the KPL aggregation magic number. */
export function isKplAggregate(bytes: Buffer): boolean {
  return (
    bytes.length >= KPL_MAGIC.length &&
    bytes[0] === KPL_MAGIC[0] &&
    bytes[1] === KPL_MAGIC[1] &&
    bytes[2] === KPL_MAGIC[2] &&
    bytes[3] === KPL_MAGIC[3]
  );
}

/** True when any record's base64 data could hold a KPL aggregate: a cheap test before loading the de-aggregator. */
export function mayHoldAggregates(datas: Iterable<string>): boolean {
  for (const data of datas) if (data.startsWith(KPL_MAGIC_BASE64)) return true;
  return false;
}

export type Deaggregator = typeof deaggregateSync;

/**
 * Loads awslabs' `aws-kinesis-agg` de-aggregation module (and protobufjs) on first use: a stream
 * without aggregates never pays for it at cold start (about 8 ms of init; `npm run bench`).
 * The module alone, not the package index, which also loads the aggregator and its dependencies.
 */
export async function loadDeaggregator(): Promise<Deaggregator> {
  return (await import("aws-kinesis-agg/lib/kpl-deagg.js")).deaggregateSync;
}

/**
 * Expands a KPL aggregate into its user records, in order, with their sub-sequence numbers, with
 * checksum verification on. A short, undecodable, checksum-failing or empty aggregate, or one whose
 * entries point outside its key table, is an `AGGREGATE_CORRUPT` rejection (of the whole Kinesis record).
 */
export function deaggregate(
  deaggregateSync: Deaggregator,
  data: string,
  bytes: Buffer,
  partitionKey: string,
  sequenceNumber: string,
): UserRecord[] | Rejection {
  if (bytes.length < KPL_MIN_BYTES) {
    return corrupt(`aggregate of ${bytes.length} bytes is shorter than its ${KPL_MIN_BYTES}-byte frame`);
  }
  let failure: Error | undefined;
  let entries: UserRecordEntry[] = [];
  try {
    // The library calls back once per failing entry and once at the end; keep the first error.
    deaggregateSync({ data, partitionKey, sequenceNumber }, true, (err, userRecords) => {
      if (err) failure ??= err;
      else if (userRecords) entries = userRecords;
    });
  } catch (err) {
    failure ??= err instanceof Error ? err : new Error(String(err));
  }
  if (failure) return corrupt(failure.message);
  if (entries.length === 0) return corrupt("aggregate holds no user records");
  const records: UserRecord[] = new Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as UserRecordEntry;
    if (typeof entry.partitionKey !== "string")
      return corrupt(`user record ${i} points outside the partition key table`);
    records[i] = {
      partitionKey: entry.partitionKey,
      subSequenceNumber: entry.subSequenceNumber,
      data: Buffer.from(entry.data, "base64"),
    };
  }
  return records;
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
