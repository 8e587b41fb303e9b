/**
 * The local event source mapping against a real Kinesis stream in moto, with scripted answers of
 * Lambda's Invoke API: it must feed records in order, in Lambda's event shape, and react to each
 * answer (a response, FunctionError with the runtime's payload) as Lambda does.
 */
import { DescribeStreamSummaryCommand, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import type { KinesisStreamEvent } from "aws-lambda";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { TIMED_OUT } from "../../tools/lambda/invoke-api.ts";
import { freshPipeline, REGION, STREAM } from "../../tools/pipeline/emulator.ts";
import {
  type EventSourceMappingConfig,
  type Invoke,
  type OnFailureRecord,
  runEventSourceMapping,
} from "../../tools/pipeline/event-source-mapping.ts";
import { kinesisClient } from "../../tools/pipeline/kinesis-client.ts";

const endpoint = inject("motoEndpoint");
const kinesis = kinesisClient({ endpoint, region: REGION });
let streamArn: string;

beforeEach(async () => {
  await freshPipeline(endpoint, { streamShards: 1 });
  const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: STREAM }));
  streamArn = summary.StreamDescriptionSummary?.StreamARN ?? "";
  await kinesis.send(
    new PutRecordsCommand({
      StreamName: STREAM,
      Records: Array.from({ length: 10 }, (_, i) => ({ PartitionKey: "p", Data: Buffer.from(`record-${i}`) })),
    }),
  );
});

function config(
  overrides: Partial<EventSourceMappingConfig> = {},
): EventSourceMappingConfig & { failures: OnFailureRecord[] } {
  const failures: OnFailureRecord[] = [];
  return {
    streamArn,
    region: REGION,
    batchSize: 4,
    batchingWindowMs: 0,
    startingPosition: "TRIM_HORIZON",
    maximumRetryAttempts: 2,
    bisectBatchOnFunctionError: false,
    invokeIdentityArn: "arn:aws:iam::444455556666:role/consumer",
    onFailure: async (record) => {
      failures.push(record);
    },
    producerDone: () => true,
    pollIntervalMs: 10,
    failures,
    ...overrides,
  };
}

/**
 * An Invoke that records what it was given and answers as Lambda would for `respond`'s answer: a
 * record to rewind to, none, or an error the function threw (FunctionError with its payload).
 */
function scripted(respond: (event: KinesisStreamEvent, call: number) => string | undefined | Error) {
  const calls: string[][] = [];
  const handler: Invoke = async (event) => {
    calls.push(event.Records.map((r) => Buffer.from(r.kinesis.data, "base64").toString()));
    const answer = respond(event, calls.length);
    if (answer instanceof Error)
      return { ok: false, functionError: "Unhandled", error: { errorType: answer.name, errorMessage: answer.message } };
    return { ok: true, payload: { batchItemFailures: answer === undefined ? [] : [{ itemIdentifier: answer }] } };
  };
  return { handler, calls };
}

describe("local event source mapping", () => {
  it("feeds every record once, in order, in batches of BatchSize, in Lambda's event shape", async () => {
    const events: KinesisStreamEvent[] = [];
    const { handler, calls } = scripted((event) => {
      events.push(event);
      return undefined;
    });

    const stats = await runEventSourceMapping(kinesis, handler, config());

    expect(calls).toEqual([
      ["record-0", "record-1", "record-2", "record-3"],
      ["record-4", "record-5", "record-6", "record-7"],
      ["record-8", "record-9"],
    ]);
    expect(stats).toMatchObject({ invocations: 3, recordsInvoked: 10, recordsRetried: 0 });
    const record = events[0]?.Records[0];
    expect(record).toMatchObject({
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventName: "aws:kinesis:record",
      eventSourceARN: streamArn,
      awsRegion: REGION,
      invokeIdentityArn: "arn:aws:iam::444455556666:role/consumer",
      kinesis: { kinesisSchemaVersion: "1.0", partitionKey: "p", approximateArrivalTimestamp: expect.any(Number) },
    });
    expect(record?.eventID).toBe(`shardId-000000000000:${record?.kinesis.sequenceNumber}`);
  });

  it("rewinds to the reported record and hands over the rest of the batch again", async () => {
    const { handler, calls } = scripted((event, call) =>
      call === 1 ? event.Records[2]?.kinesis.sequenceNumber : undefined,
    );

    const stats = await runEventSourceMapping(kinesis, handler, config());

    expect(calls.slice(0, 3)).toEqual([
      ["record-0", "record-1", "record-2", "record-3"],
      ["record-2", "record-3"],
      ["record-4", "record-5", "record-6", "record-7"],
    ]);
    expect(stats).toMatchObject({ partialFailures: 1, recordsRetried: 2 });
  });

  it("splits a failing batch in two when bisect is on, and retries each half", async () => {
    const { handler, calls } = scripted((event) =>
      event.Records.length === 4 &&
      Buffer.from(event.Records[0]?.kinesis.data ?? "", "base64").toString() === "record-0"
        ? new Error("boom")
        : undefined,
    );

    const stats = await runEventSourceMapping(kinesis, handler, config({ bisectBatchOnFunctionError: true }));

    expect(calls.slice(0, 4)).toEqual([
      ["record-0", "record-1", "record-2", "record-3"],
      ["record-0", "record-1"],
      ["record-2", "record-3"],
      ["record-4", "record-5", "record-6", "record-7"],
    ]);
    // The two halves hand the failed batch's 4 records over again.
    expect(stats).toMatchObject({ functionErrors: 1, bisections: 1, recordsRetried: 4 });
  });

  it("after MaximumRetryAttempts, writes an on-failure record for the batch and moves on", async () => {
    const { handler, calls } = scripted((event) =>
      Buffer.from(event.Records[0]?.kinesis.data ?? "", "base64").toString() === "record-4"
        ? new Error("poison")
        : undefined,
    );
    const cfg = config({ maximumRetryAttempts: 2 });

    const stats = await runEventSourceMapping(kinesis, handler, cfg);

    expect(calls.filter((c) => c[0] === "record-4")).toHaveLength(3);
    expect(calls.at(-1)).toEqual(["record-8", "record-9"]);
    expect(cfg.failures).toHaveLength(1);
    expect(cfg.failures[0]).toMatchObject({
      requestContext: { condition: "RetryAttemptsExhausted", approximateInvokeCount: 3 },
      responseContext: { functionError: "Unhandled" },
      KinesisBatchInfo: { shardId: "shardId-000000000000", batchSize: 4, streamArn },
    });
    expect(stats).toMatchObject({ batchesToOnFailure: 1, recordsToOnFailure: 4 });
  });

  it("treats the runtime's timeout as a function error, counts it as a timeout, and retries the batch", async () => {
    let timedOut = false;
    const handler: Invoke = async () => {
      if (timedOut) return { ok: true, payload: { batchItemFailures: [] } };
      timedOut = true;
      const errorMessage = "RequestId: 1 Error: Task timed out after 1.00 seconds";
      return { ok: false, functionError: "Unhandled", error: { errorType: TIMED_OUT, errorMessage } };
    };

    const stats = await runEventSourceMapping(kinesis, handler, config());

    expect(stats).toMatchObject({ functionErrors: 1, timeouts: 1, invocations: 4, recordsRetried: 4 });
    expect(stats.errorMessages).toEqual([`${TIMED_OUT}: RequestId: 1 Error: Task timed out after 1.00 seconds`]);
  });
});
