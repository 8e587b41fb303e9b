/**
 * Hostile input to the redrive: on-failure records whose payload is malformed in any way (records
 * missing fields, of the wrong types, an arrival time no Date holds, a payload that is a string, an
 * object, or nothing), as a fast-check property shared by tests/unit/shared/hostile-input.long.test.ts
 * and scripts/fuzz.ts. A chunk never throws for them: a payload that fails the live event's shape
 * check is set aside (its problem reported) and the range read back from the stream; one that passes
 * goes through `processBatch`, every record accounted for. Uses node:assert, so it runs outside Vitest too.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { kinesisRecordsOf } from "../../shared/event.ts";
import { parseRedriveRequest, type RedriveDeps, redriveChunk, type StreamReader } from "../../shared/redrive/index.ts";
import { jsonBytes, kinesisRecord, SAMPLE_STREAM_ARN, sequenceNumber } from "../fixtures/fixtures.ts";
import { inMemoryBatchDeps, memoryStore } from "./in-memory.ts";

const SHARD = "shardId-000000000000";
const FAILURE_BUCKET = "failure-bucket";
const FAILURE_KEY = "aws/lambda/esm/shardId-000000000000/record.json";

/** A record of the batch, as Lambda's event carries it. */
const goodRecord = (n: number) =>
  kinesisRecord({ n, partitionKey: `VIN-${n}`, data: jsonBytes({ vehicleId: `VIN-${n}`, timestamp: 0, speedKmh: 1 }) });

/** One way a record of the payload can be broken, or none. */
const breakage = fc.oneof(
  fc.constant((r: Record<string, unknown>) => r),
  fc
    .constantFrom("eventID", "eventSourceARN", "kinesis")
    .chain((field) => fc.anything().map((value) => (r: Record<string, unknown>) => ({ ...r, [field]: value }))),
  fc.constantFrom("data", "partitionKey", "sequenceNumber", "approximateArrivalTimestamp").chain((field) =>
    fc
      .oneof(fc.anything(), fc.constantFrom(undefined, 1e300, -1e300, Number.NaN, "12", null))
      .map((value) => (r: Record<string, unknown>) => ({
        ...r,
        kinesis: { ...(r.kinesis as Record<string, unknown>), [field]: value },
      })),
  ),
);

/** A payload: the batch's records, each perhaps broken; or something that is no event at all. */
const payload: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .array(breakage, { minLength: 1, maxLength: 4 })
      .map((breaks) => ({ Records: breaks.map((breakIt, n) => breakIt({ ...goodRecord(n) })) })),
  },
  { weight: 1, arbitrary: fc.anything() },
);

/** The payload as the on-failure record carries it: an object, a JSON string, or none. */
const onFailureBody = fc
  .record({ payload, form: fc.constantFrom("object", "string", "none") })
  .map(({ payload, form }) =>
    JSON.stringify({
      requestContext: { condition: "RetryAttemptsExhausted", approximateInvokeCount: 3 },
      KinesisBatchInfo: {
        shardId: SHARD,
        startSequenceNumber: sequenceNumber(0),
        endSequenceNumber: sequenceNumber(3),
        batchSize: 4,
        streamArn: SAMPLE_STREAM_ARN,
      },
      ...(form === "none" ? {} : { payload: form === "string" ? JSON.stringify(payload) : payload }),
    }),
  );

/** The shard, holding the batch's four records: what a range read back finds. */
const shard: StreamReader = {
  async iteratorAt() {
    return "it";
  },
  async read() {
    return {
      records: [0, 1, 2, 3].map((n) => {
        const { kinesis } = goodRecord(n);
        return {
          sequenceNumber: kinesis.sequenceNumber,
          partitionKey: kinesis.partitionKey,
          data: Buffer.from(kinesis.data, "base64"),
          arrivalMs: kinesis.approximateArrivalTimestamp * 1000,
        };
      }),
      next: undefined,
      behindMs: 0,
    };
  },
};

/**
 * The property; resolves to the number of cases run. Throws (node:assert) with a counterexample on
 * failure, and a RangeError for a run count below 1.
 */
export async function checkHostileOnFailure(numRuns: number, seed?: number): Promise<number> {
  if (!Number.isInteger(numRuns) || numRuns < 1) throw new RangeError(`numRuns must be an integer ≥ 1, got ${numRuns}`);
  let ran = 0;
  await fc.assert(
    fc.asyncProperty(onFailureBody, async (body) => {
      ran++;
      const store = memoryStore();
      store.objects.set(`${FAILURE_BUCKET}/${FAILURE_KEY}`, { body, modifiedMs: 0 });
      const { deps: batchDeps, written, clock } = inMemoryBatchDeps();
      const deps: RedriveDeps = { ...batchDeps, store, stream: shard };
      const request = parseRedriveRequest({ source: "on-failure", bucket: FAILURE_BUCKET }, "quarantine/");

      const { summary } = await redriveChunk(request, undefined, deps, clock.ms + 600_000, "fuzz");

      assert.equal(summary.malformed.length, 0, "a record with a good KinesisBatchInfo is never malformed");
      const [range] = summary.ranges;
      assert.ok(range, "the record's range is reported");
      // The payload is used exactly when the live event's check passes it.
      const parsed = JSON.parse(body) as { payload?: unknown };
      const carried = typeof parsed.payload === "string" ? tryParse(parsed.payload) : parsed.payload;
      let usable = parsed.payload !== undefined;
      try {
        if (usable) kinesisRecordsOf(carried);
      } catch {
        usable = false;
      }
      assert.equal(range.status, usable ? "payload" : "stream");
      if (!usable && parsed.payload !== undefined)
        assert.match(
          range.detail ?? "",
          /^the payload is unusable \(event\.Records.* must be|^the payload is unusable \(event\.Records must be an array\)/,
        );
      // Each record read is delivered, quarantined again, or failed: once.
      const quarantined = Object.values(summary.quarantinedAgain).reduce((n, k) => n + k, 0);
      assert.equal(summary.delivered + quarantined + summary.failed, summary.read);
      assert.equal(summary.delivered, written.firehoseLines);
    }),
    { numRuns, ...(seed === undefined ? {} : { seed }) },
  );
  return ran;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
