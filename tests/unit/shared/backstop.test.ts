/**
 * The backstop's edge (shared/batch/preparation.ts): an exception thrown while one record is
 * handled before its line is added to the packer quarantines that record as UNEXPECTED_ERROR and the
 * batch goes on; one from the packer, from building a quarantine line, or after the add fails the
 * invocation, with nothing sent anywhere. Exceptions are injected by wrapping the modules the
 * preparation calls (decode, validate, enrich, enrich's recordIdOf) and the packer's `add`.
 */
import { FirehoseClient } from "@aws-sdk/client-firehose";
import { S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { processBatch } from "../../../shared/batch/index.ts";
import { RecordPacker } from "../../../shared/firehose/index.ts";
import { jsonBytes, kinesisRecord, kplAggregate } from "../../../tools/fixtures/fixtures.ts";
import { answerSuccess, batchDeps, firehoseLines, quarantineLines } from "../../support/batch.ts";

/** What to throw, and where: a test sets one, `afterEach` clears them. */
const inject = vi.hoisted(() => ({
  /** Thrown by enrich() for a reading of this vehicle. */
  enrichOf: undefined as string | undefined,
  /** Thrown by validateTelemetry() for a reading of this vehicle (what is thrown: any value). */
  validateOf: undefined as string | undefined,
  thrown: new Error("injected") as unknown,
  /** forEachUserRecord throws after visiting this many entries. */
  decoderAfter: undefined as number | undefined,
  /** decodeBase64 throws for this data. */
  base64Of: undefined as string | undefined,
  /** recordIdOf throws for a quarantine line (it builds the line's recordId too). */
  recordIdThrows: false,
}));

/** `fn`, throwing what `when` gives for the call's arguments, if anything. */
const throwing = vi.hoisted(
  () =>
    <A extends unknown[], R>(fn: (...args: A) => R, when: (...args: A) => unknown) =>
    (...args: A): R => {
      const thrown = when(...args);
      if (thrown !== undefined) throw thrown;
      return fn(...args);
    },
);

vi.mock("../../../shared/enrich.ts", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../../shared/enrich.ts")>();
  return {
    ...original,
    enrich: throwing(original.enrich, (valid) =>
      valid.telemetry.vehicleId === inject.enrichOf ? inject.thrown : undefined,
    ),
    recordIdOf: throwing(original.recordIdOf, () =>
      inject.recordIdThrows ? new TypeError("recordIdOf broke") : undefined,
    ),
  };
});

vi.mock("../../../shared/validate.ts", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../../shared/validate.ts")>();
  const vehicleOf = (value: unknown) => (value as { vehicleId?: unknown }).vehicleId;
  return {
    ...original,
    validateTelemetry: throwing(original.validateTelemetry, (value) =>
      vehicleOf(value) === inject.validateOf ? inject.thrown : undefined,
    ),
  };
});

vi.mock("../../../shared/decode.ts", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../../shared/decode.ts")>();
  return {
    ...original,
    decodeBase64: throwing(original.decodeBase64, (data) =>
      data === inject.base64Of ? new RangeError("base64 broke") : undefined,
    ),
    forEachUserRecord: (...args: Parameters<typeof original.forEachUserRecord>) => {
      const after = inject.decoderAfter;
      if (after === undefined) return original.forEachUserRecord(...args);
      let visited = 0;
      return original.forEachUserRecord(args[0], (user) => {
        if (visited++ === after) throw new RangeError("decoder broke");
        args[1](user);
      });
    },
  };
});

const firehoseMock = mockClient(FirehoseClient);
const s3Mock = mockClient(S3Client);
const context = { deadlineMs: Date.parse("2026-11-21T08:01:00Z"), requestId: "req-1" };

const reading = (vehicleId: string) => jsonBytes({ vehicleId, timestamp: 0, speedKmh: 1 });
const plain = (n: number, vehicleId: string) => kinesisRecord({ n, partitionKey: vehicleId, data: reading(vehicleId) });
const recordIds = (lines: Record<string, unknown>[]) => lines.map((l) => (l.ingest as { recordId: string }).recordId);

beforeEach(() => answerSuccess(firehoseMock, s3Mock));

afterEach(() => {
  Object.assign(inject, {
    enrichOf: undefined,
    validateOf: undefined,
    thrown: new Error("injected"),
    decoderAfter: undefined,
    base64Of: undefined,
    recordIdThrows: false,
  });
  vi.restoreAllMocks();
});

describe("before the add: the record is quarantined as UNEXPECTED_ERROR and the batch goes on", () => {
  it.each([
    ["enrich", "enrichOf"],
    ["validateTelemetry", "validateOf"],
  ] as const)("an exception in %s, for a plain record", async (_where, key) => {
    inject[key] = "VIN-BAD";
    const records = [plain(0, "VIN-1"), plain(1, "VIN-BAD"), plain(2, "VIN-2")];

    const { response, stats } = await processBatch(records, context, batchDeps());

    expect(response.batchItemFailures).toEqual([]);
    expect(recordIds(firehoseLines(firehoseMock).flat())).toEqual([records[0]?.eventID, records[2]?.eventID]);
    const [line] = quarantineLines(s3Mock);
    expect(line).toMatchObject({
      recordId: records[1]?.eventID,
      reason: "UNEXPECTED_ERROR",
      data: records[1]?.kinesis.data,
    });
    expect((line?.details as { message: string }[] | undefined)?.[0]?.message).toMatch(
      /^exception while handling the record: Error: injected \(at .+\)$/,
    );
    expect(stats).toMatchObject({ userRecords: 3, delivered: 2, failed: 0 });
    expect(stats.quarantined.UNEXPECTED_ERROR).toBe(1);
  });

  it("an exception for one entry of an aggregate: that entry alone, the others delivered", async () => {
    inject.enrichOf = "VIN-BAD";
    const data = kplAggregate(
      ["VIN-1", "VIN-BAD", "VIN-2"].map((vehicleId) => ({ partitionKey: vehicleId, data: reading(vehicleId) })),
    );
    const record = kinesisRecord({ n: 0, partitionKey: "agg", data });

    const { stats } = await processBatch([record], context, batchDeps());

    expect(recordIds(firehoseLines(firehoseMock).flat())).toEqual([`${record.eventID}:0`, `${record.eventID}:2`]);
    expect(quarantineLines(s3Mock)).toMatchObject([
      {
        recordId: `${record.eventID}:1`,
        subSequenceNumber: 1,
        reason: "UNEXPECTED_ERROR",
        data: reading("VIN-BAD").toString("base64"),
      },
    ]);
    expect(stats).toMatchObject({ userRecords: 3, delivered: 2, failed: 0 });
  });

  it("an exception in the decoder mid-aggregate: the entries it added are taken back, the aggregate quarantined whole", async () => {
    inject.decoderAfter = 2;
    const data = kplAggregate(
      ["VIN-1", "VIN-2", "VIN-3"].map((vehicleId) => ({ partitionKey: vehicleId, data: reading(vehicleId) })),
    );
    const aggregate = kinesisRecord({ n: 0, partitionKey: "agg", data });
    const after = plain(1, "VIN-4");

    const { response, stats } = await processBatch([aggregate, after], context, batchDeps());

    expect(response.batchItemFailures).toEqual([]);
    expect(recordIds(firehoseLines(firehoseMock).flat())).toEqual([after.eventID]);
    expect(quarantineLines(s3Mock)).toMatchObject([
      { recordId: aggregate.eventID, reason: "UNEXPECTED_ERROR", data: aggregate.kinesis.data },
    ]);
    expect(quarantineLines(s3Mock)[0]).not.toHaveProperty("subSequenceNumber");
    expect(stats).toMatchObject({ userRecords: 2, delivered: 1, failed: 0 });
  });

  it("an exception decoding base64: the Kinesis record is quarantined as it came", async () => {
    const records = [plain(0, "VIN-1"), plain(1, "VIN-2")];
    inject.base64Of = records[0]?.kinesis.data;

    await processBatch(records, context, batchDeps());

    expect(recordIds(firehoseLines(firehoseMock).flat())).toEqual([records[1]?.eventID]);
    expect(quarantineLines(s3Mock)).toMatchObject([{ recordId: records[0]?.eventID, reason: "UNEXPECTED_ERROR" }]);
    const [line] = quarantineLines(s3Mock);
    expect((line?.details as { message: string }[] | undefined)?.[0]?.message).toMatch(
      /^exception while handling the record: RangeError: base64 broke \(at .+\)$/,
    );
  });

  it("an exception in the decoder before its first entry: the aggregate quarantined whole, nothing of it delivered", async () => {
    inject.decoderAfter = 0;
    const data = kplAggregate([{ partitionKey: "VIN-1", data: reading("VIN-1") }]);
    const aggregate = kinesisRecord({ n: 0, partitionKey: "agg", data });

    const { stats } = await processBatch([aggregate], context, batchDeps());

    expect(firehoseMock.calls()).toHaveLength(0);
    expect(quarantineLines(s3Mock)).toMatchObject([{ recordId: aggregate.eventID, reason: "UNEXPECTED_ERROR" }]);
    expect(stats).toMatchObject({ userRecords: 1, delivered: 0, failed: 0 });
  });

  it.each<[string, unknown, string]>([
    ["a string", "boom", 'a thrown "boom"'],
    ["an object nested a million deep", nested(1_000_000), `a thrown ${"[".repeat(80)}…`],
    ["an Error whose message getter throws", brokenError(), "an exception that cannot be described"],
    ["an Error without a stack", withStack(new TypeError("no stack"), undefined), "TypeError: no stack"],
    [
      "an Error whose stack names no frame",
      withStack(new Error("framed"), "Error: framed\n    <anonymous>"),
      "Error: framed",
    ],
  ])("whatever is thrown: %s", async (_what, thrown, described) => {
    inject.enrichOf = "VIN-BAD";
    inject.thrown = thrown;

    await processBatch([plain(0, "VIN-BAD")], context, batchDeps());

    expect(quarantineLines(s3Mock)).toMatchObject([
      {
        reason: "UNEXPECTED_ERROR",
        details: [{ path: "", message: `exception while handling the record: ${described}` }],
      },
    ]);
  });
});

describe("from the add on, or from a quarantine line: the invocation fails, with nothing sent", () => {
  it("an exception in the packer's add", async () => {
    vi.spyOn(RecordPacker.prototype, "add").mockImplementation(() => {
      throw new RangeError("packer broke");
    });

    await expect(processBatch([plain(0, "VIN-1")], context, batchDeps())).rejects.toThrow("packer broke");
    expect(firehoseMock.calls()).toHaveLength(0);
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it("an exception just after the add (the line is in the packer)", async () => {
    const add = RecordPacker.prototype.add;
    vi.spyOn(RecordPacker.prototype, "add").mockImplementation(function (this: RecordPacker, line, tag) {
      add.call(this, line, tag);
      throw new RangeError("after the add");
    });
    const data = kplAggregate([{ partitionKey: "VIN-1", data: reading("VIN-1") }]);

    for (const records of [[plain(0, "VIN-1")], [kinesisRecord({ n: 0, partitionKey: "agg", data })]])
      await expect(processBatch(records, context, batchDeps())).rejects.toThrow("after the add");
    expect(firehoseMock.calls()).toHaveLength(0);
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it("an exception building a quarantine line", async () => {
    inject.recordIdThrows = true;

    await expect(
      processBatch([kinesisRecord({ n: 0, partitionKey: "p", data: Buffer.from("not json") })], context, batchDeps()),
    ).rejects.toThrow("recordIdOf broke");
    expect(firehoseMock.calls()).toHaveLength(0);
    expect(s3Mock.calls()).toHaveLength(0);
  });
});

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function withStack(err: Error, stack: string | undefined): Error {
  Object.defineProperty(err, "stack", { value: stack });
  return err;
}

function brokenError(): Error {
  const err = new Error("x");
  Object.defineProperty(err, "message", {
    get() {
      throw new Error("no message");
    },
  });
  return err;
}
