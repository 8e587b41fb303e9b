/** A redriven record in the shape `processBatch` takes: the Kinesis event record Lambda would have handed over. */
import type { KinesisStreamRecord } from "aws-lambda";

/** The event record of one Kinesis record, `data` in base64 and the arrival time in epoch ms. */
export function kinesisRecord(
  shardId: string,
  sequenceNumber: string,
  partitionKey: string,
  data: string,
  arrivalMs: number,
  streamArn: string,
): KinesisStreamRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: "1.0",
      partitionKey,
      sequenceNumber,
      data,
      approximateArrivalTimestamp: arrivalMs / 1000,
    },
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn: "",
    awsRegion: "",
    eventSourceARN: streamArn,
  };
}
