/**
 * The amplification bound (docs/reliability.md, "Amplification"), as a property: whatever a batch
 * holds, what the function writes (Firehose lines and quarantine objects, uncompressed) is at most
 * 4 × what it reads + 1 KiB per user record. Generated batches lean on what multiplies output: KPL
 * aggregates whose key tables hold long keys (over Kinesis's 256 characters too), many keys, keys of
 * control or four-byte characters, repeated over many tiny entries; entries whose errors quote long
 * field names and values; long partition keys on the records themselves.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonBytes, kinesisRecord, kplAggregateOf } from "../../../tools/fixtures/fixtures.ts";
import { allowedBytes, hostileAggregate, measureBatch } from "../../../tools/fuzz/amplification.ts";
import { numRunsFrom } from "../../support/runs.ts";

const NUM_RUNS = numRunsFrom("FC_NUM_RUNS", 150);

/** A Kinesis record's data: a hostile aggregate, or a plain user record, small or quoting long text. */
const data = fc.oneof(
  { weight: 3, arbitrary: hostileAggregate.map((a) => a.data) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 20_000 })
      .map((n) => Buffer.from(`{"${"f".repeat(n)}":1,"timestamp":"${"\u0001".repeat(n)}","vehicleId":"V"}`)),
  },
);

/** A record's own partition key: up to 256 characters, of those that take the most bytes in JSON. */
const partitionKey = fc
  .tuple(fc.constantFrom("k", "😀", "\u0001", '"'), fc.integer({ min: 1, max: 256 }))
  .map(([char, n]) => char.repeat(n));

describe("the amplification bound", () => {
  it(`holds for hostile batches: long and many keys, many tiny entries, long quoted text (${NUM_RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(data, partitionKey), { minLength: 1, maxLength: 4 }), async (inputs) => {
        const records = inputs.map(([bytes, key], n) => kinesisRecord({ n, partitionKey: key, data: bytes }));

        const { outcome, firehoseBytes, quarantineBytes, allowed } = await measureBatch(records);

        expect(outcome.response.batchItemFailures).toEqual([]);
        expect(firehoseBytes + quarantineBytes).toBeLessThanOrEqual(allowed);
      }),
      { numRuns: NUM_RUNS },
    );
  }, 120_000);

  it("counts a record's data as Kinesis stores it and its key as the event spells it", () => {
    const record = kinesisRecord({ n: 0, partitionKey: '\u0001"k', data: Buffer.alloc(10) });
    // 10 bytes of data; the key's JSON, "\u0001\"k", 11 bytes.
    expect(allowedBytes(10 + 11, 2)).toBe(4 * 21 + 2 * 1024);
    expect(record.kinesis.data.length).toBe(16);
  });

  it("holds for the issue's case: one 500,000-character key shared by 2,000 valid readings (now refused whole)", async () => {
    const reading = jsonBytes({ vehicleId: "V", timestamp: 0, speedKmh: 1 });
    const aggregate = kplAggregateOf(
      ["K".repeat(500_000)],
      Array.from({ length: 2_000 }, () => ({ keyIndex: 0, data: reading })),
    );

    const { outcome, firehoseBytes, quarantineBytes, allowed, read } = await measureBatch([
      kinesisRecord({ n: 0, partitionKey: "agg", data: aggregate }),
    ]);

    expect(outcome.stats.quarantined.AGGREGATE_CORRUPT).toBe(1);
    expect(firehoseBytes).toBe(0);
    expect(quarantineBytes).toBeLessThanOrEqual(allowed);
    // The record itself, in base64, and its line: about 1.33 times what was read.
    expect(quarantineBytes / read).toBeLessThan(1.4);
  });
});
