import { FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EventShapeError } from "../../../shared/event.ts";
import { lambdaContext } from "../../../tools/lambda/invoke.ts";
import { bundleEnv } from "../../../tools/pipeline/emulator.ts";
import { confirmAll, sampleEvent } from "../../support/batch.ts";

const firehoseMock = mockClient(FirehoseClient);
const s3Mock = mockClient(S3Client);
const env = { ...bundleEnv(), POWERTOOLS_LOG_LEVEL: "INFO" };

async function loadHandler(overrides: Record<string, string | undefined> = {}) {
  vi.resetModules();
  for (const [name, value] of Object.entries({ ...env, ...overrides })) vi.stubEnv(name, value);
  return (await import("../../../functions/telemetry-consumer/index.ts")).handler;
}

/** Captures what the process writes to stdout and stderr (Powertools writes ERROR to stderr). */
function captureOutput(): string[] {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split("\n").filter(Boolean));
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(capture);
  vi.spyOn(process.stderr, "write").mockImplementation(capture);
  return lines;
}

beforeEach(() => {
  firehoseMock.reset();
  s3Mock.reset();
  firehoseMock.on(PutRecordBatchCommand).callsFake(confirmAll);
  s3Mock.on(PutObjectCommand).resolves({});
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("handler", () => {
  it("returns an empty failure list and writes one INFO line and the EMF metrics for a mixed batch", async () => {
    const handler = await loadHandler();
    const stdout = captureOutput();

    const response = await handler(sampleEvent("mixed-batch.json"), lambdaContext(60_000));

    expect(response).toEqual({ batchItemFailures: [] });
    const json = stdout.map((line) => JSON.parse(line));
    const info = json.filter((line) => line.level === "INFO");
    expect(info).toHaveLength(1);
    expect(info[0]).toMatchObject({
      message: "batch processed",
      received: 10,
      delivered: 4,
      service: "telemetry-consumer",
    });
    const emf = json.filter((line) => line._aws);
    expect(
      emf.some(
        (line) => line.RecordsReceived === 10 && line._aws.CloudWatchMetrics[0].Namespace === "VehicleTelemetry",
      ),
    ).toBe(true);
    expect(
      emf
        .filter((line) => line.Reason)
        .map((line) => line.Reason)
        .sort(),
    ).toEqual(["AGGREGATE_CORRUPT", "BASE64_INVALID", "JSON_INVALID", "SCHEMA_INVALID", "TOO_LARGE", "UTF8_INVALID"]);
  });

  it("tags its lines with the request id, counts a cold start once, and logs the batch's own duration", async () => {
    // Lambda sets this variable; Powertools counts a cold start only for on-demand initialisation.
    const handler = await loadHandler({ AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand" });
    const stdout = captureOutput();
    const context = lambdaContext(60_000);

    const before = performance.now();
    await handler(sampleEvent("valid-batch.json"), context);
    const elapsedMs = performance.now() - before;
    await handler(sampleEvent("valid-batch.json"), lambdaContext(60_000));

    const json = stdout.map((line) => JSON.parse(line));
    const info = json.filter((line) => line.level === "INFO");
    expect(info[0]).toMatchObject({ function_request_id: context.awsRequestId, cold_start: true });
    expect(info[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(info[0].durationMs).toBeLessThanOrEqual(Math.ceil(elapsedMs));
    expect(json.filter((line) => line._aws && line.ColdStart === 1)).toHaveLength(1);
  });

  it("reports every record for retry when the invocation has no time left past the safety margin", async () => {
    const handler = await loadHandler();
    captureOutput();
    const event = sampleEvent("valid-batch.json");

    const response = await handler(event, lambdaContext(900));

    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: event.Records[0]?.kinesis.sequenceNumber }],
    });
    expect(firehoseMock.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
  });

  it("fails the invocation with an EventShapeError for an event that is not a Kinesis batch", async () => {
    const handler = await loadHandler();
    const stdout = captureOutput();

    await expect(handler({ Records: [{ eventID: 1 }] }, lambdaContext(60_000))).rejects.toThrow(
      "event.Records[0].eventID must be a string",
    );
    const json = stdout.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line));
    expect(json.filter((line) => line.level === "ERROR")).toEqual([
      expect.objectContaining({ message: "batch failed" }),
    ]);
  });

  it("answers any event either with a response or with an EventShapeError, never another error", async () => {
    const handler = await loadHandler({ POWERTOOLS_LOG_LEVEL: "SILENT", POWERTOOLS_METRICS_DISABLED: "true" });
    captureOutput();
    const record = sampleEvent("valid-batch.json").Records[0];
    const events = fc.oneof(
      fc.anything(),
      fc.array(fc.anything(), { maxLength: 3 }).map((Records) => ({ Records })),
      fc.record({ eventID: fc.anything(), kinesis: fc.anything() }).map((r) => ({ Records: [{ ...record, ...r }] })),
    );

    await fc.assert(
      fc.asyncProperty(events, async (event) => {
        try {
          const response = await handler(event, lambdaContext(60_000));
          expect(Array.isArray(response.batchItemFailures)).toBe(true);
        } catch (err) {
          // The handler module is loaded afresh for each test, so its class is not this file's.
          expect((err as Error).name).toBe(EventShapeError.name);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("fails at init with an error naming a missing variable", async () => {
    await expect(loadHandler({ DELIVERY_STREAM_NAME: undefined })).rejects.toThrow(/^DELIVERY_STREAM_NAME must be/);
  });
});
