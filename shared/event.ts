/** The shape of the Kinesis event, checked before any record is touched. */
import type { KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";

/** An event that is not a Kinesis batch as Lambda sends it; the message names the first bad field. */
export class EventShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EventShapeError";
  }
}

/** The most seconds from the epoch a Date can hold: an arrival time past it cannot be written. */
const MAX_ARRIVAL_SECONDS = 8.64e12;

/**
 * Returns the event's records after checking each carries the fields the consumer reads.
 * Throws an `EventShapeError` naming the first missing or mistyped field: such an event (a
 * hand-written one) cannot be accounted record by record, so the invocation fails instead.
 */
export function kinesisRecordsOf(event: unknown): readonly KinesisStreamRecord[] {
  const records = (event as Partial<KinesisStreamEvent> | null)?.Records;
  if (!Array.isArray(records)) throw new EventShapeError("event.Records must be an array");
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as Partial<KinesisStreamRecord> | null;
    const kinesis = record?.kinesis;
    const at = `event.Records[${i}]`;
    if (typeof record?.eventID !== "string") throw new EventShapeError(`${at}.eventID must be a string`);
    if (typeof record.eventSourceARN !== "string") {
      throw new EventShapeError(`${at}.eventSourceARN must be a string`);
    }
    if (typeof kinesis !== "object" || kinesis === null) throw new EventShapeError(`${at}.kinesis must be an object`);
    for (const field of ["data", "partitionKey", "sequenceNumber"] as const) {
      if (typeof kinesis[field] !== "string") throw new EventShapeError(`${at}.kinesis.${field} must be a string`);
    }
    const arrival = kinesis.approximateArrivalTimestamp;
    // Within the range a Date can hold (±8.64e15 ms): the arrival time is written as an ISO string.
    if (typeof arrival !== "number" || !(Math.abs(arrival) <= MAX_ARRIVAL_SECONDS)) {
      throw new EventShapeError(
        `${at}.kinesis.approximateArrivalTimestamp must be a number of seconds (at most ${MAX_ARRIVAL_SECONDS} from the epoch)`,
      );
    }
  }
  return records as KinesisStreamRecord[];
}
