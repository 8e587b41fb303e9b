/**
 * The amplification bound (docs/reliability.md, "Amplification"): whatever a batch holds, the bytes
 * the function writes (every line to Firehose and to quarantine, UTF-8, uncompressed, newlines
 * included) are at most 4 × the bytes it reads + 1 KiB per user record. The measures, and hostile KPL
 * aggregates an attacker with one record would send: keys long and many, of control characters or
 * four-byte ones, repeated over many tiny entries, entries whose errors quote long text.
 */
import type { KinesisStreamRecord } from "aws-lambda";
import fc from "fast-check";
import { type BatchOutcome, processBatch } from "../../shared/batch/index.ts";
import { MAX_KEY_REPETITION, MAX_PARTITION_KEY_CHARS } from "../../shared/decode.ts";
import { kplAggregateOf } from "../fixtures/fixtures.ts";
import { inMemoryBatchDeps } from "./in-memory.ts";

/** Bytes written may be this many times the bytes read… */
const READ_FACTOR = 4;
/** …plus this much per user record (the enrichment's and a quarantine line's fixed overhead). */
const PER_USER_RECORD_BYTES = 1024;

/**
 * Bytes a batch reads: each Kinesis record's data (decoded: what Kinesis stores and counts) and its
 * partition key as the event spells it (a JSON string: a control character takes six bytes there,
 * as it does in every line that carries the key).
 */
export function bytesRead(records: readonly KinesisStreamRecord[]): number {
  let bytes = 0;
  for (const { kinesis } of records)
    bytes += Buffer.byteLength(kinesis.data, "base64") + Buffer.byteLength(JSON.stringify(kinesis.partitionKey));
  return bytes;
}

/** The most bytes a batch of `userRecords` that read `read` bytes may write. */
export function allowedBytes(read: number, userRecords: number): number {
  return READ_FACTOR * read + PER_USER_RECORD_BYTES * userRecords;
}

/** Bytes of NDJSON lines as written (each line's UTF-8 and its newline). */
export function linesBytes(lines: readonly string[]): number {
  let bytes = 0;
  for (const line of lines) bytes += Buffer.byteLength(line) + 1;
  return bytes;
}

/** One batch through `processBatch`, and what it read and wrote. */
export interface Measured {
  readonly outcome: BatchOutcome;
  /** `bytesRead` of the batch. */
  readonly read: number;
  /** Bytes of the lines sent to Firehose (uncompressed: the batch runs without compression). */
  readonly firehoseBytes: number;
  /** Bytes of the quarantine objects written. */
  readonly quarantineBytes: number;
  /** What the bound allows the batch. */
  readonly allowed: number;
}

/**
 * Runs one batch through `processBatch` as the function does, uncompressed, with Firehose and S3
 * answering success in memory (nothing kept but the byte counts), and measures it.
 */
export async function measureBatch(records: readonly KinesisStreamRecord[]): Promise<Measured> {
  const { deps, written, clock } = inMemoryBatchDeps();
  const outcome = await processBatch(records, { deadlineMs: clock.ms + 600_000, requestId: "amplification" }, deps);
  const read = bytesRead(records);
  return {
    outcome,
    read,
    firehoseBytes: written.firehoseBytes,
    quarantineBytes: written.quarantineBytes,
    allowed: allowedBytes(read, outcome.stats.userRecords),
  };
}

/** A key an attacker might put in an aggregate's key table. */
const hostileKey = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc
    .tuple(fc.constantFrom("k", "é", "€", "😀", "\u0001", '"'), fc.integer({ min: 1, max: 300 }))
    .map(([char, n]) => char.repeat(n)),
  fc.integer({ min: 257, max: 20_000 }).map((n) => "K".repeat(n)),
);

/** Entry data: empty, tiny, a valid reading, or an invalid one whose error quotes long names and values. */
const hostileEntryData = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  fc.uint8Array({ maxLength: 3 }).map((a) => Buffer.from(a)),
  fc.constant(Buffer.from('{"vehicleId":"V","timestamp":0,"speedKmh":1}')),
  fc
    .integer({ min: 1, max: 3_000 })
    .map((n) =>
      Buffer.from(`{"${"f".repeat(n)}":1,"timestamp":"${"t".repeat(n)}","speedKmh":"${"\u0001".repeat(n)}"}`),
    ),
  fc.integer({ min: 1, max: 3_000 }).map((n) => Buffer.from(`{"a":"${"é".repeat(n)}" x`)),
);

/** What a hostile aggregate must become, by the rules the consumer states, computed here on their own. */
export interface AggregateExpectation {
  /** The aggregate is refused whole: a key over the limit, or keys repeated past twice its size. */
  readonly corrupt: boolean;
  /** Its entries, when it is not. */
  readonly entries: number;
  /** The indexes of the entries that are valid readings. */
  readonly valid: readonly number[];
}

/** A hostile aggregate's bytes and what it must become. */
export const hostileAggregate: fc.Arbitrary<{ readonly data: Buffer; readonly expected: AggregateExpectation }> = fc
  .record({
    keys: fc.array(hostileKey, { minLength: 1, maxLength: 40 }),
    entries: fc.array(fc.record({ key: fc.nat(), data: hostileEntryData }), { minLength: 1, maxLength: 60 }),
    // Many tiny entries on one key: what key repetition costs.
    repeat: fc.integer({ min: 0, max: 2_000 }),
  })
  .map(({ keys, entries, repeat }) => {
    const all = [
      ...entries.map((e) => ({ keyIndex: e.key % keys.length, data: e.data })),
      ...Array.from({ length: repeat }, () => ({ keyIndex: 0, data: Buffer.alloc(0) })),
    ];
    const data = kplAggregateOf(keys, all);
    const tooLong = keys.some((k) => [...k].length > MAX_PARTITION_KEY_CHARS);
    let repeated = 0;
    for (const { keyIndex } of all) repeated += Buffer.byteLength(JSON.stringify(keys[keyIndex])) - 2;
    const valid = all.flatMap((e, i) => (e.data.toString().startsWith('{"vehicleId":"V"') ? [i] : []));
    return {
      data,
      expected: { corrupt: tooLong || repeated > MAX_KEY_REPETITION * data.length, entries: all.length, valid },
    };
  });
