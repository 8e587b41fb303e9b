/**
 * The built bundle (`sam build` output) under Lambda's runtime interface (a local Lambda) against a
 * real moto server: each sample event in, the exact lines read back from the data and quarantine
 * buckets through the SDK; and how the bundles load the AWS SDK the runtime provides.
 */
import { readFileSync } from "node:fs";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import type { KinesisStreamBatchResponse, KinesisStreamRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { kinesisEvent, kinesisRecord, kplAggregate } from "../../tools/fixtures/fixtures.ts";
import { BUILT_BUNDLE, BUILT_REDRIVE_BUNDLE, requireBuilt } from "../../tools/lambda/invoke.ts";
import { type Consumer, startConsumer } from "../../tools/pipeline/consumer.ts";
import {
  deliveredLines,
  freshPipeline,
  QUARANTINE_BUCKET,
  quarantinedLines,
  s3Client,
} from "../../tools/pipeline/emulator.ts";
import { sampleEvent } from "../support/batch.ts";
import { enrichedValidator } from "../support/contract.ts";

const endpoint = inject("motoEndpoint");
let consumer: Consumer;

beforeAll(async () => {
  requireBuilt();
  consumer = await startConsumer(endpoint);
});
afterAll(() => consumer?.lambda.stop());

/** The function's response to `event`, invoked through Lambda's Invoke API; a function error is thrown. */
async function handler(event: unknown): Promise<KinesisStreamBatchResponse> {
  const answer = await consumer.invoke(event);
  if (!answer.ok) throw new Error(`${answer.error.errorType}: ${answer.error.errorMessage}`);
  return answer.payload;
}

/** The output line the contract promises for a plain record carrying one valid reading. */
function expectedLine(record: KinesisStreamRecord) {
  const reading = JSON.parse(Buffer.from(record.kinesis.data, "base64").toString("utf8"));
  const eventMs = typeof reading.timestamp === "number" ? reading.timestamp : Date.parse(reading.timestamp);
  const arrivalMs = Math.round(record.kinesis.approximateArrivalTimestamp * 1000);
  return {
    vehicleId: reading.vehicleId,
    eventTime: new Date(eventMs).toISOString(),
    speedKmh: reading.speedKmh,
    speedMph: Math.round((reading.speedKmh / 1.609344) * 100) / 100,
    overSpeedLimit: reading.speedKmh > 130,
    location: reading.location,
    heading: reading.heading,
    odometerKm: reading.odometerKm,
    fuelLevelPct: reading.fuelLevelPct,
    engine: reading.engine,
    schemaVersion: 1,
    ingest: {
      recordId: record.eventID,
      partitionKey: record.kinesis.partitionKey,
      arrivalTime: new Date(arrivalMs).toISOString(),
      processedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      arrivalLagMs: arrivalMs - eventMs,
      sourceAccount: "111122223333",
      sourceStream: "vehicle-telemetry",
    },
  };
}

const byRecordId = (a: { ingest?: { recordId: string }; recordId?: string }, b: typeof a) =>
  (a.ingest?.recordId ?? a.recordId ?? "").localeCompare(b.ingest?.recordId ?? b.recordId ?? "");

describe("built bundle under the runtime interface, against the emulator", () => {
  it("delivers the valid batch: exactly one line per record, as the contract describes", async () => {
    await freshPipeline(endpoint);
    const event = sampleEvent("valid-batch.json");

    const response = await handler(event);

    const delivered = (await deliveredLines(endpoint)).sort(byRecordId);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(delivered).toEqual(event.Records.map(expectedLine).sort(byRecordId));
    expect(await quarantinedLines(endpoint)).toEqual([]);
  });

  it("splits the mixed batch: valid lines delivered, each poison record quarantined with its reason and bytes", async () => {
    await freshPipeline(endpoint);
    const event = sampleEvent("mixed-batch.json");

    const response = await handler(event);

    const delivered = await deliveredLines(endpoint);
    const quarantined = await quarantinedLines(endpoint);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(delivered.map((line) => line.vehicleId).sort()).toEqual(
      ["VIN-000000", "VIN-000004", "VIN-000009", "VIN-000009"].sort(),
    );
    const unknownDropped = delivered.find((line) => line.engine?.rpm === 900);
    expect(unknownDropped).toBeDefined();
    expect(unknownDropped).not.toHaveProperty("firmware");
    expect(unknownDropped?.engine).toEqual({ rpm: 900 });
    const reasons: Record<string, string> = {
      "VIN-BASE64": "BASE64_INVALID",
      "VIN-AGG": "AGGREGATE_CORRUPT",
      "VIN-LARGE": "TOO_LARGE",
      "VIN-UTF8": "UTF8_INVALID",
      "VIN-JSON": "JSON_INVALID",
      "VIN-SCHEMA": "SCHEMA_INVALID",
    };
    expect(quarantined.map((q) => [q.recordId, q.reason, q.data])).toEqual(
      event.Records.filter((r) => r.kinesis.partitionKey in reasons).map((r) => [
        r.eventID,
        reasons[r.kinesis.partitionKey],
        r.kinesis.data,
      ]),
    );
  });

  it("expands the KPL-aggregated batch into user records identified by sub-sequence number", async () => {
    await freshPipeline(endpoint);
    const event = sampleEvent("kpl-aggregated-batch.json");
    const [agg0, plain, agg2] = event.Records.map((r) => r.eventID);

    const response = await handler(event);

    const delivered = await deliveredLines(endpoint);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(delivered.map((line) => line.ingest.recordId).sort()).toEqual(
      [...[0, 1, 2, 3, 4].map((i) => `${agg0}:${i}`), plain, `${agg2}:0`, `${agg2}:2`].sort(),
    );
    expect(delivered.map((line) => line.ingest.partitionKey)).not.toContain("agg-0");
    expect(await quarantinedLines(endpoint)).toMatchObject([{ recordId: `${agg2}:1`, reason: "SCHEMA_INVALID" }]);
  });

  it("quarantines the poison-only batch and delivers nothing", async () => {
    await freshPipeline(endpoint);
    const event = sampleEvent("poison-only-batch.json");

    const response = await handler(event);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await deliveredLines(endpoint)).toEqual([]);
    expect((await quarantinedLines(endpoint)).map((q) => q.recordId)).toEqual(event.Records.map((r) => r.eventID));
  });

  it("handles the maximum-size batch: every user record delivered once or quarantined", async () => {
    await freshPipeline(endpoint);
    const event = sampleEvent("max-size-batch.json");
    const poisonKeys = new Set(["VIN-BASE64", "VIN-AGG", "VIN-UTF8", "VIN-JSON", "VIN-SCHEMA"]);
    const expectedDelivered = event.Records.flatMap((r) =>
      poisonKeys.has(r.kinesis.partitionKey)
        ? []
        : r.kinesis.partitionKey === "aggregate"
          ? Array.from({ length: 10 }, (_, i) => `${r.eventID}:${i}`)
          : [r.eventID],
    );

    const response = await handler(event);

    const delivered = await deliveredLines(endpoint);
    const quarantined = await quarantinedLines(endpoint);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(delivered.map((line) => line.ingest.recordId).sort()).toEqual(expectedDelivered.sort());
    expect(delivered.every((line) => enrichedValidator.Check(line))).toBe(true);
    expect(quarantined.map((q) => q.partitionKey).sort()).toEqual([...poisonKeys].sort());
  });

  it("names the stream, not the consumer, for a batch read through an enhanced fan-out consumer", async () => {
    await freshPipeline(endpoint);
    const event = sampleEvent("mixed-batch.json");
    for (const record of event.Records) record.eventSourceARN += "/consumer/telemetry-consumer:1763712000";

    const response = await handler(event);

    expect(response).toEqual({ batchItemFailures: [] });
    const streams = [
      ...(await deliveredLines(endpoint)).map((line) => line.ingest.sourceStream),
      ...(await quarantinedLines(endpoint)).map((line) => line.sourceStream),
    ];
    expect(streams.length).toBe(event.Records.length);
    expect(new Set(streams)).toEqual(new Set(["vehicle-telemetry"]));
  });

  it("quarantines a body past 8 MiB with a multipart upload, every line read back", async () => {
    await freshPipeline(endpoint);
    // Ten aggregates of 1,000 rejected 400-byte entries: 10,000 lines of ~1 KB, within both bounds.
    const bad = { partitionKey: "VIN-X", data: Buffer.alloc(400, 0x78) };
    const data = kplAggregate(Array.from({ length: 1_000 }, () => bad));
    const event = kinesisEvent(Array.from({ length: 10 }, (_, n) => kinesisRecord({ n, partitionKey: "agg", data })));

    const response = await handler(event);

    const quarantined = await quarantinedLines(endpoint);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(quarantined).toHaveLength(10_000);
    expect(quarantined.every((q) => q.reason === "JSON_INVALID" && q.data === bad.data.toString("base64"))).toBe(true);
    // One object, assembled from parts: S3 gives a multipart object an ETag ending in -<parts>.
    const listed = await s3Client(endpoint).send(new ListObjectsV2Command({ Bucket: QUARANTINE_BUCKET }));
    expect(listed.Contents).toHaveLength(1);
    expect(listed.Contents?.[0]?.ETag).toMatch(/-2"$/);
  });

  it("reports the first record for retry when the delivery stream does not exist", async () => {
    await freshPipeline(endpoint, { deliveryStream: false });
    const event = sampleEvent("valid-batch.json");

    const response = await handler(event);

    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: event.Records[0]?.kinesis.sequenceNumber }],
    });
  });

  it("reports the first rejected record for retry when the quarantine bucket does not exist", async () => {
    await freshPipeline(endpoint, { quarantineBucket: false });
    const event = sampleEvent("mixed-batch.json");

    const response = await handler(event);

    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: event.Records[1]?.kinesis.sequenceNumber }],
    });
    expect((await deliveredLines(endpoint)).length).toBe(4);
  });
});

describe("how the built bundles load the AWS SDK", () => {
  /** Every load of an @aws-sdk package in a bundle: `require`, `import()` or an ES import statement. */
  function sdkLoads(bundle: string): string[] {
    const text = readFileSync(bundle, "utf8");
    const loads = /\b(require|import)\s*\(\s*["'](@aws-sdk\/[^"']+)["']|\b(from|import)\s*["'](@aws-sdk\/[^"']+)["']/g;
    return [...text.matchAll(loads)].map((m) => `${m[1] ?? m[3]} ${m[2] ?? m[4]}`);
  }

  it.each([
    ["TelemetryConsumerFunction", BUILT_BUNDLE, ["@aws-sdk/client-firehose", "@aws-sdk/client-s3"]],
    [
      "RedriveFunction",
      BUILT_REDRIVE_BUNDLE,
      ["@aws-sdk/client-firehose", "@aws-sdk/client-kinesis", "@aws-sdk/client-s3", "@aws-sdk/client-sts"],
    ],
  ])(
    "%s loads every SDK package with require, the one way NODE_PATH finds them (none by import)",
    (_, bundle, packages) => {
      const loads = sdkLoads(bundle);

      expect(loads.filter((load) => !load.startsWith("require "))).toEqual([]);
      expect([...new Set(loads.map((load) => load.slice("require ".length)))].sort()).toEqual(packages);
    },
  );
});
