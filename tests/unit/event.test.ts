import { describe, expect, it } from "vitest";
import { EventShapeError, kinesisRecordsOf } from "../../shared/event.ts";
import { sampleEvent } from "../support/batch.ts";

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
    ["kinesis.data", (r: Record<string, any>) => delete r.kinesis.data],
    ["kinesis.partitionKey", (r: Record<string, any>) => (r.kinesis.partitionKey = 7)],
    ["kinesis.sequenceNumber", (r: Record<string, any>) => delete r.kinesis.sequenceNumber],
    ["kinesis.approximateArrivalTimestamp", (r: Record<string, any>) => (r.kinesis.approximateArrivalTimestamp = "soon")],
    ["eventSourceARN", (r: Record<string, any>) => delete r.eventSourceARN],
    ["kinesis", (r: Record<string, any>) => delete r.kinesis],
  ])("names the record and the field when %s is wrong", (field, mutate) => {
    const event = structuredClone(sampleEvent("valid-batch.json"));
    mutate(event.Records[3] as unknown as Record<string, any>);
    expect(() => kinesisRecordsOf(event)).toThrow(`event.Records[3].${field} must be`);
  });
});
