/**
 * RedriveFunction's handler around shared/redrive/: one chunk per invocation from the event's
 * request and continuation, bounded by the invocation's remaining time; its summary and
 * continuation returned and logged with the invocation's context; bad requests thrown. For the
 * on-failure source it reads the stream through one Kinesis client (as STREAM_READ_ROLE_ARN, at
 * the Kinesis endpoint override over HTTP/1.1) made on the first on-failure chunk and kept by the
 * warm function. S3, Firehose, Kinesis and STS are aws-sdk-client-mock.
 */
import { FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CHUNK_RESERVE_MS } from "../../../shared/redrive/index.ts";
import { SAFETY_MARGIN_MS } from "../../../shared/time.ts";
import { lambdaContext } from "../../../tools/lambda/invoke.ts";
import { bundleEnv } from "../../../tools/pipeline/emulator.ts";
import { confirmAll, sampleEvent } from "../../support/batch.ts";

// The real createKinesisClient, watched: the handler makes its Kinesis client only when it needs one.
vi.mock("../../../shared/redrive/aws.ts", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../../shared/redrive/aws.ts")>();
  return { ...actual, createKinesisClient: vi.fn(actual.createKinesisClient) };
});

const firehoseMock = mockClient(FirehoseClient);
const s3Mock = mockClient(S3Client);
const kinesisMock = mockClient(KinesisClient);
const stsMock = mockClient(STSClient);
const env: Record<string, string> = { ...bundleEnv(), POWERTOOLS_LOG_LEVEL: "INFO" };

async function loadHandler(extraEnv: Record<string, string> = {}) {
  vi.resetModules();
  for (const [name, value] of Object.entries({ ...env, ...extraEnv })) vi.stubEnv(name, value);
  return (await import("../../../functions/redrive/index.ts")).handler;
}

/** The createKinesisClient the handler loaded last (the watched one, see vi.mock above). */
async function kinesisClientsMade() {
  return vi.mocked((await import("../../../shared/redrive/aws.ts")).createKinesisClient).mock.calls.length;
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

const sample = sampleEvent("valid-batch.json").Records;

/** A quarantine object holding the first three records of the sample batch as quarantine lines, and one broken line. */
function quarantineObject(): string {
  const lines = sample.slice(0, 3).map((r) =>
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
const KEY_2 = "quarantine/2026/11/21/08/vehicle-telemetry/shardId-000000000000/2-req.ndjson";

/** The source bucket: ListObjectsV2 (from StartAfter, in key order) and GetObject of these objects, NoSuchKey for any other. */
function sourceObjects(objects: Record<string, string>) {
  s3Mock.on(ListObjectsV2Command).callsFake((input: { StartAfter?: string }) => ({
    Contents: Object.keys(objects)
      .sort()
      .filter((key) => input.StartAfter === undefined || key > input.StartAfter)
      .map((Key) => ({ Key, LastModified: new Date("2026-11-21T09:00:00Z") })),
    IsTruncated: false,
  }));
  s3Mock.on(GetObjectCommand).rejects(Object.assign(new Error("no such key"), { name: "NoSuchKey" }));
  for (const [Key, text] of Object.entries(objects))
    s3Mock
      .on(GetObjectCommand, { Key })
      // The store reads a body with transformToString, as the SDK's stream mixin gives it.
      .callsFake(() => ({ Body: { transformToString: async () => text } }));
}

beforeEach(() => {
  firehoseMock.reset();
  s3Mock.reset();
  kinesisMock.reset();
  stsMock.reset();
  firehoseMock.on(PutRecordBatchCommand).callsFake(confirmAll);
  s3Mock.on(PutObjectCommand).resolves({});
  sourceObjects({ [KEY]: quarantineObject() });
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("RedriveFunction handler", () => {
  it("redrives one chunk from quarantine, returns its summary with no continuation when done, and logs it", async () => {
    const handler = await loadHandler();
    const logs = captureOutput();
    const context = lambdaContext(900_000);

    const result = await handler({ source: "quarantine", bucket: "quarantine-bucket" }, context);

    expect(result.done).toBe(true);
    expect(result).not.toHaveProperty("continuation");
    expect(result.summary).toMatchObject({ read: 4, delivered: 3 });
    expect(result.summary.malformed).toEqual([
      expect.objectContaining({ object: `s3://quarantine-bucket/${KEY}`, line: 4 }),
    ]);
    expect(firehoseMock.commandCalls(PutRecordBatchCommand)).toHaveLength(1);
    const info = logs.find((l) => l.message === "redrive chunk");
    expect(info).toMatchObject({
      level: "INFO",
      done: true,
      summary: { malformed: 1 },
      function_request_id: context.awsRequestId,
    });
    expect(logs.filter((l) => l.message === "malformed redrive source")).toEqual([
      expect.objectContaining({
        level: "WARN",
        object: `s3://quarantine-bucket/${KEY}`,
        line: 4,
        error: result.summary.malformed[0]?.error,
      }),
    ]);
    expect(await kinesisClientsMade()).toBe(0);
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

  it("starts no object once the remaining time, less the safety margin, is down to the chunk reserve; the continuation resumes", async () => {
    sourceObjects({ [KEY]: quarantineObject(), [KEY_2]: quarantineObject() });
    const handler = await loadHandler();
    const logs = captureOutput();
    const request = { source: "quarantine", bucket: "quarantine-bucket" };

    // 500 ms past the reserve less the margin: one object, then the deadline stops the chunk.
    const first = await handler(request, lambdaContext(CHUNK_RESERVE_MS + SAFETY_MARGIN_MS - 500));

    expect(first).toMatchObject({ done: false, summary: { objects: 1, delivered: 3 } });
    expect(first.continuation).toEqual(expect.any(String));
    expect(logs.find((l) => l.message === "redrive chunk")).toMatchObject({ done: false });

    const second = await handler({ ...request, continuation: first.continuation }, lambdaContext(900_000));

    expect(second).toMatchObject({ done: true, summary: { objects: 1, delivered: 3 } });
    expect(second.summary.malformed).toEqual([expect.objectContaining({ object: `s3://quarantine-bucket/${KEY_2}` })]);
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

describe("RedriveFunction handler, on-failure source", () => {
  const STREAM = sample[0]?.eventSourceARN as string;
  const ROLE = "arn:aws:iam::222222222222:role/consumer-TelemetryConsumerRole-abc";
  const FAILURE_KEY = "kinesis/shardId-000000000000/1.json";
  const range = sample.slice(0, 3);
  const onFailureRecord = JSON.stringify({
    requestContext: { condition: "RetryAttemptsExhausted", approximateInvokeCount: 3 },
    KinesisBatchInfo: {
      shardId: "shardId-000000000000",
      startSequenceNumber: range[0]?.kinesis.sequenceNumber,
      endSequenceNumber: range[2]?.kinesis.sequenceNumber,
      batchSize: 3,
      streamArn: STREAM,
    },
  });
  const request = { source: "on-failure", bucket: "failure-bucket" };

  beforeEach(() => {
    sourceObjects({ [FAILURE_KEY]: onFailureRecord });
    kinesisMock.on(GetShardIteratorCommand).resolves({ ShardIterator: "iterator-1" });
    kinesisMock.on(GetRecordsCommand).resolves({
      Records: range.map((r) => ({
        SequenceNumber: r.kinesis.sequenceNumber,
        PartitionKey: r.kinesis.partitionKey,
        Data: Buffer.from(r.kinesis.data, "base64"),
        ApproximateArrivalTimestamp: new Date(r.kinesis.approximateArrivalTimestamp * 1000),
      })),
      MillisBehindLatest: 0,
    });
    stsMock.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: "ASIAROLE",
        SecretAccessKey: "role-secret",
        SessionToken: "token",
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
  });

  it("reads the range back from the stream as the read role, at the Kinesis endpoint over HTTP/1.1", async () => {
    const handler = await loadHandler({
      STREAM_READ_ROLE_ARN: ROLE,
      AWS_ENDPOINT_URL_KINESIS: "http://127.0.0.1:4567",
    });
    captureOutput();

    const result = await handler(request, lambdaContext(900_000));

    expect(result).toMatchObject({ done: true, summary: { read: 3, delivered: 3, expired: 0 } });
    expect(result.summary.ranges).toEqual([expect.objectContaining({ status: "stream", found: 3 })]);
    expect(kinesisMock.commandCalls(GetShardIteratorCommand)[0]?.args[0].input).toMatchObject({
      StreamARN: STREAM,
      StartingSequenceNumber: range[0]?.kinesis.sequenceNumber,
    });
    // The SDK's credentials middleware does not run under the mock: resolve them as a request would.
    const kinesis = kinesisMock.call(0).thisValue as KinesisClient;
    expect(await kinesis.config.credentials()).toMatchObject({ accessKeyId: "ASIAROLE", sessionToken: "token" });
    expect(stsMock.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toEqual([ROLE]);
    expect(await kinesis.config.endpoint?.()).toMatchObject({ hostname: "127.0.0.1", port: 4567, protocol: "http:" });
    expect(kinesis.config.requestHandler).toBeInstanceOf(NodeHttpHandler);
  });

  it("keeps one Kinesis client across the chunks of a warm function", async () => {
    const handler = await loadHandler();
    captureOutput();

    const first = await handler(request, lambdaContext(900_000));
    const second = await handler({ ...request, force: true }, lambdaContext(900_000));

    expect([first.summary.delivered, second.summary.delivered]).toEqual([3, 3]);
    expect(await kinesisClientsMade()).toBe(1);
    const clients = new Set(kinesisMock.calls().map((c) => c.thisValue));
    expect(kinesisMock.calls()).toHaveLength(4);
    expect(clients.size).toBe(1);
  });

  it("reads with the function's own credentials when no read role is set", async () => {
    const handler = await loadHandler();
    captureOutput();

    const result = await handler(request, lambdaContext(900_000));

    expect(result.summary).toMatchObject({ read: 3, delivered: 3 });
    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    const kinesis = kinesisMock.call(0).thisValue as KinesisClient;
    expect(await kinesis.config.credentials()).toMatchObject({ accessKeyId: env.AWS_ACCESS_KEY_ID });
  });
});
