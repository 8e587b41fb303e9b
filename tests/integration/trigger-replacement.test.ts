/**
 * Replacing the trigger (a new event source mapping, as switching to enhanced fan-out does): the old
 * mapping has read the stream up to the switch; the replacement starts either at TRIM_HORIZON or
 * AT_TIMESTAMP a moment before the switch. Duplicates are counted by `ingest.recordId` in the lines
 * the built function (under Lambda's runtime interface) delivered to the data bucket through moto.
 */
import { DescribeStreamSummaryCommand, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { seededRandom, telemetrySample } from "../../tools/fixtures/fixtures.ts";
import { type Consumer, startConsumer } from "../../tools/pipeline/consumer.ts";
import { deliveredLines, freshPipeline, REGION, STREAM } from "../../tools/pipeline/emulator.ts";
import {
  type EventSourceMappingConfig,
  type Invoke,
  runEventSourceMapping,
} from "../../tools/pipeline/event-source-mapping.ts";
import { kinesisClient } from "../../tools/pipeline/kinesis-client.ts";

const endpoint = inject("motoEndpoint");
const kinesis = kinesisClient({ endpoint, region: REGION });
const random = seededRandom(7);
/** Records read by the old mapping before the timestamp, after it (before the switch), and after the switch. */
const BEFORE = 40;
const OVERLAP = 5;
const AFTER = 5;
let consumer: Consumer;
let handler: Invoke;
let streamArn: string;

beforeAll(async () => {
  consumer = await startConsumer(endpoint);
  handler = consumer.mapping;
});
afterAll(() => consumer?.lambda.stop());

beforeEach(async () => {
  await freshPipeline(endpoint, { streamShards: 2 });
  const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: STREAM }));
  streamArn = summary.StreamDescriptionSummary?.StreamARN ?? "";
});

let produced = 0;
async function put(count: number): Promise<void> {
  const records = Array.from({ length: count }, () => {
    const vehicle = produced++ % 10;
    return {
      PartitionKey: `VIN-${vehicle}`,
      Data: Buffer.from(JSON.stringify(telemetrySample(random, vehicle, produced))),
    };
  });
  const response = await kinesis.send(new PutRecordsCommand({ StreamName: STREAM, Records: records }));
  expect(response.FailedRecordCount ?? 0).toBe(0);
}

function mapping(overrides: Partial<EventSourceMappingConfig>): EventSourceMappingConfig {
  return {
    streamArn,
    region: REGION,
    batchSize: 100,
    batchingWindowMs: 0,
    startingPosition: "TRIM_HORIZON",
    maximumRetryAttempts: 2,
    bisectBatchOnFunctionError: true,
    invokeIdentityArn: "arn:aws:iam::444455556666:role/telemetry-consumer-role",
    onFailure: async (record) => {
      throw new Error(`unexpected on-failure record: ${JSON.stringify(record)}`);
    },
    producerDone: () => true,
    pollIntervalMs: 10,
    ...overrides,
  };
}

/**
 * The old mapping reads everything written before the switch; the timestamp an operator would pass
 * (StartingPositionTimestamp, whole Unix seconds) falls OVERLAP records before the switch.
 */
async function oldMappingUpToTheSwitch(): Promise<Date> {
  await put(BEFORE);
  // The next whole second: the parameter is in Unix seconds, and every earlier record arrived before it.
  await new Promise((resolve) => setTimeout(resolve, 1_050 - (Date.now() % 1_000)));
  const timestamp = new Date(Math.floor(Date.now() / 1_000) * 1_000);
  await put(OVERLAP);
  await runEventSourceMapping(kinesis, handler, mapping({ startingPosition: "TRIM_HORIZON" }));
  await put(AFTER);
  return timestamp;
}

async function duplicates(): Promise<{ lines: number; distinct: number; duplicates: number }> {
  const ids = (await deliveredLines(endpoint)).map((line) => line.ingest.recordId);
  const distinct = new Set(ids).size;
  return { lines: ids.length, distinct, duplicates: ids.length - distinct };
}

describe("replacing the trigger", () => {
  it("from TRIM_HORIZON, re-delivers every record the old mapping had already delivered", async () => {
    await oldMappingUpToTheSwitch();

    await runEventSourceMapping(kinesis, handler, mapping({ startingPosition: "TRIM_HORIZON" }));

    const figures = await duplicates();
    console.info(`replacement from TRIM_HORIZON: ${JSON.stringify(figures)}`);
    expect(figures).toEqual({
      lines: 2 * (BEFORE + OVERLAP) + AFTER,
      distinct: BEFORE + OVERLAP + AFTER,
      duplicates: BEFORE + OVERLAP,
    });
  });

  it("from AT_TIMESTAMP a moment before the switch, re-delivers only what arrived after the timestamp", async () => {
    const timestamp = await oldMappingUpToTheSwitch();

    await runEventSourceMapping(
      kinesis,
      handler,
      mapping({ startingPosition: "AT_TIMESTAMP", startingPositionTimestamp: timestamp }),
    );

    const figures = await duplicates();
    console.info(`replacement from AT_TIMESTAMP: ${JSON.stringify(figures)}`);
    expect(figures).toEqual({
      lines: BEFORE + 2 * OVERLAP + AFTER,
      distinct: BEFORE + OVERLAP + AFTER,
      duplicates: OVERLAP,
    });
  });

  it("refuses AT_TIMESTAMP without a timestamp, as Lambda does", async () => {
    await expect(
      runEventSourceMapping(kinesis, handler, mapping({ startingPosition: "AT_TIMESTAMP" })),
    ).rejects.toThrow("needs a startingPositionTimestamp");
  });
});
