/**
 * Peer B: Powertools BatchProcessor with the Zod contract parsed inside the record handler; lines
 * sent afterwards with PutRecordBatch, 500 a call, one Firehose record per line.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import type { Context, KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import { enrichedLine, TelemetryZod } from "./contract-zod.ts";

const processor = new BatchProcessor(EventType.KinesisDataStreams);
const firehose = new FirehoseClient({});
const deliveryStreamName = process.env.DELIVERY_STREAM_NAME ?? "telemetry";

export const handler = async (event: KinesisStreamEvent, context: Context) => {
  const lines: string[] = [];
  const recordHandler = async (record: KinesisStreamRecord): Promise<void> => {
    const reading = TelemetryZod.parse(JSON.parse(Buffer.from(record.kinesis.data, "base64").toString("utf8")));
    lines.push(enrichedLine(reading, record));
  };
  const response = await processPartialResponse(event, recordHandler, processor, { context });
  for (let i = 0; i < lines.length; i += 500) {
    const records = lines.slice(i, i + 500).map((line) => ({ Data: Buffer.from(`${line}\n`) }));
    await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: deliveryStreamName, Records: records }));
  }
  return response;
};
