/**
 * The benchmark's same-output floor (tools/bench/same-output-floor.ts) produces our output, byte for
 * byte: the built bundle's Firehose records, concatenated, equal the floor's buffer for an event of
 * plain valid readings of both contract versions (the floor validates and de-aggregates nothing).
 * Its sending form makes the PutRecordBatch requests any sender must, within Firehose's limits. Both
 * run in this process with AWS answering in-process, as the benchmark runs them.
 */
import { createRequire } from "node:module";
import { FirehoseClient } from "@aws-sdk/client-firehose";
import { afterAll, describe, expect, it } from "vitest";
import { FIREHOSE_LIMITS } from "../../shared/firehose/index.ts";
import { sameOutputFloor, sameOutputSendFloor } from "../../tools/bench/same-output-floor.ts";
import { installStubTransport } from "../../tools/bench/stub-transport.ts";
import { maxSizeBatch } from "../../tools/fixtures/events.ts";
import {
  jsonBytes,
  kinesisEvent,
  kinesisRecord,
  seededRandom,
  telemetrySample,
  telemetryV2Sample,
} from "../../tools/fixtures/fixtures.ts";
import { captureEmf } from "../../tools/lambda/emf.ts";
import { BUILT_BUNDLE, lambdaContext, loadHandler, requireBuilt } from "../../tools/lambda/invoke.ts";
import { bundleEnv } from "../../tools/pipeline/emulator.ts";

const envBefore = { ...process.env };
afterAll(() => {
  for (const name of Object.keys(process.env)) if (!(name in envBefore)) delete process.env[name];
  Object.assign(process.env, envBefore);
});

/**
 * Readings of both versions, with timestamps in every form the contract admits (normalised or not),
 * some without their optional fields.
 */
function readingsEvent() {
  const random = seededRandom(3);
  return kinesisEvent(
    Array.from({ length: 400 }, (_, n) => {
      const reading = n % 3 === 0 ? telemetryV2Sample(random, n % 40, n) : telemetrySample(random, n % 40, n);
      const ms = Date.parse(reading.timestamp as string);
      if (n % 7 === 1) reading.timestamp = ms;
      if (n % 7 === 2) reading.timestamp = new Date(ms + 3_600_000).toISOString().replace("Z", "+01:00");
      if (n % 7 === 3) reading.speedKmh = 150;
      if (n % 11 === 4) delete reading.location;
      // v2's optional fields absent too (a v2 reading is every third).
      if (n % 13 === 6) {
        delete reading.estimatedRangeKm;
        delete reading.tyrePressuresKpa;
      }
      return kinesisRecord({ n, partitionKey: String(reading.vehicleId), data: jsonBytes(reading) });
    }),
  );
}

describe("the same-output floor", () => {
  it("writes exactly the bytes of the lines the built bundle sends to Firehose", async () => {
    requireBuilt();
    Object.assign(process.env, bundleEnv(), { POWERTOOLS_LOG_LEVEL: "ERROR", DELIVERY_COMPRESSION: "none" });
    const meter = installStubTransport(createRequire(import.meta.url));
    const emf = captureEmf();
    const handler = loadHandler(BUILT_BUNDLE, { fresh: true });
    const event = readingsEvent();

    meter.metering = true;
    meter.keepData = true;
    const response = await handler(structuredClone(event), lambdaContext(60_000));
    meter.metering = false;
    emf.stop();
    const ours = Buffer.concat(meter.firehoseRecords);
    const processedAt = (
      JSON.parse(ours.subarray(0, ours.indexOf(0x0a)).toString("utf8")) as {
        ingest: { processedAt: string };
      }
    ).ingest.processedAt;
    const floor = sameOutputFloor(structuredClone(event), { processedAt, speedLimitKmh: 130 });

    expect(response).toEqual({ batchItemFailures: [] });
    expect(ours.toString("utf8").split("\n")).toHaveLength(event.Records.length + 1);
    expect(floor.bytes.toString("utf8")).toBe(ours.toString("utf8"));
    expect(floor.bytes.equals(ours)).toBe(true);
  });

  it("with the requests: sends exactly its lines, cut at line ends into records and calls within Firehose's limits", async () => {
    const meter = installStubTransport(createRequire(import.meta.url));
    const client = new FirehoseClient({ region: "eu-west-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
    const event = maxSizeBatch();
    const options = { processedAt: "2026-12-06T00:00:00.000Z", speedLimitKmh: 130 };
    const lines = Buffer.from(sameOutputFloor(structuredClone(event), options).bytes);

    meter.metering = true;
    meter.keepData = true;
    meter.firehoseCalls = 0;
    const calls = await sameOutputSendFloor(structuredClone(event), options, client, "telemetry-delivery");
    meter.metering = false;

    expect(Buffer.concat(meter.firehoseRecords).equals(lines)).toBe(true);
    expect(meter.firehoseRecords.every((r) => r.length <= FIREHOSE_LIMITS.recordBytes && r.at(-1) === 0x0a)).toBe(true);
    expect(meter.firehoseRecords.length).toBeGreaterThan(1);
    expect(calls).toBe(meter.firehoseCalls);
    expect(calls).toBeLessThanOrEqual(Math.ceil(lines.length / FIREHOSE_LIMITS.batchBytes) + 1);
  });
});
