/**
 * Peer A: the documented Powertools idiom. BatchProcessor with the parser integration (Zod inner
 * schema, base64 transformer), processPartialResponse, and one Firehose record (PutRecord) per line.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { parser } from "@aws-lambda-powertools/batch/parser";
import type { ParsedRecord } from "@aws-lambda-powertools/batch/types";
import { FirehoseClient, PutRecordCommand } from "@aws-sdk/client-firehose";
import type { Context, KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import { enrichedLine, TelemetryZod } from "./contract-zod.ts";

const processor = new BatchProcessor(EventType.KinesisDataStreams, {
  parser,
  innerSchema: TelemetryZod,
  transformer: "base64",
});
const firehose = new FirehoseClient({});
const deliveryStreamName = process.env.DELIVERY_STREAM_NAME ?? "telemetry";

const recordHandler = async (record: ParsedRecord<KinesisStreamRecord, TelemetryZod>): Promise<void> => {
  const line = enrichedLine(record.kinesis.data, record);
  await firehose.send(
    new PutRecordCommand({ DeliveryStreamName: deliveryStreamName, Record: { Data: Buffer.from(`${line}\n`) } }),
  );
};

export const handler = async (event: KinesisStreamEvent, context: Context) =>
  processPartialResponse(event, recordHandler, processor, { context });
