/**
 * From a Kinesis record's base64 `data` to the JSON value of each user record: base64, KPL
 * de-aggregation (with MD5 verification), size, UTF-8 and JSON checks.
 */
import { isUtf8 } from "node:buffer";
import type { UserRecord as UserRecordEntry } from "aws-kinesis-agg/lib/kpl-deagg.js";
// The de-aggregation module alone: the package index also loads the aggregator and its dependencies.
import { deaggregateSync } from "aws-kinesis-agg/lib/kpl-deagg.js";
import { MAX_USER_RECORD_BYTES } from "./contract.ts";
import { type Rejection, reject } from "./rejection.ts";

/** The KPL aggregation magic number (https://github.com/awslabs/amazon-kinesis-producer/blob/master/aggregation-format.md). */
const KPL_MAGIC = [0xf3, 0x89, 0x9a, 0xc2] as const;
const KPL_MIN_BYTES = KPL_MAGIC.length + 16;

/** One user record inside a Kinesis record: the record itself, or one entry of a KPL aggregate. */
export interface UserRecord {
  readonly partitionKey: string;
  /** Present only for entries of a KPL aggregate. */
  readonly subSequenceNumber: number | undefined;
  readonly data: Buffer;
}

export type Decoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly rejection: Rejection };

/**
 * Decodes standard, padded base64 strictly: Node's decoder skips characters outside the alphabet
 * and accepts the URL-safe one, so the decoded length is checked against the string's.
 * Never throws; a malformed string is a `BASE64_INVALID` rejection.
 */
export function decodeBase64(data: string): Decoded<Buffer> {
  const length = data.length;
  if (length % 4 !== 0 || data.includes("-") || data.includes("_")) {
    return { ok: false, rejection: reject("BASE64_INVALID", "not padded standard base64") };
  }
  const bytes = Buffer.from(data, "base64");
  const padding = length === 0 ? 0 : data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
  if (bytes.length !== (length / 4) * 3 - padding) {
    return {
      ok: false,
      rejection: reject("BASE64_INVALID", "characters outside the base64 alphabet"),
    };
  }
  return { ok: true, value: bytes };
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

/**
 * Expands a KPL aggregate into its user records, in order, with their sub-sequence numbers.
 * Uses awslabs' `aws-kinesis-agg` with checksum verification on. Never throws: a short, undecodable,
 * checksum-failing or empty aggregate, or one whose entries point outside its key table, is an
 * `AGGREGATE_CORRUPT` rejection (the whole Kinesis record is quarantined).
 */
export function deaggregate(
  data: string,
  bytes: Buffer,
  partitionKey: string,
  sequenceNumber: string,
): Decoded<UserRecord[]> {
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
    const entry = entries[i] as (typeof entries)[number];
    if (typeof entry.partitionKey !== "string") {
      return corrupt(`user record ${i} points outside the partition key table`);
    }
    records[i] = {
      partitionKey: entry.partitionKey,
      subSequenceNumber: entry.subSequenceNumber,
      data: Buffer.from(entry.data, "base64"),
    };
  }
  return { ok: true, value: records };
}

function corrupt(message: string): Decoded<never> {
  return { ok: false, rejection: reject("AGGREGATE_CORRUPT", message) };
}

/**
 * Parses one user record's bytes as UTF-8 JSON. Never throws: oversize input is `TOO_LARGE`
 * (checked before any parsing), malformed UTF-8 is `UTF8_INVALID`, malformed JSON `JSON_INVALID`.
 */
export function parseJson(bytes: Buffer): Decoded<unknown> {
  if (bytes.length > MAX_USER_RECORD_BYTES) {
    return {
      ok: false,
      rejection: reject("TOO_LARGE", `${bytes.length} bytes exceeds the ${MAX_USER_RECORD_BYTES}-byte limit`),
    };
  }
  if (!isUtf8(bytes)) {
    return { ok: false, rejection: reject("UTF8_INVALID", "bytes are not valid UTF-8") };
  }
  try {
    return { ok: true, value: JSON.parse(bytes.toString("utf8")) };
  } catch (err) {
    return { ok: false, rejection: reject("JSON_INVALID", (err as Error).message) };
  }
}
