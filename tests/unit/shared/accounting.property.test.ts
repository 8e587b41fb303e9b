import { FirehoseClient, PutRecordBatchCommand, type PutRecordBatchCommandInput } from "@aws-sdk/client-firehose";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { processBatch } from "../../../shared/batch/index.ts";
import {
  type DeliveryCompression,
  NO_COMPRESSION,
  parseDeliveryCompression,
  RecordPacker,
} from "../../../shared/firehose/index.ts";
import { REJECTION_REASONS } from "../../../shared/rejection.ts";
import { validTelemetry } from "../../../tools/fixtures/arbitraries.ts";
import { jsonBytes, kinesisRecord, kplAggregate } from "../../../tools/fixtures/fixtures.ts";
import { decompressObject } from "../../../tools/pipeline/compressed.ts";
import { batchDeps, config, quarantineLines } from "../../support/batch.ts";
import { enrichedValidator } from "../../support/contract.ts";
import { numRunsFrom } from "../../support/runs.ts";

/**
 * Exceptions injected on both sides of the backstop's edge (shared/batch/preparation.ts): in
 * enrich(), before a line is added (the record must be quarantined as UNEXPECTED_ERROR and the batch
 * go on), and in the packer's add, after the line is in (the invocation must fail, nothing sent).
 */
const inject = vi.hoisted(() => ({
  /** enrich() throws on these calls (0-based, in the order of the batch's records). */
  enrichCalls: new Set<number>(),
  enrichCall: 0,
  /** The recordIds enrich() threw for. */
  thrownFor: [] as string[],
}));

vi.mock("../../../shared/enrich.ts", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../../shared/enrich.ts")>();
  return {
    ...original,
    enrich: (...args: Parameters<typeof original.enrich>) => {
      if (inject.enrichCalls.has(inject.enrichCall++)) {
        inject.thrownFor.push(args[1].recordId);
        throw new TypeError("injected before the add");
      }
      return original.enrich(...args);
    },
  };
});

afterEach(() => {
  vi.restoreAllMocks();
});

const firehoseMock = mockClient(FirehoseClient);
const s3Mock = mockClient(S3Client);
const NUM_RUNS = numRunsFrom("FC_NUM_RUNS", 150);

/** A user record's bytes: valid telemetry, near-valid telemetry, arbitrary JSON or arbitrary bytes. */
const userBytes = fc.oneof(
  validTelemetry.map(jsonBytes),
  validTelemetry.chain((t) =>
    fc.constantFrom("speedKmh", "vehicleId", "timestamp").map((k) => jsonBytes({ ...t, [k]: -1 })),
  ),
  fc.jsonValue().map(jsonBytes),
  fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
);

type Input =
  | { kind: "plain"; bytes: Buffer }
  | { kind: "badBase64"; text: string }
  | { kind: "aggregate"; users: Buffer[]; corrupt: boolean };

const recordInput: fc.Arbitrary<Input> = fc.oneof(
  { weight: 6, arbitrary: userBytes.map((bytes) => ({ kind: "plain" as const, bytes })) },
  {
    weight: 1,
    arbitrary: fc
      .string({ minLength: 1, maxLength: 12 })
      .map((text) => ({ kind: "badBase64" as const, text: `${text}!` })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ users: fc.array(userBytes, { minLength: 1, maxLength: 5 }), corrupt: fc.boolean() })
      .map((a) => ({ kind: "aggregate" as const, ...a })),
  },
);

/** What Firehose does with one call: confirm all, fail some entries, or fail the call. */
const firehoseBehaviour = fc.oneof(
  fc.constant({ kind: "ok" as const }),
  fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }).map((mask) => ({ kind: "partial" as const, mask })),
  fc
    .constantFrom("ServiceUnavailableException", "ResourceNotFoundException")
    .map((name) => ({ kind: "throw" as const, name })),
);

/**
 * Delivery compression: off, or one of the codecs the function offers (the same run count each),
 * and the one the property's fixed examples use.
 */
const compressions: [string, fc.Arbitrary<DeliveryCompression>, DeliveryCompression][] = [
  ["without compression", fc.constant(NO_COMPRESSION), NO_COMPRESSION],
  [
    "with compression",
    fc.constantFrom("gzip", "gzip-1", "zstd", "zstd-9").map((v) => parseDeliveryCompression(v) as DeliveryCompression),
    parseDeliveryCompression("gzip") as DeliveryCompression,
  ],
];

type Behaviour = typeof firehoseBehaviour extends fc.Arbitrary<infer B> ? B : never;
type Bounds = { perAggregate: number; perBatch: number };
type Example = [
  Input[],
  Behaviour[],
  boolean,
  { recordBytes: number; batchRecords: number },
  number,
  Bounds,
  DeliveryCompression,
  number[],
  number | null,
];

/**
 * The property's first runs, before the generated ones, so that each case the property counts
 * is met in every run of it, not only likely: an aggregate quarantined whole, a throw before the
 * add, a throw after it. Arguments in the property's order.
 */
function examples(compression: DeliveryCompression): Example[] {
  const valid: Input = { kind: "plain", bytes: jsonBytes({ vehicleId: "V-1", timestamp: 0, speedKmh: 50 }) };
  const invalid = jsonBytes({ vehicleId: "V-1", timestamp: 0, speedKmh: -1 });
  const run = (inputs: Input[], bounds: Bounds, enrichThrows: number[], addThrows: number | null): Example => [
    inputs,
    [{ kind: "ok" }],
    false,
    { recordBytes: 4_000, batchRecords: 4 },
    5_000,
    bounds,
    compression,
    enrichThrows,
    addThrows,
  ];
  const roomy = { perAggregate: 3, perBatch: 8 };
  return [
    run([{ kind: "aggregate", users: [invalid, invalid], corrupt: false }], { perAggregate: 0, perBatch: 8 }, [], null),
    run([valid], roomy, [0], null),
    run([valid], roomy, [], 0),
  ];
}

describe.each(compressions)("batch accounting (property), %s", (_, compression, exampleCompression) => {
  let runsWithWholeAggregates = 0;
  let runsWithThrowsBeforeTheAdd = 0;
  let runsFailedAfterTheAdd = 0;

  it("puts every user record in exactly one of delivered, quarantined or reported for retry", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordInput, { maxLength: 30 }),
        fc.array(firehoseBehaviour, { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        fc.record({
          recordBytes: fc.integer({ min: 400, max: 4_000 }),
          batchRecords: fc.integer({ min: 1, max: 4 }),
        }),
        fc.integer({ min: 50, max: 5_000 }),
        // Narrow bounds, so that aggregates of a few entries go past them.
        fc.record({ perAggregate: fc.integer({ min: 0, max: 3 }), perBatch: fc.integer({ min: 0, max: 8 }) }),
        compression,
        // Before the add: enrich() throws on some calls. After it: the packer's n-th add throws, or none.
        fc.uniqueArray(fc.integer({ min: 0, max: 12 }), { maxLength: 3 }),
        fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 8 }) }),
        async (
          inputs,
          behaviours,
          quarantineFails,
          limitsSeed,
          budgetMs,
          rejectBounds,
          deliveryCompression,
          enrichThrows,
          addThrows,
        ) => {
          inject.enrichCalls = new Set(enrichThrows);
          inject.enrichCall = 0;
          inject.thrownFor = [];
          vi.restoreAllMocks();
          let adds = 0;
          const add = RecordPacker.prototype.add;
          if (addThrows !== null)
            vi.spyOn(RecordPacker.prototype, "add").mockImplementation(function (this: RecordPacker, line, tag) {
              add.call(this, line, tag);
              if (adds++ === addThrows) throw new RangeError("injected after the add");
            });
          firehoseMock.reset();
          // Compression takes its worst case off each record's room for lines: the same room as without.
          const recordBytes = limitsSeed.recordBytes + (deliveryCompression === NO_COMPRESSION ? 0 : 200);
          const limits = { ...limitsSeed, recordBytes, batchBytes: recordBytes * 2 };
          s3Mock.reset();
          const events = inputs.map((input, n) => toRecord(input, n));
          const confirmed: string[] = [];
          // Recorded, not asserted, in the mock: a throw there would be taken for a Firehose error.
          const invalidLines: string[] = [];
          let call = 0;
          firehoseMock.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => {
            const behaviour = behaviours[call++ % behaviours.length] ?? { kind: "ok" as const };
            if (behaviour.kind === "throw")
              throw Object.assign(new Error(behaviour.name), {
                name: behaviour.name,
                $metadata: { httpStatusCode: behaviour.name.startsWith("Service") ? 503 : 400 },
              });
            const entries = input.Records ?? [];
            for (const entry of entries) {
              const bytes = (entry.Data as Uint8Array).byteLength;
              if (bytes > limits.recordBytes) invalidLines.push(`a record of ${bytes} bytes`);
            }
            const responses = entries.map((entry, i) => {
              const fails = behaviour.kind === "partial" && behaviour.mask[i % behaviour.mask.length] === true;
              if (fails) return { ErrorCode: "ServiceUnavailableException", ErrorMessage: "slow down" };
              let sentLines: { ingest: { recordId: string } }[] = [];
              try {
                sentLines = linesOf(entry.Data as Uint8Array);
              } catch (err) {
                // A record that does not decompress or parse is a bug, not a Firehose error.
                invalidLines.push(String(err));
              }
              for (const line of sentLines) {
                if (!enrichedValidator.Check(line)) invalidLines.push(JSON.stringify(line));
                confirmed.push(line.ingest.recordId);
              }
              return { RecordId: `r${i}` };
            });
            return {
              FailedPutCount: responses.filter((r) => r.ErrorCode).length,
              RequestResponses: responses,
            };
          });
          // Every body sent is kept, written or not: it tells which aggregates went whole.
          const sent: { recordId: string; reason: string }[] = [];
          s3Mock.on(PutObjectCommand).callsFake((input: { Body: Uint8Array }) => {
            sent.push(...linesOf<{ recordId: string; reason: string }>(input.Body));
            if (quarantineFails) throw new Error("S3 down");
            return {};
          });
          const deps = batchDeps({ limits, rejectBounds, config: { ...config, deliveryCompression } });
          const deadlineMs = deps.clock.ms + budgetMs;

          const outcome = await processBatch(
            events.map((e) => e.record),
            { deadlineMs, requestId: "prop" },
            deps,
          ).catch((err: Error) => err);

          if (outcome instanceof Error) {
            // Only an exception after an add fails the invocation, and then before anything is sent.
            expect(outcome.message).toBe("injected after the add");
            expect(adds).toBeGreaterThan(addThrows ?? Number.POSITIVE_INFINITY);
            expect(firehoseMock.calls()).toHaveLength(0);
            expect(s3Mock.calls()).toHaveLength(0);
            runsFailedAfterTheAdd++;
            return;
          }
          expect(adds).toBeLessThanOrEqual(addThrows ?? Number.POSITIVE_INFINITY);
          const { response, stats } = outcome;
          expect(invalidLines).toEqual([]);
          // An aggregate quarantined whole is one record, identified like a corrupt one.
          const whole = new Set(sent.filter((q) => q.reason === "AGGREGATE_REJECTED").map((q) => q.recordId));
          if (whole.size > 0) runsWithWholeAggregates++;
          const expectedIds = new Map<string, number>();
          events.forEach(({ record, ids }, index) => {
            for (const id of whole.has(record.eventID) ? [record.eventID] : ids) expectedIds.set(id, index);
          });
          const quarantined = quarantineFails ? [] : quarantineLines(s3Mock).map((q) => q.recordId as string);
          const accounted = [...confirmed, ...quarantined];
          expect(new Set(accounted).size).toBe(accounted.length);
          expect(confirmed.length).toBe(stats.delivered);
          expect(quarantined.length).toBe(REJECTION_REASONS.reduce((sum, r) => sum + stats.quarantined[r], 0));
          expect(stats.userRecords).toBe(expectedIds.size);
          expect(stats.delivered + quarantined.length + stats.failed).toBe(expectedIds.size);
          for (const id of accounted) expect(expectedIds.has(id)).toBe(true);
          const unaccounted = [...expectedIds.keys()].filter((id) => !accounted.includes(id));
          expect(unaccounted.length).toBe(stats.failed);
          if (unaccounted.length === 0) {
            expect(response.batchItemFailures).toEqual([]);
          } else {
            const reported = response.batchItemFailures[0]?.itemIdentifier;
            const rewindIndex = events.findIndex((e) => e.record.kinesis.sequenceNumber === reported);
            expect(rewindIndex).toBeGreaterThanOrEqual(0);
            for (const id of unaccounted) expect(expectedIds.get(id)).toBeGreaterThanOrEqual(rewindIndex);
          }
          expect(deps.clock.ms).toBeLessThanOrEqual(deadlineMs);
          // Each record enrich() threw for is quarantined as UNEXPECTED_ERROR, alone or in its
          // aggregate quarantined whole (AGGREGATE_REJECTED), and never delivered.
          const byId = new Map(sent.map((q) => [q.recordId, q.reason]));
          for (const id of inject.thrownFor) {
            expect(confirmed).not.toContain(id);
            const aggregateId = id.split(":").slice(0, 2).join(":");
            expect([byId.get(id), byId.get(aggregateId)]).toContain(
              byId.has(id) ? "UNEXPECTED_ERROR" : "AGGREGATE_REJECTED",
            );
          }
          if (inject.thrownFor.length > 0) runsWithThrowsBeforeTheAdd++;
        },
      ),
      { numRuns: NUM_RUNS, examples: examples(exampleCompression) },
    );
    // The bounds were met, and both sides of the edge were tried, not only possible: the examples
    // are the first runs (fast-check counts them in numRuns), so each is met whenever they all run,
    // Stryker's short runs included.
    expect(runsWithWholeAggregates).toBeGreaterThan(0);
    if (NUM_RUNS >= examples(exampleCompression).length) {
      expect(runsWithThrowsBeforeTheAdd).toBeGreaterThan(0);
      expect(runsFailedAfterTheAdd).toBeGreaterThan(0);
    }
  });
});

function toRecord(input: Input, n: number) {
  if (input.kind === "badBase64") {
    const record = kinesisRecord({ n, partitionKey: "p", data: { rawBase64: input.text } });
    return { record, ids: [record.eventID] };
  }
  if (input.kind === "plain") {
    const record = kinesisRecord({ n, partitionKey: "p", data: input.bytes });
    return { record, ids: [record.eventID] };
  }
  const aggregate = kplAggregate(input.users.map((data, i) => ({ partitionKey: `pk-${i % 2}`, data })));
  if (input.corrupt) aggregate[aggregate.length - 1] = (aggregate[aggregate.length - 1] as number) ^ 0x55;
  const record = kinesisRecord({ n, partitionKey: "agg", data: aggregate });
  return {
    record,
    ids: input.corrupt ? [record.eventID] : input.users.map((_, i) => `${record.eventID}:${i}`),
  };
}

function linesOf<T = { ingest: { recordId: string } }>(data: Uint8Array): T[] {
  return decompressObject(data)
    .toString("utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
}
