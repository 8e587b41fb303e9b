import { FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import {
  MAX_REJECTED_ENTRIES_PER_AGGREGATE,
  MAX_REJECTED_ENTRIES_PER_BATCH,
  processBatch,
} from "../../../shared/batch/index.ts";
import { RecordPacker } from "../../../shared/firehose/index.ts";
import {
  jsonBytes,
  kinesisEvent,
  kinesisRecord,
  kplAggregate,
  kplAggregateWithKeyIndexes,
  seededRandom,
  telemetrySample,
  telemetryV2Sample,
} from "../../../tools/fixtures/fixtures.ts";
import {
  batchDeps,
  config,
  confirmAll,
  countsByReason,
  firehoseLines,
  quarantineLines,
  sampleEvent,
} from "../../support/batch.ts";
import { enrichedV2Validator, enrichedValidator } from "../../support/contract.ts";

const firehoseMock = mockClient(FirehoseClient);
const s3Mock = mockClient(S3Client);
const context = { deadlineMs: Date.parse("2026-11-21T08:01:00Z"), requestId: "req-1" };

beforeEach(() => {
  firehoseMock.reset();
  s3Mock.reset();
  firehoseMock.on(PutRecordBatchCommand).callsFake(confirmAll);
  s3Mock.on(PutObjectCommand).resolves({});
});

describe("processBatch", () => {
  it("delivers every record of a valid batch as schema-valid lines, in order, and reports nothing", async () => {
    const event = sampleEvent("valid-batch.json");

    const { response, stats } = await processBatch(event.Records, context, batchDeps());

    const lines = firehoseLines(firehoseMock).flat();
    expect(response).toEqual({ batchItemFailures: [] });
    expect(lines.map((l) => (l.ingest as { recordId: string }).recordId)).toEqual(event.Records.map((r) => r.eventID));
    expect(lines.every((l) => enrichedValidator.Check(l))).toBe(true);
    expect(stats).toMatchObject({
      received: 8,
      userRecords: 8,
      delivered: 8,
      failed: 0,
      firehoseCalls: 1,
      firehoseRecords: 1,
      shardId: "shardId-000000000000",
      firstSequenceNumber: event.Records[0]?.kinesis.sequenceNumber,
      lastSequenceNumber: event.Records[7]?.kinesis.sequenceNumber,
      failureReasons: [],
    });
    expect(stats.quarantineKey).toBeUndefined();
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it("quarantines each poison record of the mixed sample with its reason, details and the original bytes", async () => {
    const event = sampleEvent("mixed-batch.json");

    const { response, stats } = await processBatch(event.Records, context, batchDeps());

    const quarantined = quarantineLines(s3Mock);
    expect(response.batchItemFailures).toEqual([]);
    expect(quarantined.map((q) => [q.partitionKey, q.reason])).toEqual([
      ["VIN-BASE64", "BASE64_INVALID"],
      ["VIN-AGG", "AGGREGATE_CORRUPT"],
      ["VIN-LARGE", "TOO_LARGE"],
      ["VIN-UTF8", "UTF8_INVALID"],
      ["VIN-JSON", "JSON_INVALID"],
      ["VIN-SCHEMA", "SCHEMA_INVALID"],
    ]);
    for (const line of quarantined) {
      const original = event.Records.find((r) => r.eventID === line.recordId);
      expect(line.data).toBe(original?.kinesis.data);
      expect((line.details as unknown[]).length).toBeGreaterThan(0);
    }
    const schemaDetails = quarantined.find((q) => q.reason === "SCHEMA_INVALID")?.details as { path: string }[];
    expect(schemaDetails.map((d) => d.path)).toEqual(expect.arrayContaining(["/vehicleId", "/timestamp", "/speedKmh"]));
    expect(stats).toMatchObject({ received: 10, delivered: 4, failed: 0, unknownFieldsDropped: 2 });
    expect(stats.quarantined).toEqual(
      countsByReason({
        BASE64_INVALID: 1,
        AGGREGATE_CORRUPT: 1,
        TOO_LARGE: 1,
        UTF8_INVALID: 1,
        JSON_INVALID: 1,
        SCHEMA_INVALID: 1,
      }),
    );
    const put = s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put).toMatchObject({ Bucket: "quarantine-bucket", ContentType: "application/x-ndjson" });
    expect(put?.Key).toMatch(
      /^quarantine\/2026\/11\/21\/08\/vehicle-telemetry\/shardId-000000000000\/\d+-req-1\.ndjson$/,
    );
  });

  it("expands KPL aggregates, identifying user records by sub-sequence number", async () => {
    const event = sampleEvent("kpl-aggregated-batch.json");
    const [agg0, plain, agg2] = event.Records.map((r) => r.eventID);

    const { response, stats } = await processBatch(event.Records, context, batchDeps());

    const delivered = firehoseLines(firehoseMock)
      .flat()
      .map((l) => (l.ingest as { recordId: string }).recordId);
    expect(response.batchItemFailures).toEqual([]);
    expect(delivered).toEqual([...[0, 1, 2, 3, 4].map((i) => `${agg0}:${i}`), plain, `${agg2}:0`, `${agg2}:2`]);
    expect(quarantineLines(s3Mock)).toMatchObject([
      { recordId: `${agg2}:1`, subSequenceNumber: 1, reason: "SCHEMA_INVALID" },
    ]);
    expect(stats).toMatchObject({ received: 3, userRecords: 9, delivered: 8 });
  });

  it("quarantines a poison-only batch without calling Firehose", async () => {
    const event = sampleEvent("poison-only-batch.json");

    const { response, stats } = await processBatch(event.Records, context, batchDeps());

    expect(response.batchItemFailures).toEqual([]);
    expect(firehoseMock.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
    expect(quarantineLines(s3Mock)).toHaveLength(6);
    expect(stats).toMatchObject({ delivered: 0, failed: 0, firehoseCalls: 0 });
  });

  it("reports the earliest rejected record when the quarantine write fails", async () => {
    const event = sampleEvent("mixed-batch.json");
    s3Mock.on(PutObjectCommand).rejects(Object.assign(new Error("Access Denied"), { name: "AccessDenied" }));

    const { response, stats } = await processBatch(event.Records, context, batchDeps());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]?.kinesis.sequenceNumber }]);
    expect(stats).toMatchObject({ delivered: 4, failed: 6, retryRecords: 9 });
    expect(Object.values(stats.quarantined).every((n) => n === 0)).toBe(true);
    expect(stats.failureReasons).toEqual([expect.stringContaining("quarantine write failed: AccessDenied")]);
  });

  it("reports the first record of the first undelivered Firehose record", async () => {
    const event = sampleEvent("valid-batch.json");
    firehoseMock
      .on(PutRecordBatchCommand)
      .rejects(Object.assign(new Error("no stream"), { name: "ResourceNotFoundException" }));

    const { response, stats } = await processBatch(event.Records, context, batchDeps());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.kinesis.sequenceNumber }]);
    expect(stats).toMatchObject({ delivered: 0, failed: 8, retryRecords: 8 });
    // Delivery's own reason for stopping, not a generic one.
    expect(stats.failureReasons).toEqual(["Firehose error: ResourceNotFoundException: no stream"]);
  });

  it("counts no delivered or billed bytes, and a failed put, when Firehose denies access", async () => {
    const event = sampleEvent("valid-batch.json");
    firehoseMock
      .on(PutRecordBatchCommand)
      .rejects(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }));

    const { stats } = await processBatch(event.Records, context, batchDeps());

    expect(stats).toMatchObject({ delivered: 0, deliveredBytes: 0, billedBytes: 0, firehoseFailedPuts: 1 });
  });

  it("counts delivered and billed bytes of what Firehose accepted only", async () => {
    const event = sampleEvent("valid-batch.json");

    const { stats } = await processBatch(event.Records, context, batchDeps());

    const sent = firehoseMock.commandCalls(PutRecordBatchCommand)[0]?.args[0].input.Records ?? [];
    const bytes = sent.reduce((sum, r) => sum + (r.Data as Uint8Array).byteLength, 0);
    expect(stats).toMatchObject({
      deliveredBytes: bytes,
      billedBytes: Math.ceil(bytes / 5120) * 5120,
      firehoseFailedPuts: 0,
    });
  });

  it("reports the earlier of an undelivered record and a failed quarantine write", async () => {
    const records = bigValidBatch(3).Records;
    const poison = kinesisRecord({ n: 3, partitionKey: "VIN-X", data: Buffer.from("{") });
    records.push(poison, ...bigValidBatch(3, 4).Records);
    firehoseMock
      .on(PutRecordBatchCommand)
      .callsFakeOnce(confirmAll)
      .rejects(Object.assign(new Error("no stream"), { name: "ResourceNotFoundException" }));
    s3Mock.on(PutObjectCommand).rejects(new Error("boom"));
    const limits = { recordBytes: 2_000, batchRecords: 2, batchBytes: 1_000_000 };

    const { response } = await processBatch(records, context, batchDeps({ limits }));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: poison.kinesis.sequenceNumber }]);
  });

  it("reports the earliest affected record when the time budget runs out during retries", async () => {
    const event = bigValidBatch(6);
    // Lines are 500–600 bytes: one line per Firehose record, one record per call.
    const limits = { recordBytes: 700, batchRecords: 1, batchBytes: 700 };
    firehoseMock
      .on(PutRecordBatchCommand)
      .callsFakeOnce(confirmAll)
      .callsFakeOnce(confirmAll)
      .resolves({
        FailedPutCount: 1,
        RequestResponses: [{ ErrorCode: "ServiceUnavailableException" }],
      });
    const deps = batchDeps({ limits });
    const deadlineMs = deps.clock.ms + 500;

    const { response, stats } = await processBatch(event.Records, { deadlineMs, requestId: "r" }, deps);

    expect(stats.firehoseRecords).toBe(6);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[2]?.kinesis.sequenceNumber }]);
    expect(deps.clock.ms).toBeLessThan(deadlineMs);
    expect(stats).toMatchObject({ delivered: 2, failed: 4, retryRecords: 4 });
  });

  it("rejects a record whose enriched line cannot fit a Firehose record as TOO_LARGE", async () => {
    const reading = { vehicleId: "VIN-1", timestamp: 0, speedKmh: 1 };
    const record = kinesisRecord({ n: 0, partitionKey: "p".repeat(600), data: jsonBytes(reading) });

    const { stats } = await processBatch(
      [record],
      context,
      batchDeps({ limits: { recordBytes: 500, batchRecords: 500, batchBytes: 4_000 } }),
    );

    expect(quarantineLines(s3Mock)).toMatchObject([
      {
        reason: "TOO_LARGE",
        details: [{ path: "", message: "enriched line exceeds Firehose's 500-byte record limit" }],
      },
    ]);
    expect(stats.quarantined.TOO_LARGE).toBe(1);
  });

  it("delivers an enriched line that fills a Firehose record to the byte, and rejects one a byte longer", async () => {
    const record = kinesisRecord({
      n: 0,
      partitionKey: "VIN-1",
      data: jsonBytes({ vehicleId: "VIN-1", timestamp: 0, speedKmh: 1 }),
    });
    await processBatch([record], context, batchDeps());
    // The line and its newline, as sent (uncompressed).
    const sent = firehoseMock.commandCalls(PutRecordBatchCommand)[0]?.args[0].input.Records?.[0]?.Data;
    const size = (sent as Uint8Array).byteLength;
    firehoseMock.resetHistory();
    const limits = (recordBytes: number) => ({ recordBytes, batchRecords: 500, batchBytes: 4_000_000 });

    const fits = await processBatch([record], context, batchDeps({ limits: limits(size) }));
    const over = await processBatch([record], context, batchDeps({ limits: limits(size - 1) }));

    expect(fits.stats).toMatchObject({ delivered: 1, quarantined: { TOO_LARGE: 0 } });
    expect(over.stats).toMatchObject({ delivered: 0, quarantined: { TOO_LARGE: 1 } });
  });

  it("says, rejecting a line as TOO_LARGE under compression, that the limit is Firehose's less compression's worst case", async () => {
    const reading = { vehicleId: "VIN-1", timestamp: 0, speedKmh: 1 };
    const record = kinesisRecord({ n: 0, partitionKey: "p".repeat(600), data: jsonBytes(reading) });
    const limits = { recordBytes: 600, batchRecords: 500, batchBytes: 4_000 };
    const compression = { format: "gzip", level: 1 } as const;
    const lineLimit = new RecordPacker(limits, compression).lineLimit;

    await processBatch(
      [record],
      context,
      batchDeps({ limits, config: { ...config, deliveryCompression: compression } }),
    );

    expect(lineLimit).toBeLessThan(600);
    expect(quarantineLines(s3Mock)).toMatchObject([
      {
        reason: "TOO_LARGE",
        details: [
          {
            path: "",
            message: `enriched line exceeds the ${lineLimit}-byte record limit (Firehose's 600 bytes, less compression's worst case)`,
          },
        ],
      },
    ]);
  });

  it("counts over-speed events and the largest arrival lag", async () => {
    const base = { vehicleId: "V", speedKmh: 131 };
    const event = kinesisEvent([
      kinesisRecord({
        n: 0,
        partitionKey: "V",
        data: jsonBytes({ ...base, timestamp: "2026-11-21T07:59:00Z" }),
      }),
      kinesisRecord({
        n: 1,
        partitionKey: "V",
        data: jsonBytes({ ...base, speedKmh: 130, timestamp: "2026-11-21T08:00:00Z" }),
      }),
    ]);

    const { stats } = await processBatch(event.Records, context, batchDeps());

    expect(stats.overSpeedEvents).toBe(1);
    expect(stats.maxArrivalLagMs).toBe(Date.parse("2026-11-21T08:00:00.125Z") - Date.parse("2026-11-21T07:59:00Z"));
  });

  it("reports the largest arrival lag wherever its record is in the batch", async () => {
    const at = (n: number, timestamp: string) =>
      kinesisRecord({ n, partitionKey: "V", data: jsonBytes({ vehicleId: "V", speedKmh: 1, timestamp }) });
    const records = [at(0, "2026-11-21T07:59:50Z"), at(1, "2026-11-21T07:58:00Z"), at(2, "2026-11-21T07:59:00Z")];

    const { stats } = await processBatch(records, context, batchDeps());

    const arrivalMs = (records[1]?.kinesis.approximateArrivalTimestamp as number) * 1000;
    expect(stats.maxArrivalLagMs).toBe(arrivalMs - Date.parse("2026-11-21T07:58:00Z"));
  });

  it("delivers v1 and v2 records side by side, each line with its own schemaVersion", async () => {
    const event = mixedVersionBatch();

    const { response, stats } = await processBatch(event.Records, context, batchDeps());

    const lines = firehoseLines(firehoseMock).flat();
    expect(response.batchItemFailures).toEqual([]);
    expect(lines.map((l) => l.schemaVersion)).toEqual([1, 2, 1, 2]);
    expect(lines.filter((l) => l.schemaVersion === 1).every((l) => enrichedValidator.Check(l))).toBe(true);
    expect(lines.filter((l) => l.schemaVersion === 2).every((l) => enrichedV2Validator.Check(l))).toBe(true);
    expect(stats).toMatchObject({ delivered: 4, unknownFieldsDropped: 0 });
  });

  it("quarantines a held-back version as SCHEMA_UNSUPPORTED with its bytes and delivers the rest", async () => {
    const event = mixedVersionBatch();
    const deps = batchDeps({ config: { ...config, acceptedSchemaVersions: new Set([1]) } });

    const { response, stats } = await processBatch(event.Records, context, deps);

    const quarantined = quarantineLines(s3Mock);
    expect(response.batchItemFailures).toEqual([]);
    expect(
      firehoseLines(firehoseMock)
        .flat()
        .map((l) => l.schemaVersion),
    ).toEqual([1, 1]);
    expect(quarantined.map((q) => [q.recordId, q.reason])).toEqual([
      [event.Records[1]?.eventID, "SCHEMA_UNSUPPORTED"],
      [event.Records[3]?.eventID, "SCHEMA_UNSUPPORTED"],
    ]);
    expect(quarantined[0]?.data).toBe(event.Records[1]?.kinesis.data);
    expect(quarantined[0]?.details).toEqual([
      { path: "/schemaVersion", message: "schemaVersion 2 is held back by ACCEPTED_SCHEMA_VERSIONS; accepted: 1" },
    ]);
    expect(stats.quarantined).toMatchObject({ SCHEMA_UNSUPPORTED: 2, SCHEMA_INVALID: 0 });
    expect(stats).toMatchObject({ delivered: 2, failed: 0 });
  });

  it("names the stream, not the consumer, when the event comes through an enhanced fan-out consumer", async () => {
    const event = sampleEvent("mixed-batch.json");
    const streamArn = event.Records[0]?.eventSourceARN ?? "";
    for (const record of event.Records) record.eventSourceARN = `${streamArn}/consumer/telemetry-consumer:1763712000`;

    await processBatch(event.Records, context, batchDeps());

    const lines = firehoseLines(firehoseMock).flat();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect((line.ingest as { sourceStream: string }).sourceStream).toBe("vehicle-telemetry");
    expect(quarantineLines(s3Mock).every((q) => q.sourceStream === "vehicle-telemetry")).toBe(true);
    expect(s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input.Key).toMatch(
      /^quarantine\/2026\/11\/21\/08\/vehicle-telemetry\/shardId-000000000000\/\d+-req-1\.ndjson$/,
    );
  });

  describe("an aggregate with too many rejected entries", () => {
    const random = seededRandom(5);
    const valid = (n: number) => ({ partitionKey: "VIN-1", data: jsonBytes(telemetrySample(random, 1, n)) });
    const badJson = { partitionKey: "VIN-1", data: Buffer.from("{") };
    const badSchema = { partitionKey: "VIN-1", data: jsonBytes({ vehicleId: "VIN 1!", timestamp: 0, speedKmh: 1 }) };
    const times = <T>(count: number, value: T): T[] => Array.from({ length: count }, () => value);
    const plain = (n: number) =>
      kinesisRecord({ n, partitionKey: "VIN-1", data: jsonBytes(telemetrySample(random, 1, n)) });

    it(`is quarantined once, whole, past ${MAX_REJECTED_ENTRIES_PER_AGGREGATE} rejects, with its original bytes and counts by reason`, async () => {
      const entries = [valid(0), valid(1), ...times(1_000, badJson), badSchema, valid(2), valid(3)];
      const aggregate = kinesisRecord({ n: 1, partitionKey: "agg", data: kplAggregate(entries) });
      const records = [plain(0), aggregate, plain(2)];

      const { response, stats } = await processBatch(records, context, batchDeps());

      const delivered = firehoseLines(firehoseMock)
        .flat()
        .map((l) => (l.ingest as { recordId: string }).recordId);
      expect(delivered).toEqual([records[0]?.eventID, records[2]?.eventID]);
      const quarantined = quarantineLines(s3Mock);
      expect(quarantined).toEqual([
        expect.objectContaining({
          recordId: aggregate.eventID,
          reason: "AGGREGATE_REJECTED",
          partitionKey: "agg",
          sequenceNumber: aggregate.kinesis.sequenceNumber,
          data: aggregate.kinesis.data,
          details: [
            {
              path: "",
              message:
                "1001 of 1005 entries rejected (more than 1000 in one aggregate): the aggregate is quarantined whole, none of its entries delivered",
            },
            { path: "", message: "JSON_INVALID: 1000" },
            { path: "", message: "SCHEMA_INVALID: 1" },
          ],
        }),
      ]);
      expect(quarantined[0]).not.toHaveProperty("subSequenceNumber");
      expect(response.batchItemFailures).toEqual([]);
      expect(stats).toMatchObject({ userRecords: 3, delivered: 2, failed: 0 });
      expect(stats.quarantined).toMatchObject({ AGGREGATE_REJECTED: 1, JSON_INVALID: 0, SCHEMA_INVALID: 0 });
    });

    it(`quarantines up to ${MAX_REJECTED_ENTRIES_PER_AGGREGATE} rejected entries one by one`, async () => {
      const aggregate = kinesisRecord({
        n: 0,
        partitionKey: "agg",
        data: kplAggregate([...times(1_000, badJson), valid(0)]),
      });

      const { stats } = await processBatch([aggregate], context, batchDeps());

      expect(quarantineLines(s3Mock)).toHaveLength(1_000);
      expect(stats).toMatchObject({ userRecords: 1_001, delivered: 1 });
      expect(stats.quarantined.JSON_INVALID).toBe(1_000);
    });

    it(`quarantines later aggregates whole once the batch has ${MAX_REJECTED_ENTRIES_PER_BATCH} rejected entries`, async () => {
      const data = kplAggregate(times(1_000, badJson));
      const count = MAX_REJECTED_ENTRIES_PER_BATCH / 1_000 + 1;
      const records = Array.from({ length: count }, (_, n) => kinesisRecord({ n, partitionKey: "agg", data }));

      const { stats } = await processBatch(records, context, batchDeps());

      const quarantined = quarantineLines(s3Mock);
      expect(quarantined).toHaveLength(MAX_REJECTED_ENTRIES_PER_BATCH + 1);
      expect(quarantined.at(-1)).toMatchObject({ recordId: records.at(-1)?.eventID, reason: "AGGREGATE_REJECTED" });
      expect(quarantined.at(-1)?.details).toEqual([
        expect.objectContaining({
          message: expect.stringContaining(
            `more than ${MAX_REJECTED_ENTRIES_PER_BATCH} entries of aggregates in one batch`,
          ),
        }),
        { path: "", message: "JSON_INVALID: 1000" },
      ]);
      expect(stats).toMatchObject({ userRecords: MAX_REJECTED_ENTRIES_PER_BATCH + 1, failed: 0 });
    });

    it("counts only aggregate entries, not rejected plain records, toward the batch's bound", async () => {
      const poison = (n: number) => kinesisRecord({ n, partitionKey: "VIN-1", data: Buffer.from("{") });
      const aggregate = kinesisRecord({ n: 3, partitionKey: "agg", data: kplAggregate([valid(0), badJson]) });
      const records = [poison(0), poison(1), poison(2), aggregate];

      const { stats } = await processBatch(
        records,
        context,
        batchDeps({ rejectBounds: { perAggregate: 10, perBatch: 2 } }),
      );

      expect(quarantineLines(s3Mock).map((l) => l.recordId)).toEqual([
        ...records.slice(0, 3).map((r) => r.eventID),
        `${aggregate.eventID}:1`,
      ]);
      expect(stats).toMatchObject({ delivered: 1, quarantined: { JSON_INVALID: 4, AGGREGATE_REJECTED: 0 } });
    });

    it("takes back the entries of an aggregate found corrupt part-way, and quarantines it whole", async () => {
      const aggregate = kinesisRecord({ n: 1, partitionKey: "agg", data: kplAggregateWithKeyIndexes([0, 0, 7]) });
      const records = [plain(0), aggregate];

      const { stats } = await processBatch(records, context, batchDeps());

      const delivered = firehoseLines(firehoseMock).flat();
      expect(delivered.map((l) => (l.ingest as { recordId: string }).recordId)).toEqual([records[0]?.eventID]);
      expect(quarantineLines(s3Mock)).toMatchObject([{ recordId: aggregate.eventID, reason: "AGGREGATE_CORRUPT" }]);
      expect(stats).toMatchObject({ userRecords: 2, delivered: 1 });
    });

    it("takes back the aggregate's lines even from Firehose records it closed, leaving earlier lines intact", async () => {
      // ~450-byte lines, 1,000-byte records: the aggregate's valid entries close records before its rejects pass the bound.
      const limits = { recordBytes: 1_000, batchRecords: 500, batchBytes: 1_000_000 };
      const aggregate = kinesisRecord({
        n: 1,
        partitionKey: "agg",
        data: kplAggregate([valid(10), valid(11), valid(12), valid(13), badJson, badJson, badJson]),
      });
      const records = [plain(0), aggregate, plain(2), plain(3)];

      const { stats } = await processBatch(
        records,
        context,
        batchDeps({ limits, rejectBounds: { perAggregate: 2, perBatch: 100 } }),
      );

      const delivered = firehoseLines(firehoseMock).flat();
      expect(delivered.map((l) => (l.ingest as { recordId: string }).recordId)).toEqual(
        [0, 2, 3].map((i) => records[i]?.eventID),
      );
      expect(delivered.every((l) => enrichedValidator.Check(l))).toBe(true);
      expect(quarantineLines(s3Mock)).toMatchObject([{ recordId: aggregate.eventID, reason: "AGGREGATE_REJECTED" }]);
      expect(stats).toMatchObject({ userRecords: 4, delivered: 3, failed: 0 });
    });
  });

  it("returns an empty response for an empty batch without calling AWS", async () => {
    const { response, stats } = await processBatch([], context, batchDeps());
    expect(response).toEqual({ batchItemFailures: [] });
    expect(stats).toMatchObject({
      shardId: undefined,
      firstSequenceNumber: undefined,
      received: 0,
      failureReasons: [],
    });
    expect(firehoseMock.calls()).toHaveLength(0);
    expect(s3Mock.calls()).toHaveLength(0);
  });
});

function bigValidBatch(count: number, from = 0) {
  const random = seededRandom(9);
  return kinesisEvent(
    Array.from({ length: count }, (_, i) => {
      const reading = telemetrySample(random, 1, from + i);
      return kinesisRecord({ n: from + i, partitionKey: "VIN-000001", data: jsonBytes(reading) });
    }),
  );
}

/** v1, v2, v1, v2 readings of one vehicle. */
function mixedVersionBatch() {
  const random = seededRandom(5);
  return kinesisEvent(
    Array.from({ length: 4 }, (_, i) => {
      const reading = i % 2 === 0 ? telemetrySample(random, 1, i) : telemetryV2Sample(random, 1, i);
      return kinesisRecord({ n: i, partitionKey: "VIN-000001", data: jsonBytes(reading) });
    }),
  );
}

describe("processBatch: the records it leaves unsettled", () => {
  const reading = (vehicleId: string) => jsonBytes({ vehicleId, timestamp: 0, speedKmh: 1 });
  /** Valid record 0, a reject (no line) 1, an aggregate 2 of three entries, valid record 3: one line a Firehose record. */
  const records = () => [
    kinesisRecord({ n: 0, partitionKey: "VIN-0", data: reading("VIN-0") }),
    kinesisRecord({ n: 1, partitionKey: "VIN-1", data: Buffer.from("not json") }),
    kinesisRecord({
      n: 2,
      partitionKey: "agg",
      data: kplAggregate(["VIN-2", "VIN-FAIL", "VIN-4"].map((v) => ({ partitionKey: v, data: reading(v) }))),
    }),
    kinesisRecord({ n: 3, partitionKey: "VIN-5", data: reading("VIN-5") }),
  ];
  const limits = { recordBytes: 600, batchRecords: 10, batchBytes: 10_000 };
  /** Firehose refuses, every time, the lines that mention `marker`, and confirms the others. */
  const refuse = (marker: string) => (input: { Records?: { Data?: Uint8Array }[] }) => {
    const responses = (input.Records ?? []).map((r) =>
      Buffer.from(r.Data as Uint8Array).includes(marker)
        ? { ErrorCode: "ServiceUnavailableException", ErrorMessage: "busy" }
        : { RecordId: "r" },
    );
    return { FailedPutCount: responses.filter((r) => "ErrorCode" in r).length, RequestResponses: responses };
  };
  const refuseFail = refuse("VIN-FAIL");

  it("none when every record is delivered or quarantined", async () => {
    expect((await processBatch(records(), context, batchDeps({ limits }))).unsettled).toEqual([]);
  });

  it("exactly the records with a line Firehose did not confirm: not those after the rewind point whose lines it did", async () => {
    firehoseMock.on(PutRecordBatchCommand).callsFake(refuseFail);
    const batch = records();

    const { response, stats, unsettled } = await processBatch(batch, context, batchDeps({ limits }));

    expect(unsettled).toEqual([2]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: batch[2]?.kinesis.sequenceNumber }]);
    expect(stats).toMatchObject({ delivered: 4, failed: 1, retryRecords: 2 });
    expect(recordIdsOf(firehoseLines(firehoseMock).flat())).toContain(batch[3]?.eventID);
  });

  it("the records with a reject when the quarantine write fails, besides those with a line not confirmed", async () => {
    firehoseMock.on(PutRecordBatchCommand).callsFake(refuseFail);
    s3Mock.on(PutObjectCommand).rejects(new Error("S3 down"));

    expect((await processBatch(records(), context, batchDeps({ limits }))).unsettled).toEqual([1, 2]);
  });

  it("a record whose lines span Firehose records, one of them not confirmed, and no record without lines", async () => {
    // Lines of about 450 bytes, two a Firehose record: records 0+2.0, 2.1+2.2, 3; Firehose refuses the second.
    firehoseMock.on(PutRecordBatchCommand).callsFake(refuseFail);
    const batch = records();

    const { unsettled } = await processBatch(batch, context, batchDeps({ limits: { ...limits, recordBytes: 1_000 } }));

    expect(unsettled).toEqual([2]);
    // Entry 0 of record 2 went in the first Firehose record, which Firehose confirmed.
    expect(recordIdsOf(firehoseLines(firehoseMock).flat())).toContain(`${batch[2]?.eventID}:0`);
  });

  it.each([
    // One line a Firehose record: record 3's alone is refused; record 2's run ends where it starts.
    ["VIN-5", 600, [3]],
    // Two lines a Firehose record (records 0+2.0, 2.1+2.2, 3): the first is refused; record 1, between
    // records 0 and 2 within it, has no line there (nor anywhere).
    ["VIN-0", 1_000, [0, 2]],
  ] as const)(
    "only the records whose run of lines overlaps a refused Firehose record (%s, records of %i bytes)",
    async (marker, recordBytes, expected) => {
      firehoseMock.on(PutRecordBatchCommand).callsFake(refuse(marker));

      const { unsettled } = await processBatch(records(), context, batchDeps({ limits: { ...limits, recordBytes } }));

      expect(unsettled).toEqual(expected);
    },
  );

  it("ascending, the records of a failed quarantine write and of refused lines together", async () => {
    firehoseMock.on(PutRecordBatchCommand).callsFake(refuse("VIN-5"));
    s3Mock.on(PutObjectCommand).rejects(new Error("S3 down"));

    expect((await processBatch(records(), context, batchDeps({ limits }))).unsettled).toEqual([1, 3]);
  });
});

const recordIdsOf = (lines: Record<string, unknown>[]) => lines.map((l) => (l.ingest as { recordId: string }).recordId);
