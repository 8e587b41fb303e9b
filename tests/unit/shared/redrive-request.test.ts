/**
 * What a redrive run accepts and keeps between chunks: `parseRedriveRequest` (every field, its
 * default, its bounds, and the message naming the bad field), the run's summary (`emptySummary`,
 * `addSummary` adding a chunk into a run) and the continuation token (a token this redrive
 * returned resumes; the same token with any field altered is refused as one error).
 * Chunks run against the in-memory source bucket of tests/support/redrive.ts; Firehose and the
 * quarantine writer are aws-sdk-client-mock.
 */
import { FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import {
  addSummary,
  emptySummary,
  parseRedriveRequest,
  RedriveRequestError,
  type RedriveSummary,
  redriveChunk,
} from "../../../shared/redrive/index.ts";
import { REJECTION_REASONS } from "../../../shared/rejection.ts";
import { confirmAll } from "../../support/batch.ts";
import { memoryStore, quarantineV2, redriveDeps, request, runAll } from "../../support/redrive.ts";

const firehose = mockClient(FirehoseClient);
const s3 = mockClient(S3Client);

beforeEach(() => {
  firehose.reset();
  s3.reset();
  firehose.on(PutRecordBatchCommand).callsFake(confirmAll);
  s3.on(PutObjectCommand).resolves({});
});

const MiB = 1024 * 1024;
const base = { source: "quarantine", bucket: "bbb" };
/** The configuration's QUARANTINE_PREFIX, as the function and the command pass it. */
const PREFIX = "quarantine/";

/** The error `parseRedriveRequest` throws for `input` (fails the test if it throws none). */
function refusal(input: unknown): Error {
  try {
    parseRedriveRequest(input, PREFIX);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

describe("parseRedriveRequest: what it accepts", () => {
  it("fills the defaults: the quarantine prefix, no filters, no dry run or force, 1,000 records and 4 MiB a chunk", () => {
    expect(parseRedriveRequest(base, "configured/prefix/")).toEqual({
      source: "quarantine",
      bucket: "bbb",
      prefix: "configured/prefix/",
      dryRun: false,
      force: false,
      maxRecords: 1000,
      maxBytes: 4 * MiB,
    });
    expect(parseRedriveRequest({ source: "on-failure", bucket: "bbb" }, PREFIX)).toMatchObject({ prefix: "" });
  });

  it("keeps every field it is given, and accepts the function's continuation beside them", () => {
    const quarantine = {
      source: "quarantine",
      bucket: "my.bucket-1",
      prefix: "q/",
      fromHour: "2026-11-21T07",
      toHour: "2026-11-21T09",
      reasons: ["SCHEMA_UNSUPPORTED", "JSON_INVALID"],
      partitionKeys: ["VIN-1"],
      recordIds: ["id-1", "id-2"],
      dryRun: true,
      force: true,
      maxRecords: 10_000,
      maxBytes: 6 * MiB,
    };
    expect(parseRedriveRequest({ ...quarantine, continuation: "token" }, PREFIX)).toEqual(quarantine);
    const onFailure = { source: "on-failure", bucket: "bbb", prefix: "", partitionKeys: ["p"], maxBytes: 1 };
    expect(parseRedriveRequest(onFailure, PREFIX)).toEqual({
      ...onFailure,
      dryRun: false,
      force: false,
      maxRecords: 1000,
    });
  });

  it("accepts the bounds themselves: one hour as both ends, 1 record or byte, a 512-character prefix", () => {
    expect(
      parseRedriveRequest(
        {
          ...base,
          fromHour: "2026-11-21T08",
          toHour: "2026-11-21T08",
          maxRecords: 1,
          maxBytes: 1,
          prefix: "p".repeat(512),
        },
        PREFIX,
      ),
    ).toMatchObject({ fromHour: "2026-11-21T08", toHour: "2026-11-21T08", maxRecords: 1, maxBytes: 1 });
  });
});

describe("parseRedriveRequest: what it refuses, naming the field", () => {
  it.each([
    ["a string", "quarantine"],
    ["null", null],
    ["an array", [base]],
    ["a number", 42],
  ])("refuses %s as the request", (_what, input) => {
    const err = refusal(input);
    expect(err).toBeInstanceOf(RedriveRequestError);
    expect(err.name).toBe("RedriveRequestError");
    expect(err.message).toBe("the request must be a JSON object");
  });

  it("refuses an unknown field, listing the fields it knows", () => {
    expect(refusal({ ...base, reason: ["SCHEMA_UNSUPPORTED"] }).message).toBe(
      'unknown field "reason"; the fields are source, bucket, prefix, fromHour, toHour, reasons, partitionKeys, ' +
        "recordIds, dryRun, force, maxRecords, maxBytes, continuation",
    );
  });

  it.each([
    ["an upper-case first letter", "Xbucket"],
    ["an upper-case last letter", "bucketX"],
    ["a number, even one whose digits would be a name", 12345],
    ["two characters", "ab"],
  ])("refuses a bucket with %s", (_what, bucket) => {
    expect(refusal({ ...base, bucket }).message).toBe(
      `bucket must be an S3 bucket name; got ${JSON.stringify(bucket)}`,
    );
  });

  it.each([
    ["a number", 5, "5"],
    ["513 characters, shown cut at 80", "p".repeat(513), `"${"p".repeat(79)}…`],
  ])("refuses a prefix of %s", (_what, prefix, shown) => {
    expect(refusal({ ...base, prefix }).message).toBe(
      `prefix must be a string of at most 512 characters; got ${shown}`,
    );
  });

  it("describes a bad value nested a million deep without recursing into it", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    for (const field of ["source", "bucket", "prefix", "fromHour", "maxRecords"]) {
      const err = refusal({ ...base, [field]: deep });
      expect(err).toBeInstanceOf(RedriveRequestError);
      expect(err.message).toMatch(/got \[{80}…$/);
    }
  });

  it.each([
    ["fromHour", "x2026-11-21T08"],
    ["fromHour", "2026-11-21T08x"],
    ["toHour", "2026-11-21"],
    ["toHour", ["2026-11-21T08"]],
  ])("refuses %s %j", (field, value) => {
    expect(refusal({ ...base, [field]: value }).message).toBe(
      `${field} must be an hour as YYYY-MM-DDTHH (UTC); got ${JSON.stringify(value)}`,
    );
  });

  it("refuses a fromHour after the toHour", () => {
    expect(refusal({ ...base, fromHour: "2026-11-21T09", toHour: "2026-11-21T08" }).message).toBe(
      "fromHour is after toHour",
    );
  });

  it.each([
    ["reasons", "SCHEMA_UNSUPPORTED"],
    ["reasons", []],
    ["partitionKeys", "VIN-1"],
    ["partitionKeys", []],
    ["partitionKeys", ["VIN-1", ""]],
    ["recordIds", [""]],
    ["recordIds", [5]],
    ["recordIds", ["id", null]],
  ])("refuses %s %j", (field, value) => {
    const err = refusal({ ...base, [field]: value });
    expect(err).toBeInstanceOf(RedriveRequestError);
    expect(err.message).toBe(`${field} must be a non-empty list of non-empty strings`);
  });

  it("refuses an unknown reason, listing the reasons", () => {
    expect(refusal({ ...base, reasons: ["SCHEMA_UNSUPPORTED", "NOPE"] }).message).toBe(
      `reasons: unknown reason "NOPE"; choose from ${REJECTION_REASONS.join(", ")}`,
    );
  });

  it.each([{ reasons: ["SCHEMA_UNSUPPORTED"] }, { fromHour: "2026-11-21T08" }, { toHour: "2026-11-21T08" }])(
    "refuses the quarantine-only %j for the on-failure source",
    (extra) => {
      expect(refusal({ source: "on-failure", bucket: "bbb", ...extra }).message).toBe(
        "reasons, fromHour and toHour apply to the quarantine source only",
      );
    },
  );

  it.each([
    ["maxRecords", 0, 10_000],
    ["maxRecords", 10_001, 10_000],
    ["maxRecords", 1.5, 10_000],
    ["maxRecords", "5", 10_000],
    ["maxBytes", 6 * MiB + 1, 6 * MiB],
    ["maxBytes", 0, 6 * MiB],
  ])("refuses %s %j", (field, value, max) => {
    expect(refusal({ ...base, [field]: value }).message).toBe(
      `${field} must be an integer from 1 to ${max}; got ${JSON.stringify(value)}`,
    );
  });

  it.each(["dryRun", "force"])("refuses a %s that is not a boolean", (field) => {
    expect(refusal({ ...base, [field]: "yes" }).message).toBe(`${field} must be true or false`);
  });
});

describe("run summaries", () => {
  it("starts a summary at zero, with nothing listed", () => {
    expect(emptySummary()).toEqual({
      read: 0,
      delivered: 0,
      quarantinedAgain: {},
      failed: 0,
      expired: 0,
      skipped: 0,
      alreadyRedriven: 0,
      wouldRedrive: {},
      objects: 0,
      malformed: [],
      ranges: [],
      manifestErrors: [],
    });
  });

  it("adds a chunk into a run: counts summed, counts by reason merged, lists appended", () => {
    const chunk = (n: number, reasons: Record<string, number>): RedriveSummary => ({
      read: n,
      delivered: n + 1,
      quarantinedAgain: reasons,
      failed: n + 2,
      expired: n + 3,
      skipped: n + 4,
      alreadyRedriven: n + 5,
      wouldRedrive: { ...reasons },
      objects: n + 6,
      malformed: [{ object: `o${n}`, line: n, error: "e" }],
      ranges: [
        {
          object: `o${n}`,
          shardId: "s",
          startSequenceNumber: "1",
          endSequenceNumber: "2",
          batchSize: n,
          found: n,
          status: "stream",
        },
      ],
      manifestErrors: [`m${n}`],
    });
    const total = emptySummary();
    addSummary(total, chunk(10, { SCHEMA_UNSUPPORTED: 2 }));
    addSummary(total, chunk(100, { SCHEMA_UNSUPPORTED: 3, DECODE_FAILED: 1 }));
    expect(total).toMatchObject({
      read: 110,
      delivered: 112,
      failed: 114,
      expired: 116,
      skipped: 118,
      alreadyRedriven: 120,
      objects: 122,
      quarantinedAgain: { SCHEMA_UNSUPPORTED: 5, DECODE_FAILED: 1 },
      wouldRedrive: { SCHEMA_UNSUPPORTED: 5, DECODE_FAILED: 1 },
      manifestErrors: ["m10", "m100"],
    });
    expect(total.malformed.map((m) => m.object)).toEqual(["o10", "o100"]);
    expect(total.ranges.map((r) => r.batchSize)).toEqual([10, 100]);
  });
});

describe("continuation tokens", () => {
  type Fields = Record<string, unknown>;
  const fields = (token: string): Fields => JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  const token = (position: Fields) => Buffer.from(JSON.stringify(position)).toString("base64url");

  /** A source bucket with the quarantine object of the mixed batch (3 lines) twice, an hour apart. */
  async function twoObjects() {
    const store = memoryStore();
    const key = await quarantineV2(store, firehose, s3);
    const entry = store.objects.get(`quarantine-bucket/${key}`) as { body: string; modifiedMs: number };
    const later = key.replace("/2026/11/21/08/", "/2026/11/21/09/");
    expect(later).not.toBe(key);
    store.objects.set(`quarantine-bucket/${later}`, { ...entry });
    return { store, key, later };
  }

  it("a chunk stopped within an object resumes at its next line; one stopped between objects, at the next object", async () => {
    const { store, key } = await twoObjects();
    const deps = redriveDeps(store);
    const within = await redriveChunk(request({ maxRecords: 2 }), undefined, deps, Number.MAX_SAFE_INTEGER, "a");
    expect(fields(within.continuation as string)).toEqual({
      key,
      line: 3,
      startedMs: deps.now(),
      run: expect.stringMatching(/^[0-9a-f]{8}$/),
    });
    const fresh = await twoObjects();
    const between = await redriveChunk(
      request({ maxRecords: 3 }),
      undefined,
      redriveDeps(fresh.store),
      Number.MAX_SAFE_INTEGER,
      "b",
    );
    expect(between.summary).toMatchObject({ objects: 1, delivered: 3 });
    expect(fields(between.continuation as string)).toEqual({
      after: key,
      startedMs: deps.now(),
      run: expect.stringMatching(/^[0-9a-f]{8}$/),
    });
  });

  it("resumes from a token that names an object's first line, reading the object whole", async () => {
    const { store, key } = await twoObjects();
    const deps = redriveDeps(store);
    const first = await redriveChunk(request({ maxRecords: 1 }), undefined, deps, Number.MAX_SAFE_INTEGER, "a");
    const atLineOne = token({ ...fields(first.continuation as string), line: 1 });
    const again = await redriveChunk(request({ force: true }), atLineOne, deps, Number.MAX_SAFE_INTEGER, "b");
    expect(again.summary).toMatchObject({ objects: 2, read: 6, delivered: 6 });
    expect(again.continuation).toBeUndefined();
    expect(fields(first.continuation as string).key).toBe(key);
  });

  it.each<[string, Fields]>([
    ["after a number", { after: 5 }],
    ["key a number", { key: 5 }],
    ["key a number with a later line", { key: 5, line: 2 }],
    ["line 0", { line: 0 }],
    ["line 1.5", { line: 1.5 }],
    ["line a string", { line: "2" }],
    ["line missing", { line: undefined }],
    ["startedMs a string", { startedMs: "1" }],
    ["startedMs missing", { startedMs: undefined }],
    ["run a number", { run: 12_345_678 }],
    ["run nine hex digits", { run: "abcdef012" }],
    ["run upper case", { run: "ABCDEF01" }],
    ["run missing", { run: undefined }],
  ])("refuses the token with %s", async (_what, change) => {
    const { store, key } = await twoObjects();
    const deps = redriveDeps(store);
    const first = await redriveChunk(request({ maxRecords: 1 }), undefined, deps, Number.MAX_SAFE_INTEGER, "a");
    const real = fields(first.continuation as string);
    expect(real).toMatchObject({ key, line: 2 });
    const tampered = token({ ...real, after: "quarantine/", ...change });
    // The same token with a string `after` is one this redrive could have returned.
    await expect(
      redriveChunk(request(), token({ ...real, after: "quarantine/" }), deps, Number.MAX_SAFE_INTEGER, "ok"),
    ).resolves.toMatchObject({ continuation: undefined });
    await expect(redriveChunk(request(), tampered, deps, Number.MAX_SAFE_INTEGER, "b")).rejects.toThrow(
      new RedriveRequestError("continuation is not a token this redrive returned"),
    );
  });

  it("runs to the end in chunks across objects: each record of each object once", async () => {
    const { store } = await twoObjects();
    for (const maxRecords of [2, 3]) {
      const chunks = await runAll(request({ maxRecords, force: true }), redriveDeps(store));
      const sum = (k: "delivered" | "objects" | "alreadyRedriven" | "read") => chunks.reduce((n, c) => n + c[k], 0);
      expect({ delivered: sum("delivered"), read: sum("read"), alreadyRedriven: sum("alreadyRedriven") }).toEqual({
        delivered: 6,
        read: 6,
        alreadyRedriven: 0,
      });
      expect(chunks.length).toBe(maxRecords === 3 ? 2 : 3);
    }
  });
});
