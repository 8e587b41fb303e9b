import { FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { lambdaContext } from "../../tools/lambda/invoke.ts";
import { bundleEnv } from "../../tools/pipeline/emulator.ts";
import { confirmAll, sampleEvent } from "../support/batch.ts";

const firehoseMock = mockClient(FirehoseClient);
const s3Mock = mockClient(S3Client);
const env = { ...bundleEnv(), POWERTOOLS_LOG_LEVEL: "INFO" };

async function loadHandler() {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  return (await import("../../functions/redrive/index.ts")).handler;
}

function captureOutput(): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  const capture = (chunk: string | Uint8Array) => {
    for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(capture);
  vi.spyOn(process.stderr, "write").mockImplementation(capture);
  return lines;
}

/** A quarantine object holding the valid records of the sample batch as quarantine lines, and one broken line. */
function quarantineObject(): string {
  const event = sampleEvent("valid-batch.json");
  const lines = event.Records.slice(0, 3).map((r) =>
    JSON.stringify({
      recordId: r.eventID,
      partitionKey: r.kinesis.partitionKey,
      reason: "SCHEMA_UNSUPPORTED",
      details: [],
      shardId: r.eventID.split(":")[0],
      sequenceNumber: r.kinesis.sequenceNumber,
      arrivalTime: new Date(r.kinesis.approximateArrivalTimestamp * 1000).toISOString(),
      sourceAccount: "111122223333",
      sourceStream: "vehicle-telemetry",
      quarantinedAt: "2026-11-21T08:00:01.000Z",
      data: r.kinesis.data,
    }),
  );
  return `${lines.join("\n")}\n{not json\n`;
}

const KEY = "quarantine/2026/11/21/08/vehicle-telemetry/shardId-000000000000/1-req.ndjson";

beforeEach(() => {
  firehoseMock.reset();
  s3Mock.reset();
  firehoseMock.on(PutRecordBatchCommand).callsFake(confirmAll);
  s3Mock.on(PutObjectCommand).resolves({});
  s3Mock.on(ListObjectsV2Command).resolves({ Contents: [{ Key: KEY, LastModified: new Date() }], IsTruncated: false });
  s3Mock.on(GetObjectCommand).rejects(Object.assign(new Error("no such key"), { name: "NoSuchKey" }));
  s3Mock
    .on(GetObjectCommand, { Key: KEY })
    // The store reads a body with transformToString, as the SDK's stream mixin gives it.
    .callsFake(() => ({ Body: { transformToString: async () => quarantineObject() } }));
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("RedriveFunction handler", () => {
  it("redrives one chunk from quarantine, returns its summary with no continuation when done, and logs it", async () => {
    const handler = await loadHandler();
    const logs = captureOutput();

    const result = await handler({ source: "quarantine", bucket: "quarantine-bucket" }, lambdaContext(900_000));

    expect(result.done).toBe(true);
    expect(result.continuation).toBeUndefined();
    expect(result.summary).toMatchObject({ read: 4, delivered: 3 });
    expect(result.summary.malformed).toEqual([
      expect.objectContaining({ object: `s3://quarantine-bucket/${KEY}`, line: 4 }),
    ]);
    expect(firehoseMock.commandCalls(PutRecordBatchCommand)).toHaveLength(1);
    const info = logs.find((l) => l.message === "redrive chunk");
    expect(info).toMatchObject({ level: "INFO", done: true, summary: { malformed: 1 } });
    expect(logs.filter((l) => l.message === "malformed redrive source")).toHaveLength(1);
  });

  it("writes nothing on a dry run", async () => {
    const handler = await loadHandler();
    captureOutput();

    const result = await handler(
      { source: "quarantine", bucket: "quarantine-bucket", dryRun: true },
      lambdaContext(900_000),
    );

    expect(result.summary).toMatchObject({ read: 4 });
    expect(firehoseMock.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it.each([
    [{ source: "everything", bucket: "quarantine-bucket" }, "source must be"],
    [{ source: "quarantine", bucket: "quarantine-bucket", reason: ["X"] }, 'unknown field "reason"'],
    [{ source: "quarantine", bucket: "quarantine-bucket", continuation: 5 }, "continuation must be a string"],
  ])("refuses a bad request %j, naming what is wrong", async (event, message) => {
    const handler = await loadHandler();
    captureOutput();

    await expect(handler(event, lambdaContext(900_000))).rejects.toThrow(message);
    expect(firehoseMock.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
  });
});
