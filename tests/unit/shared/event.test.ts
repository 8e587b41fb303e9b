import { describe, expect, it } from "vitest";
import { EventShapeError, kinesisRecordsOf } from "../../../shared/event.ts";
import { sampleEvent } from "../../support/batch.ts";

/** A record as a test may break it. */
type Mutable = { kinesis: Record<string, unknown>; [field: string]: unknown };

describe("kinesisRecordsOf", () => {
  it("returns the records of a Lambda Kinesis event", () => {
    const event = sampleEvent("valid-batch.json");
    expect(kinesisRecordsOf(event)).toBe(event.Records);
  });

  it.each([
    ["event.Records must be an array", {}],
    ["event.Records must be an array", null],
    ["event.Records[0].eventID must be a string", { Records: [{}] }],
  ])("throws %j for a malformed event", (message, event) => {
    expect(() => kinesisRecordsOf(event)).toThrow(new EventShapeError(message));
  });

  it.each([
    ["kinesis.data", (r: Mutable) => delete r.kinesis.data],
    ["kinesis.partitionKey", (r: Mutable) => (r.kinesis.partitionKey = 7)],
    ["kinesis.sequenceNumber", (r: Mutable) => delete r.kinesis.sequenceNumber],
    ["kinesis.approximateArrivalTimestamp", (r: Mutable) => (r.kinesis.approximateArrivalTimestamp = "soon")],
    ["eventSourceARN", (r: Mutable) => delete r.eventSourceARN],
    ["kinesis", (r: Mutable) => (r.kinesis = null as never)],
    ["kinesis", (r: Mutable) => (r.kinesis = "text" as never)],
  ])("names the record and the field when %s is wrong", (field, mutate) => {
    const event = structuredClone(sampleEvent("valid-batch.json"));
    mutate(event.Records[3] as unknown as Mutable);
    expect(() => kinesisRecordsOf(event)).toThrow(`event.Records[3].${field} must be`);
  });
});
