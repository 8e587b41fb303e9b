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

  it("accepts arrival times to the edges of what a Date holds, the epoch included", () => {
    for (const seconds of [0, 8.64e12, -8.64e12, 1_795_248_000.125]) {
      const event = structuredClone(sampleEvent("valid-batch.json"));
      (event.Records[0] as unknown as Mutable).kinesis.approximateArrivalTimestamp = seconds;
      expect(kinesisRecordsOf(event)).toBe(event.Records);
      expect(new Date(Math.round(seconds * 1000)).toISOString()).toMatch(/Z$/);
    }
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
    ["kinesis.approximateArrivalTimestamp", (r: Mutable) => delete r.kinesis.approximateArrivalTimestamp],
    ["kinesis.approximateArrivalTimestamp", (r: Mutable) => (r.kinesis.approximateArrivalTimestamp = Number.NaN)],
    // Math.abs would read these as numbers: the type is checked first.
    ["kinesis.approximateArrivalTimestamp", (r: Mutable) => (r.kinesis.approximateArrivalTimestamp = null)],
    ["kinesis.approximateArrivalTimestamp", (r: Mutable) => (r.kinesis.approximateArrivalTimestamp = "12")],
    // Finite, but past what a Date holds: writing the arrival time would throw a RangeError.
    ["kinesis.approximateArrivalTimestamp", (r: Mutable) => (r.kinesis.approximateArrivalTimestamp = 8.64e12 + 1)],
    ["kinesis.approximateArrivalTimestamp", (r: Mutable) => (r.kinesis.approximateArrivalTimestamp = -1e300)],
    ["eventSourceARN", (r: Mutable) => delete r.eventSourceARN],
    ["kinesis", (r: Mutable) => (r.kinesis = null as never)],
    ["kinesis", (r: Mutable) => (r.kinesis = "text" as never)],
  ])("names the record and the field when %s is wrong", (field, mutate) => {
    const event = structuredClone(sampleEvent("valid-batch.json"));
    mutate(event.Records[3] as unknown as Mutable);
    expect(() => kinesisRecordsOf(event)).toThrow(`event.Records[3].${field} must be`);
  });
});
