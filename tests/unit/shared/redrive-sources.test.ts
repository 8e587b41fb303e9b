/**
 * Redrive's sources in detail: what makes a quarantine line or an on-failure record unusable (the
 * exact reason reported), which records each filter, the manifest, a dry run and `force` let
 * through, the records and origins handed to `processBatch` (shaped like the trigger's event), how
 * an on-failure range is read back from the stream (paging, the range's end, empty reads, what
 * Kinesis refusing the position means), and what `deliver` counts and writes to the manifests.
 * `processBatch` is the real one, wrapped in a spy to see its
 * input; Firehose and the quarantine writer are aws-sdk-client-mock; the source bucket and the
 * stream are fakes of redrive's own `ObjectStore` and `StreamReader` interfaces.
 */
import { FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { KinesisStreamRecord } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { processBatch } from "../../../shared/batch/index.ts";
import {
  CHUNK_RESERVE_MS,
  MAX_RANGE_BYTES,
  MAX_RANGE_RECORDS,
  parseOnFailureRecord,
  parseQuarantineLine,
  parseRedriveRequest,
  type RedriveDeps,
  type RedriveRequest,
  redriveChunk,
  type StreamReader,
  type StreamRecord,
} from "../../../shared/redrive/index.ts";
import { kinesisRecord, kplAggregate, sequenceNumber } from "../../../tools/fixtures/fixtures.ts";
import { config } from "../../support/batch.ts";
import { acceptMultipart } from "../../support/multipart.ts";
import { memoryStore, mixedBatch, redriveDeps, request, v1, v2 } from "../../support/redrive.ts";

vi.mock("../../../shared/batch/index.ts", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../../shared/batch/index.ts")>();
  return { ...actual, processBatch: vi.fn(actual.processBatch) };
});

const firehose = mockClient(FirehoseClient);
const s3 = mockClient(S3Client);
const spy = vi.mocked(processBatch);

beforeEach(() => {
  firehose.reset();
  s3.reset();
  spy.mockClear();
  firehose.on(PutRecordBatchCommand).callsFake((input) => ({
    FailedPutCount: 0,
    RequestResponses: input.Records.map(() => ({ RecordId: "r" })),
  }));
  s3.on(PutObjectCommand).resolves({});
});

const SHARD = "shardId-000000000000";
const ACCOUNT = "111122223333";
const STREAM_ARN = `arn:aws:kinesis:eu-west-1:${ACCOUNT}:stream/vehicle-telemetry`;
/** The fake clock of `batchDeps`, as redrive stamps `ingest.redrive.at`. */
const AT = "2026-11-21T08:00:05.000Z";
const v1Only = { config: { ...config, acceptedSchemaVersions: new Set([1] as const) } };

/** A valid quarantine line of a v1 reading `n` (so it delivers), with `extra` fields over it. */
function line(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    recordId: `${SHARD}:${sequenceNumber(n)}`,
    partitionKey: "VIN-1",
    reason: "SCHEMA_UNSUPPORTED",
    details: [],
    shardId: SHARD,
    sequenceNumber: sequenceNumber(n),
    arrivalTime: "2026-11-21T08:00:00.125Z",
    sourceAccount: ACCOUNT,
    sourceStream: "vehicle-telemetry",
    quarantinedAt: "2026-11-21T08:00:01.000Z",
    data: v1(n).toString("base64"),
    ...extra,
  };
}

const QUARANTINE_KEY = "quarantine/2026/11/21/07/vehicle-telemetry/s/1-r.ndjson";
const QUARANTINE_OBJECT = `s3://${config.quarantineBucket}/${QUARANTINE_KEY}`;

/** A source bucket holding one quarantine object of `lines`. */
function quarantineStore(lines: readonly Record<string, unknown>[]) {
  const store = memoryStore();
  store.objects.set(`${config.quarantineBucket}/${QUARANTINE_KEY}`, {
    body: `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`,
    modifiedMs: 0,
  });
  return store;
}

/** One chunk with no deadline pressure. */
const chunk = (req: RedriveRequest, deps: RedriveDeps) =>
  redriveChunk(req, undefined, deps, Number.MAX_SAFE_INTEGER, "req").then((r) => r.summary);

function valid(text: string): boolean {
  return typeof parseQuarantineLine(text) !== "string";
}

describe("parseQuarantineLine", () => {
  it.each([
    ["{not json", /^not JSON: \S/],
    ["null", /^not a JSON object$/],
    ["[]", /^not a JSON object$/],
    ["42", /^not a JSON object$/],
    ['"text"', /^not a JSON object$/],
  ])("rejects %s as not a line", (text, message) => {
    expect(parseQuarantineLine(text)).toMatch(message);
  });

  it.each([
    "recordId",
    "partitionKey",
    "reason",
    "shardId",
    "sequenceNumber",
    "arrivalTime",
    "sourceAccount",
    "sourceStream",
    "data",
  ])("names a missing or non-string %s", (field) => {
    expect(parseQuarantineLine(JSON.stringify(line(1, { [field]: undefined })))).toBe(
      `${field} is missing or not a string`,
    );
    expect(parseQuarantineLine(JSON.stringify(line(1, { [field]: 7 })))).toBe(`${field} is missing or not a string`);
  });

  it.each([
    [{ sequenceNumber: "x123" }, "sequenceNumber is not a Kinesis sequence number"],
    [{ sequenceNumber: "123x" }, "sequenceNumber is not a Kinesis sequence number"],
    [{ sequenceNumber: "1".repeat(129) }, "sequenceNumber is not a Kinesis sequence number"],
    [{ data: "!AAAA" }, "data is not base64"],
    [{ data: "AAAA!" }, "data is not base64"],
    [{ arrivalTime: "yesterday" }, "arrivalTime is not a date"],
    [{ subSequenceNumber: 1.5 }, "subSequenceNumber is not an integer"],
    [{ subSequenceNumber: "2" }, "subSequenceNumber is not an integer"],
    [{ redrive: {} }, "redrive.attempt is not an integer ≥ 1"],
    [{ redrive: { attempt: 0 } }, "redrive.attempt is not an integer ≥ 1"],
    [{ redrive: { attempt: 1.5 } }, "redrive.attempt is not an integer ≥ 1"],
    [{ redrive: { attempt: "2" } }, "redrive.attempt is not an integer ≥ 1"],
  ])("rejects a line with %j: %s", (extra, message) => {
    expect(parseQuarantineLine(JSON.stringify(line(1, extra)))).toBe(message);
  });

  it("accepts a line with or without a subSequenceNumber and a redrive attempt of 1 or more", () => {
    const plain = line(1);
    expect(parseQuarantineLine(JSON.stringify(plain))).toEqual(plain);
    expect(valid(JSON.stringify(line(1, { subSequenceNumber: 0, data: "" })))).toBe(true);
    expect(valid(JSON.stringify(line(1, { sequenceNumber: "1".repeat(128) })))).toBe(true);
    for (const attempt of [1, 2, 40])
      expect(valid(JSON.stringify(line(1, { redrive: { source: "quarantine", attempt } })))).toBe(true);
  });
});

/** An on-failure record of Lambda's S3 destination for `info` over the defaults, with `extra` top-level fields. */
function onFailure(info: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): string {
  const batch = mixedBatch();
  return JSON.stringify({
    requestContext: { condition: "RetryAttemptsExhausted", approximateInvokeCount: 3 },
    responseContext: {},
    version: "1.0",
    timestamp: "2026-11-21T08:00:10Z",
    KinesisBatchInfo: {
      shardId: SHARD,
      startSequenceNumber: batch[0]?.kinesis.sequenceNumber,
      endSequenceNumber: batch[2]?.kinesis.sequenceNumber,
      approximateArrivalOfFirstRecord: "2026-11-21T08:00:00Z",
      approximateArrivalOfLastRecord: "2026-11-21T08:00:02Z",
      batchSize: 3,
      streamArn: STREAM_ARN,
      ...info,
    },
    ...extra,
  });
}

describe("parseOnFailureRecord", () => {
  it.each([
    ["{not json", /^not JSON: \S/],
    ["null", /^no KinesisBatchInfo$/],
    ["{}", /^no KinesisBatchInfo$/],
    ['{"KinesisBatchInfo":null}', /^no KinesisBatchInfo$/],
    ['{"KinesisBatchInfo":"shardId"}', /^no KinesisBatchInfo$/],
  ])("rejects %s", (text, message) => {
    expect(parseOnFailureRecord(text)).toMatch(message);
  });

  it.each(["shardId", "startSequenceNumber", "endSequenceNumber", "streamArn"])(
    "names a missing or non-string KinesisBatchInfo.%s",
    (field) => {
      expect(parseOnFailureRecord(onFailure({ [field]: undefined }))).toBe(
        `KinesisBatchInfo.${field} is missing or not a string`,
      );
      expect(parseOnFailureRecord(onFailure({ [field]: 1 }))).toBe(
        `KinesisBatchInfo.${field} is missing or not a string`,
      );
    },
  );

  it.each([
    [{ startSequenceNumber: "x1" }, "KinesisBatchInfo's sequence numbers are not Kinesis sequence numbers"],
    [{ startSequenceNumber: "1x" }, "KinesisBatchInfo's sequence numbers are not Kinesis sequence numbers"],
    [{ endSequenceNumber: "x1" }, "KinesisBatchInfo's sequence numbers are not Kinesis sequence numbers"],
    [{ endSequenceNumber: "1x" }, "KinesisBatchInfo's sequence numbers are not Kinesis sequence numbers"],
    [{ streamArn: `x${STREAM_ARN}` }, "KinesisBatchInfo.streamArn is not a Kinesis stream ARN"],
    [{ streamArn: `${STREAM_ARN}/consumer/x` }, "KinesisBatchInfo.streamArn is not a Kinesis stream ARN"],
  ])("rejects KinesisBatchInfo with %j", (info, message) => {
    expect(parseOnFailureRecord(onFailure(info))).toBe(message);
  });

  it("takes the batch from KinesisBatchInfo; a batchSize that is not an integer counts as 0", () => {
    const parsed = parseOnFailureRecord(onFailure());
    expect(parsed).toMatchObject({
      batch: { shardId: SHARD, batchSize: 3, streamArn: STREAM_ARN },
      payload: undefined,
    });
    expect(parseOnFailureRecord(onFailure({ batchSize: "3" }))).toMatchObject({ batch: { batchSize: 0 } });
  });

  it("uses an invocation payload given as an object or as a JSON string", () => {
    const Records = mixedBatch();
    expect(parseOnFailureRecord(onFailure({}, { payload: { Records } }))).toMatchObject({ payload: Records });
    expect(parseOnFailureRecord(onFailure({}, { payload: JSON.stringify({ Records }) }))).toMatchObject({
      payload: Records,
    });
  });

  const good = mixedBatch()[0] as KinesisStreamRecord;
  it.each([
    ["a string that is not JSON", "{Records"],
    ["no Records", {}],
    ["Records not a list", { Records: { 0: good } }],
    ["a null record", { Records: [good, null] }],
    ["a record without kinesis", { Records: [good, {}] }],
    ["a record without data", { Records: [good, { kinesis: { sequenceNumber: "1" } }] }],
    ["a record without sequenceNumber", { Records: [good, { kinesis: { data: "AAAA" } }] }],
    ["a record with a numeric sequenceNumber", { Records: [{ kinesis: { data: "AAAA", sequenceNumber: 1 } }, good] }],
  ])("ignores a payload with %s (the range is read from the stream instead)", (_, payload) => {
    const parsed = parseOnFailureRecord(onFailure({}, { payload }));
    expect(parsed).toMatchObject({ batch: { shardId: SHARD } });
    expect((parsed as { payload: unknown }).payload).toBeUndefined();
  });

  it.each<[string, (r: Record<string, unknown> & { kinesis: Record<string, unknown> }) => void, string]>([
    [
      "without approximateArrivalTimestamp",
      (r) => delete r.kinesis.approximateArrivalTimestamp,
      "kinesis.approximateArrivalTimestamp",
    ],
    [
      "with an arrival time no Date holds",
      (r) => (r.kinesis.approximateArrivalTimestamp = 1e300),
      "kinesis.approximateArrivalTimestamp",
    ],
    ["without eventID", (r) => delete r.eventID, "eventID"],
    ["without eventSourceARN", (r) => delete r.eventSourceARN, "eventSourceARN"],
    ["with a numeric partitionKey", (r) => (r.kinesis.partitionKey = 7), "kinesis.partitionKey"],
  ])(
    "checks a payload's records as the live event's are: one %s makes it unusable, and says why",
    (_what, breakIt, field) => {
      const Records = structuredClone(mixedBatch()) as unknown as (Record<string, unknown> & {
        kinesis: Record<string, unknown>;
      })[];
      breakIt(Records[1] as (typeof Records)[number]);
      const parsed = parseOnFailureRecord(onFailure({}, { payload: { Records } }));
      expect(parsed).toMatchObject({
        payload: undefined,
        payloadProblem: expect.stringMatching(
          `^the payload is unusable \\(event\\.Records\\[1\\]\\.${field.replace(".", "\\.")} must be`,
        ),
      });
    },
  );
});

describe("redrive from quarantine: filters and what processBatch is given", () => {
  const mixed = () => [
    line(1),
    line(2, { partitionKey: "VIN-2" }),
    line(3, { reason: "SCHEMA_INVALID" }),
    line(4, { reason: "SCHEMA_INVALID", partitionKey: "VIN-2" }),
  ];

  it("skips lines of other reasons", async () => {
    const summary = await chunk(
      request({ dryRun: true, reasons: ["SCHEMA_INVALID"] }),
      redriveDeps(quarantineStore(mixed())),
    );
    expect(summary).toMatchObject({ read: 4, skipped: 2, wouldRedrive: { SCHEMA_INVALID: 2 } });
    expect(summary.wouldRedrive).toEqual({ SCHEMA_INVALID: 2 });
  });

  it("skips lines of other partition keys", async () => {
    const summary = await chunk(
      request({ dryRun: true, partitionKeys: ["VIN-2"] }),
      redriveDeps(quarantineStore(mixed())),
    );
    expect(summary).toMatchObject({ read: 4, skipped: 2 });
    expect(summary.wouldRedrive).toEqual({ SCHEMA_UNSUPPORTED: 1, SCHEMA_INVALID: 1 });
  });

  it("applies every filter given: reason and partition key together", async () => {
    const summary = await chunk(
      request({ dryRun: true, reasons: ["SCHEMA_INVALID"], partitionKeys: ["VIN-1"] }),
      redriveDeps(quarantineStore(mixed())),
    );
    expect(summary).toMatchObject({ read: 4, skipped: 3, wouldRedrive: { SCHEMA_INVALID: 1 } });
  });

  it("hands processBatch records shaped as the trigger's, with the line's identity and origin", async () => {
    const first = line(1);
    const second = line(2, { subSequenceNumber: 0, redrive: { source: "quarantine", attempt: 2 } });
    const deps = redriveDeps(quarantineStore([first, second]));
    const summary = await chunk(request(), deps);
    expect(summary).toMatchObject({ read: 2, delivered: 2 });
    expect(spy).toHaveBeenCalledTimes(1);
    const [records, context] = spy.mock.calls[0] as Parameters<typeof processBatch>;
    expect(records).toStrictEqual(
      [first, second].map((l) => ({
        kinesis: {
          kinesisSchemaVersion: "1.0",
          partitionKey: l.partitionKey,
          sequenceNumber: l.sequenceNumber,
          data: l.data,
          approximateArrivalTimestamp: Date.parse(l.arrivalTime as string) / 1000,
        },
        eventSource: "aws:kinesis",
        eventVersion: "1.0",
        eventID: `${SHARD}:${l.sequenceNumber}`,
        eventName: "aws:kinesis:record",
        invokeIdentityArn: "",
        awsRegion: "",
        eventSourceARN: `arn:aws:kinesis:unknown:${ACCOUNT}:stream/vehicle-telemetry`,
      })),
    );
    expect(context.origins).toStrictEqual([
      { redrive: { source: "quarantine", object: QUARANTINE_OBJECT, line: 1, at: AT, attempt: 1 } },
      {
        subSequenceNumber: 0,
        redrive: { source: "quarantine", object: QUARANTINE_OBJECT, line: 2, at: AT, attempt: 3 },
      },
    ]);
  });

  it("reads a redriven aggregate entry as the live path did: bytes that are themselves an aggregate are never de-aggregated again", async () => {
    // Live: an aggregate whose entry 1 holds another aggregate's bytes; that entry is quarantined as
    // UTF8_INVALID (an entry is a user record, read as JSON), the others delivered.
    const inner = kplAggregate([
      { partitionKey: "VIN-1", data: v1(30) },
      { partitionKey: "VIN-1", data: v1(31) },
    ]);
    const outer = kinesisRecord({
      data: kplAggregate([
        { partitionKey: "VIN-1", data: v1(32) },
        { partitionKey: "VIN-X", data: inner },
      ]),
      partitionKey: "agg",
      n: 32,
    });
    const live = await processBatch(
      [outer],
      { deadlineMs: Number.MAX_SAFE_INTEGER, requestId: "live" },
      redriveDeps(memoryStore()),
    );
    expect(live.stats.quarantined.UTF8_INVALID).toBe(1);
    const [quarantined] = Buffer.from(s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Body as Uint8Array)
      .toString()
      .split("\n");
    const entry = JSON.parse(quarantined as string);
    expect(entry).toMatchObject({ recordId: `${outer.eventID}:1`, subSequenceNumber: 1, reason: "UTF8_INVALID" });
    firehose.resetHistory();
    s3.resetHistory();

    // Redriven: the same verdict for the same recordId; the inner readings never come out under it.
    const summary = await chunk(request(), redriveDeps(quarantineStore([entry])));

    expect(summary).toMatchObject({ read: 1, delivered: 0, quarantinedAgain: { UTF8_INVALID: 1 }, failed: 0 });
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
    const again = JSON.parse(
      Buffer.from(s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Body as Uint8Array)
        .toString()
        .split("\n")[0] as string,
    );
    expect(again).toMatchObject({
      recordId: entry.recordId,
      subSequenceNumber: 1,
      reason: "UTF8_INVALID",
      data: entry.data,
    });
  });

  it("counts only the reasons it quarantined again, and writes the manifest of what it took", async () => {
    const store = quarantineStore([line(1), line(2, { data: v2(2).toString("base64") })]);
    const summary = await chunk(request(), redriveDeps(store, v1Only));
    expect(summary.quarantinedAgain).toEqual({ SCHEMA_UNSUPPORTED: 1 });
    expect(summary).toMatchObject({ delivered: 1, failed: 0 });
    const manifest = JSON.parse(
      store.objects.get(
        `${config.quarantineBucket}/redrive/manifests/${config.quarantineBucket}/${QUARANTINE_KEY}.json`,
      )?.body as string,
    );
    expect(manifest).toEqual({ source: QUARANTINE_OBJECT, updatedAt: AT, ids: [line(1).recordId, line(2).recordId] });
  });
});

/** The records of `mixedBatch()` as Kinesis GetRecords returns them. */
function streamRecords(): StreamRecord[] {
  return mixedBatch().map((r) => ({
    sequenceNumber: r.kinesis.sequenceNumber,
    partitionKey: r.kinesis.partitionKey,
    data: Buffer.from(r.kinesis.data, "base64"),
    arrivalMs: r.kinesis.approximateArrivalTimestamp * 1000,
  }));
}

type Page = { records: StreamRecord[]; behindMs: number };

/**
 * A shard read page by page: `pages` in order, then `rest` for every later read, each with a next
 * iterator until `maxReads` reads (so a reader that never stops would end there and show it).
 */
function scriptedShard(pages: Page[], rest: Page = { records: [], behindMs: 0 }, maxReads = 20) {
  const reads: string[] = [];
  const reader: StreamReader = {
    async iteratorAt(arn, shardId, sequence) {
      expect([arn, shardId]).toEqual([STREAM_ARN, SHARD]);
      return `it-0-${sequence}`;
    },
    async read(arn, iterator) {
      expect(arn).toBe(STREAM_ARN);
      reads.push(iterator);
      const page = pages[reads.length - 1] ?? rest;
      return { ...page, next: reads.length < maxReads ? `it-${reads.length}` : undefined };
    },
  };
  return { reader, reads };
}

const FAILURE_KEY = "kinesis/shardId-000000000000/1.json";
const FAILURE_OBJECT = `s3://failure-bucket/${FAILURE_KEY}`;
const onFailureRequest = (extra: Record<string, unknown> = {}) =>
  parseRedriveRequest({ source: "on-failure", bucket: "failure-bucket", ...extra }, config.quarantinePrefix);

/** A failure bucket with one on-failure record per body, keyed 1.json, 2.json, ... */
function failureStore(...bodies: string[]) {
  const store = memoryStore();
  bodies.forEach((body, i) => {
    store.objects.set(`failure-bucket/kinesis/shardId-000000000000/${i + 1}.json`, { body, modifiedMs: 0 });
  });
  return store;
}

const batch = mixedBatch();
const first = batch[0]?.kinesis.sequenceNumber as string;
const last = batch[2]?.kinesis.sequenceNumber as string;
const range = { object: FAILURE_OBJECT, shardId: SHARD, startSequenceNumber: first, endSequenceNumber: last };

describe("redrive from the on-failure destination: payload, dry run, filters and manifest", () => {
  it("redrives the records the on-failure record carries, without reading the stream", async () => {
    const body = onFailure({ batchSize: 7 }, { payload: { Records: batch } });
    const summary = await chunk(onFailureRequest(), redriveDeps(failureStore(body)));
    expect(summary.ranges).toEqual([{ ...range, batchSize: 7, found: 3, status: "payload" }]);
    expect(summary).toMatchObject({ read: 3, delivered: 5, expired: 0 });
    const [records, context] = spy.mock.calls[0] as Parameters<typeof processBatch>;
    expect(records).toEqual(batch);
    expect(context.origins).toStrictEqual(
      batch.map(() => ({ redrive: { source: "on-failure", object: FAILURE_OBJECT, at: AT, attempt: 1 } })),
    );
  });

  it("a dry run counts a payload's records one by one, and a range without payload by its batchSize, unread", async () => {
    const stream = scriptedShard([{ records: streamRecords(), behindMs: 0 }]);
    const summary = await chunk(
      onFailureRequest({ dryRun: true }),
      redriveDeps(
        failureStore(
          onFailure({ batchSize: 7 }, { payload: { Records: batch } }),
          onFailure({ batchSize: 4 }),
          onFailure({ batchSize: 5 }),
        ),
        { stream: stream.reader },
      ),
    );
    expect(summary.wouldRedrive).toEqual({ RetryAttemptsExhausted: 3 + 4 + 5 });
    expect(summary.ranges).toEqual([{ ...range, batchSize: 7, found: 3, status: "payload" }]);
    expect(summary).toMatchObject({ read: 3, expired: 0, objects: 3 });
    expect(stream.reads).toEqual([]);
    expect(spy).not.toHaveBeenCalled();
  });

  it("skips records of other partition keys or other shard:sequence ids", async () => {
    const body = onFailure({}, { payload: { Records: batch } });
    const byKey = await chunk(
      onFailureRequest({ dryRun: true, partitionKeys: ["VIN-2"] }),
      redriveDeps(failureStore(body)),
    );
    expect(byKey).toMatchObject({ read: 3, skipped: 2, wouldRedrive: { RetryAttemptsExhausted: 1 } });
    const byId = await chunk(
      onFailureRequest({ dryRun: true, recordIds: [`${SHARD}:${last}`, `${SHARD}:${first}`] }),
      redriveDeps(failureStore(body)),
    );
    expect(byId).toMatchObject({ read: 3, skipped: 1, wouldRedrive: { RetryAttemptsExhausted: 2 } });
    const both = await chunk(
      onFailureRequest({ dryRun: true, partitionKeys: ["VIN-1", "agg"], recordIds: [`${SHARD}:${last}`] }),
      redriveDeps(failureStore(body)),
    );
    expect(both).toMatchObject({ read: 3, skipped: 2, wouldRedrive: { RetryAttemptsExhausted: 1 } });
  });

  it("lists each record by shard:sequence in the manifest, and skips them next time unless forced", async () => {
    const store = failureStore(onFailure({}, { payload: { Records: batch } }));
    const once = await chunk(onFailureRequest(), redriveDeps(store));
    expect(once).toMatchObject({ delivered: 5, alreadyRedriven: 0 });
    const manifest = JSON.parse(
      store.objects.get(`${config.quarantineBucket}/redrive/manifests/failure-bucket/${FAILURE_KEY}.json`)
        ?.body as string,
    );
    expect(manifest).toEqual({
      source: FAILURE_OBJECT,
      updatedAt: AT,
      ids: batch.map((r) => `${SHARD}:${r.kinesis.sequenceNumber}`),
    });
    const again = await chunk(onFailureRequest(), redriveDeps(store));
    expect(again).toMatchObject({ read: 3, delivered: 0, alreadyRedriven: 3 });
    const forced = await chunk(onFailureRequest({ force: true }), redriveDeps(store));
    expect(forced).toMatchObject({ read: 3, delivered: 5, alreadyRedriven: 0 });
  });

  it("counts each user record once, a failed one as failed, and lists every record done in the manifest, after the rewind point too", async () => {
    // Record 1 (v2) is rejected and its quarantine write fails: processBatch rewinds to it, but record
    // 2, after it, was delivered (Firehose confirmed it), so it is done and listed.
    s3.on(PutObjectCommand).rejects(Object.assign(new Error("slow down"), { name: "SlowDown" }));
    const records = [
      kinesisRecord({ data: v1(10), partitionKey: "VIN-1", n: 10 }),
      kinesisRecord({ data: v2(11), partitionKey: "VIN-2", n: 11 }),
      kinesisRecord({ data: v1(12), partitionKey: "VIN-1", n: 12 }),
    ];
    const store = failureStore(onFailure({}, { payload: { Records: records } }));
    const summary = await chunk(onFailureRequest(), redriveDeps(store, v1Only));
    expect(summary).toMatchObject({ read: 3, delivered: 2, failed: 1 });
    expect(summary.quarantinedAgain).toEqual({});
    const manifest = JSON.parse(
      store.objects.get(`${config.quarantineBucket}/redrive/manifests/failure-bucket/${FAILURE_KEY}.json`)
        ?.body as string,
    );
    expect(manifest.ids).toEqual([`${SHARD}:${sequenceNumber(10)}`, `${SHARD}:${sequenceNumber(12)}`]);
    // The next run redrives the failed record alone.
    s3.on(PutObjectCommand).resolves({});
    const again = await chunk(onFailureRequest(), redriveDeps(store, v1Only));
    expect(again).toMatchObject({
      read: 3,
      alreadyRedriven: 2,
      delivered: 0,
      quarantinedAgain: { SCHEMA_UNSUPPORTED: 1 },
    });
  });

  it("counts an aggregate's user records once each when Firehose refuses their lines, and lists the records done", async () => {
    // One line a Firehose record, all in one call; Firehose refuses, every time, the lines of the
    // aggregate's VIN-FAIL entries, and confirms the others.
    firehose.on(PutRecordBatchCommand).callsFake((input) => {
      const responses = input.Records.map((r: { Data: Uint8Array }) =>
        Buffer.from(r.Data).includes("VIN-FAIL")
          ? { ErrorCode: "ServiceUnavailableException", ErrorMessage: "busy" }
          : { RecordId: "r" },
      );
      return {
        FailedPutCount: responses.filter((r: { ErrorCode?: string }) => r.ErrorCode).length,
        RequestResponses: responses,
      };
    });
    const records = [
      kinesisRecord({ data: v1(20), partitionKey: "VIN-1", n: 20 }),
      kinesisRecord({
        data: kplAggregate([0, 1, 2].map((i) => ({ partitionKey: i === 1 ? "VIN-OK" : "VIN-FAIL", data: v1(21 + i) }))),
        partitionKey: "agg",
        n: 21,
      }),
      kinesisRecord({ data: v1(24), partitionKey: "VIN-2", n: 24 }),
    ];
    const store = failureStore(onFailure({}, { payload: { Records: records } }));
    const limits = { recordBytes: 1_000, batchRecords: 10, batchBytes: 10_000 };

    const summary = await chunk(onFailureRequest(), redriveDeps(store, { limits }));

    // 5 user records: 3 delivered (the aggregate's VIN-OK entry among them), its 2 VIN-FAIL entries failed.
    expect(summary).toMatchObject({ read: 3, delivered: 3, failed: 2, quarantinedAgain: {} });
    const manifest = JSON.parse(
      store.objects.get(`${config.quarantineBucket}/redrive/manifests/failure-bucket/${FAILURE_KEY}.json`)
        ?.body as string,
    );
    expect(manifest.ids).toEqual([`${SHARD}:${sequenceNumber(20)}`, `${SHARD}:${sequenceNumber(24)}`]);
  });

  it("reports a manifest it cannot write, with its key and the error, and goes on", async () => {
    const store = failureStore(
      onFailure({}, { payload: { Records: batch.slice(0, 1) } }),
      onFailure({}, { payload: { Records: batch.slice(1, 2) } }),
    );
    let puts = 0;
    store.put = async () => {
      puts++;
      if (puts === 1) throw Object.assign(new Error("no write"), { name: "AccessDenied" });
      throw "disk full";
    };
    const summary = await chunk(onFailureRequest(), redriveDeps(store));
    expect(summary.delivered).toBe(2);
    const manifest = (n: number) => `redrive/manifests/failure-bucket/kinesis/shardId-000000000000/${n}.json.json`;
    expect(summary.manifestErrors).toEqual([`${manifest(1)}: AccessDenied: no write`, `${manifest(2)}: disk full`]);
  });
});

describe("redrive from the on-failure destination: reading the range back from the stream", () => {
  const deps = (stream: StreamReader | undefined, ...bodies: string[]) =>
    redriveDeps(failureStore(...(bodies.length ? bodies : [onFailure()])), stream ? { stream } : {});

  it("reports every record of the range as trimmed when no stream reader is configured", async () => {
    const summary = await chunk(onFailureRequest(), deps(undefined, onFailure({ batchSize: 4 })));
    expect(summary.ranges).toEqual([
      { ...range, batchSize: 4, found: 0, status: "trimmed", detail: "no stream reader configured" },
    ]);
    expect(summary).toMatchObject({ read: 0, expired: 4 });
  });

  it("counts nothing expired when the whole range is read back, whatever the batchSize says", async () => {
    const stream = scriptedShard([{ records: streamRecords(), behindMs: 0 }]);
    const summary = await chunk(onFailureRequest(), deps(stream.reader, onFailure({ batchSize: 4 })));
    expect(summary.ranges).toEqual([{ ...range, batchSize: 4, found: 3, status: "stream" }]);
    expect(summary).toMatchObject({ expired: 0, delivered: 5 });
  });

  it("stops at the first record past the range's end, without reading further", async () => {
    const beyond = { ...(streamRecords()[0] as StreamRecord), sequenceNumber: (BigInt(last) + 1n).toString() };
    const stream = scriptedShard([{ records: [...streamRecords(), beyond, ...streamRecords()], behindMs: 0 }]);
    const summary = await chunk(onFailureRequest(), deps(stream.reader));
    expect(summary.ranges).toEqual([{ ...range, batchSize: 3, found: 3, status: "stream" }]);
    expect(stream.reads).toEqual([`it-0-${first}`]);
  });

  it("reads on through empty pages while the shard is behind, and ends at an empty page once caught up", async () => {
    const behind = { records: [], behindMs: 60_000 };
    const stream = scriptedShard(
      [behind, behind, { records: streamRecords(), behindMs: 0 }, { records: [], behindMs: 0 }],
      behind,
    );
    const summary = await chunk(onFailureRequest(), deps(stream.reader));
    expect(summary.ranges).toEqual([{ ...range, batchSize: 3, found: 3, status: "stream" }]);
    expect(stream.reads).toEqual([`it-0-${first}`, "it-1", "it-2", "it-3"]);
  });

  it("gives up after five empty pages, reporting the range as gone", async () => {
    const stream = scriptedShard([], { records: [], behindMs: 60_000 });
    const summary = await chunk(onFailureRequest(), deps(stream.reader));
    expect(stream.reads).toHaveLength(5);
    expect(summary.ranges).toEqual([
      {
        ...range,
        batchSize: 3,
        found: 0,
        status: "expired",
        detail: "no record of the range is left in the stream",
      },
    ]);
    expect(summary.expired).toBe(3);
  });

  it("reports a range whose reads stop before its end as incomplete, its unread records failed (run again), not expired", async () => {
    const stream = scriptedShard([{ records: streamRecords().slice(0, 2), behindMs: 60_000 }], {
      records: [],
      behindMs: 60_000,
    });
    const summary = await chunk(onFailureRequest(), deps(stream.reader, onFailure({ batchSize: 3 })));
    expect(stream.reads).toHaveLength(6);
    expect(summary.ranges).toEqual([
      {
        ...range,
        batchSize: 3,
        found: 2,
        status: "incomplete",
        detail: `the stream gave no record after ${batch[1]?.kinesis.sequenceNumber}, before the range's end: run again`,
      },
    ]);
    expect(summary).toMatchObject({ read: 2, expired: 0, failed: 1 });
  });

  it("reads the range back from the stream when the payload fails the live event's checks, saying so, instead of wedging the chunk", async () => {
    const Records = structuredClone(mixedBatch());
    const broken = Records[2]?.kinesis as Partial<KinesisStreamRecord["kinesis"]>;
    delete broken.approximateArrivalTimestamp;
    const stream = scriptedShard([{ records: streamRecords(), behindMs: 0 }]);

    const summary = await chunk(onFailureRequest(), deps(stream.reader, onFailure({}, { payload: { Records } })));

    expect(summary.ranges).toEqual([
      {
        ...range,
        batchSize: 3,
        found: 3,
        status: "stream",
        detail:
          "the payload is unusable (event.Records[2].kinesis.approximateArrivalTimestamp must be a number of seconds (at most 8640000000000 from the epoch)): read back from the stream",
      },
    ]);
    expect(summary).toMatchObject({ read: 3, delivered: 5, failed: 0 });
  });

  it("says both why the payload was set aside and what the read back found", async () => {
    const Records = structuredClone(mixedBatch());
    delete (Records[0] as Partial<KinesisStreamRecord>).eventID;
    const stream = scriptedShard([{ records: streamRecords().slice(1), behindMs: 0 }]);

    const summary = await chunk(onFailureRequest(), deps(stream.reader, onFailure({}, { payload: { Records } })));

    expect(summary.ranges[0]).toMatchObject({
      status: "expired",
      detail: `the payload is unusable (event.Records[0].eventID must be a string): read back from the stream; the first record left is ${batch[1]?.kinesis.sequenceNumber}, after the range's start`,
    });
  });

  it("starts no read at or after the chunk's deadline less its reserve: the rest is incomplete (run again), never expired", async () => {
    const deadline = Date.parse("2026-11-21T08:00:05Z") + 60_000;
    for (const [reads, found] of [
      [0, 0],
      [1, 2],
    ] as const) {
      const clock = { ms: reads === 0 ? deadline - CHUNK_RESERVE_MS : deadline - 2 * CHUNK_RESERVE_MS };
      const shard = scriptedShard([{ records: streamRecords().slice(0, 2), behindMs: 60_000 }], {
        records: streamRecords().slice(2),
        behindMs: 0,
      });
      // The clock reaches the reserve after the first read.
      const reader: StreamReader = {
        iteratorAt: shard.reader.iteratorAt,
        async read(arn, iterator) {
          const page = await shard.reader.read(arn, iterator);
          clock.ms = deadline - CHUNK_RESERVE_MS;
          return page;
        },
      };
      const d = redriveDeps(failureStore(onFailure()), { stream: reader, now: () => clock.ms });

      const summary = (await redriveChunk(onFailureRequest(), undefined, d, deadline, "req")).summary;

      expect(shard.reads).toHaveLength(reads);
      const after = found === 0 ? "before the first read" : `after ${batch[1]?.kinesis.sequenceNumber}`;
      expect(summary.ranges).toEqual([
        {
          ...range,
          batchSize: 3,
          found,
          status: "incomplete",
          detail: `the chunk's time ran out (run again) ${after}, before the range's end`,
        },
      ]);
      expect(summary).toMatchObject({ read: found, expired: 0, failed: 3 - found });
    }
  });

  it("reads no more of a range than one Lambda batch holds: 10,000 records or 6 MiB of data", async () => {
    const records = (n: number, bytes: number): StreamRecord[] =>
      Array.from({ length: n }, (_, i) => ({
        sequenceNumber: (BigInt(first) + BigInt(i)).toString(),
        partitionKey: "VIN-1",
        data: Buffer.alloc(bytes, 0x78),
        arrivalMs: 1_795_248_000_000,
      }));
    const huge = { endSequenceNumber: (BigInt(first) + 20_000n).toString(), batchSize: 20_000 };
    // The records read are TOO_LARGE: 6 MiB of them make a quarantine object of several parts.
    acceptMultipart(s3);
    for (const [page, found] of [
      [records(10_001, 1), MAX_RANGE_RECORDS],
      [records(4, 1_700_000), 3],
      // Exactly 6 MiB in 4 records is one batch's worth; a fifth byte-long record is past it.
      [[...records(4, MAX_RANGE_BYTES / 4), ...records(5, 1).slice(4)], 4],
    ] as const) {
      const shard = scriptedShard([{ records: [...page], behindMs: 0 }]);
      const summary = await chunk(onFailureRequest({ dryRun: false }), deps(shard.reader, onFailure(huge)));
      expect(summary.ranges[0]).toMatchObject({
        found,
        status: "incomplete",
        detail: `the range holds more than one Lambda batch can (10000 records, 6291456 bytes of data): not read further after ${(BigInt(first) + BigInt(found - 1)).toString()}, before the range's end`,
      });
      expect(summary).toMatchObject({ read: found, expired: 0, failed: 20_000 - found });
    }
    expect(MAX_RANGE_BYTES).toBe(6 * 1024 * 1024);
  });

  it("names the first record left when the range's start is past retention", async () => {
    const stream = scriptedShard([{ records: streamRecords().slice(1), behindMs: 0 }]);
    const summary = await chunk(onFailureRequest(), deps(stream.reader));
    expect(summary.ranges[0]).toEqual({
      ...range,
      batchSize: 3,
      found: 2,
      status: "expired",
      detail: `the first record left is ${batch[1]?.kinesis.sequenceNumber}, after the range's start`,
    });
  });

  it.each(["InvalidArgumentException", "ResourceNotFoundException"])(
    "reports the range as trimmed when GetShardIterator answers %s",
    async (name) => {
      const refused: StreamReader = {
        async iteratorAt() {
          throw Object.assign(new Error("gone"), { name });
        },
        async read() {
          throw new Error("no read without an iterator");
        },
      };
      const summary = await chunk(onFailureRequest(), deps(refused));
      expect(summary.ranges).toEqual([
        { ...range, batchSize: 3, found: 0, status: "trimmed", detail: `${name}: gone` },
      ]);
      expect(summary.expired).toBe(3);
    },
  );

  it("fails the run on anything else GetShardIterator throws, even a non-Error", async () => {
    const odd: StreamReader = {
      async iteratorAt() {
        throw "InvalidArgumentException";
      },
      async read() {
        throw new Error("no read without an iterator");
      },
    };
    await expect(chunk(onFailureRequest(), deps(odd))).rejects.toBe("InvalidArgumentException");
  });
});
