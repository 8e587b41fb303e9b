/**
 * Redrive through the function's own path: records quarantined as SCHEMA_UNSUPPORTED come back with
 * their original identity (recordId with the aggregate entry's subSequence, partition key, arrival,
 * source) and an `ingest.redrive` block; once only (the manifest), in bounded chunks, bad lines
 * reported by object and line; on-failure ranges read back from the stream, expiry reported.
 * A chunk's bounds (maxBytes, the deadline's reserve, objects written since the run started), the
 * keys it reads (hours, keys that are no hour's, manifests, a vanished object) and the manifests it
 * reads and writes.
 * Firehose and the quarantine writer are aws-sdk-client-mock; the source bucket is a map behind
 * redrive's own `ObjectStore` interface (the moto-backed path is tests/integration/redrive.test.ts).
 */
import { FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { processBatch } from "../../../shared/batch/index.ts";
import {
  CHUNK_RESERVE_MS,
  parseRedriveRequest,
  RedriveRequestError,
  redriveChunk,
  type StreamReader,
} from "../../../shared/redrive/index.ts";
import { batchDeps, config, firehoseLines, quarantineLines } from "../../support/batch.ts";
import { memoryStore, mixedBatch, quarantineV2, redriveDeps, request, runAll } from "../../support/redrive.ts";

const firehose = mockClient(FirehoseClient);
const s3 = mockClient(S3Client);

beforeEach(() => {
  firehose.reset();
  s3.reset();
  firehose.on(PutRecordBatchCommand).callsFake((input) => ({
    FailedPutCount: 0,
    RequestResponses: input.Records.map(() => ({ RecordId: "r" })),
  }));
  s3.on(PutObjectCommand).resolves({});
});

describe("redrive from quarantine", () => {
  it("delivers quarantined v2 readings with the identity a direct delivery would have had, plus ingest.redrive", async () => {
    const store = memoryStore();
    const key = await quarantineV2(store, firehose, s3);

    // What the function delivers for the same batch when v2 is accepted: the reference identity.
    await processBatch(mixedBatch(), { deadlineMs: Number.MAX_SAFE_INTEGER, requestId: "direct" }, batchDeps());
    const direct = new Map(
      firehoseLines(firehose)
        .flat()
        .map((l) => [(l.ingest as { recordId: string }).recordId, l]),
    );
    firehose.resetHistory();

    const [summary] = await runAll(request(), redriveDeps(store));
    const redriven = firehoseLines(firehose).flat();
    expect(summary?.delivered).toBe(3);
    expect(redriven.map((l) => (l.ingest as { recordId: string }).recordId).sort()).toEqual(
      ["shardId-000000000000:49590338271490256608559692538361571095921575989136589898"].concat(
        [3, 4].map((sub) => `shardId-000000000000:49590338271490256608559692538361571095921575989136590898:${sub - 2}`),
      ),
    );
    for (const line of redriven) {
      const ingest = line.ingest as Record<string, unknown>;
      const original = direct.get(ingest.recordId as string) as Record<string, unknown>;
      const { processedAt: _a, redrive, ...kept } = ingest;
      const { processedAt: _b, ...originalKept } = original.ingest as Record<string, unknown>;
      expect(kept).toEqual(originalKept);
      expect(redrive).toMatchObject({
        source: "quarantine",
        object: `s3://${config.quarantineBucket}/${key}`,
        attempt: 1,
      });
      expect({ ...line, ingest: undefined }).toEqual({ ...original, ingest: undefined });
    }
  });

  it("does not deliver again on a second run unless forced; the source object is never written", async () => {
    const store = memoryStore();
    const key = await quarantineV2(store, firehose, s3);
    const source = store.objects.get(`${config.quarantineBucket}/${key}`)?.body;
    await runAll(request(), redriveDeps(store));
    firehose.resetHistory();

    const [again] = await runAll(request(), redriveDeps(store));
    expect(again).toMatchObject({ delivered: 0, alreadyRedriven: 3 });
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(0);

    const [forced] = await runAll(request({ force: true }), redriveDeps(store));
    expect(forced).toMatchObject({ delivered: 3, alreadyRedriven: 0 });
    expect(store.objects.get(`${config.quarantineBucket}/${key}`)?.body).toBe(source);
  });

  it("quarantines a still-unsupported record again, in a new object, with the attempt count", async () => {
    const store = memoryStore();
    await quarantineV2(store, firehose, s3);
    const held = redriveDeps(store, { config: { ...config, acceptedSchemaVersions: new Set([1] as const) } });
    const [summary] = await runAll(request(), held);
    expect(summary).toMatchObject({ delivered: 0, quarantinedAgain: { SCHEMA_UNSUPPORTED: 3 }, failed: 0 });
    const lines = quarantineLines(s3);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line.redrive).toMatchObject({ source: "quarantine", attempt: 1 });
    expect(lines.map((l) => l.subSequenceNumber)).toEqual([undefined, 1, 2]);
  });

  it("never reads back its own re-quarantine objects, even when S3's whole-second LastModified says they are older", async () => {
    const store = memoryStore();
    const key = await quarantineV2(store, firehose, s3);
    const source = store.objects.get(`${config.quarantineBucket}/${key}`) as { body: string; modifiedMs: number };
    store.objects.delete(`${config.quarantineBucket}/${key}`);
    // An hour before the clock: this run's re-quarantine objects (the clock's hour) list after it.
    store.objects.set(`${config.quarantineBucket}/quarantine/2026/11/21/07/vehicle-telemetry/s/1-r.ndjson`, source);
    s3.on(PutObjectCommand).callsFake((input) => {
      if (input.Key.startsWith("quarantine/"))
        store.objects.set(`${input.Bucket}/${input.Key}`, {
          body: Buffer.from(input.Body).toString("utf8"),
          modifiedMs: 0,
        });
      return {};
    });
    const held = redriveDeps(store, { config: { ...config, acceptedSchemaVersions: new Set([1] as const) } });
    const chunks = await runAll(request({ maxRecords: 1 }), held);
    expect(chunks.length).toBeLessThan(10);
    expect(chunks.reduce((n, c) => n + c.read, 0)).toBe(3);
    expect(quarantineLines(s3).map((l) => (l.redrive as { attempt: number }).attempt)).toEqual([1, 1, 1]);
  });

  it("reports a malformed line with its object and line number and redrives the rest", async () => {
    const store = memoryStore();
    const key = await quarantineV2(store, firehose, s3);
    const entry = store.objects.get(`${config.quarantineBucket}/${key}`) as { body: string };
    const lines = entry.body.trimEnd().split("\n");
    entry.body = [lines[0], "{not json", JSON.stringify({ recordId: "x" }), ...lines.slice(1)].join("\n");
    const [summary] = await runAll(request(), redriveDeps(store));
    expect(summary?.delivered).toBe(3);
    expect(summary?.malformed.map((m) => [m.object, m.line])).toEqual([
      [`s3://${config.quarantineBucket}/${key}`, 2],
      [`s3://${config.quarantineBucket}/${key}`, 3],
    ]);
  });

  it("works in chunks of maxRecords, each record once, until the continuation is empty", async () => {
    const store = memoryStore();
    await quarantineV2(store, firehose, s3);
    const chunks = await runAll(request({ maxRecords: 1 }), redriveDeps(store));
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks.reduce((n, c) => n + c.delivered, 0)).toBe(3);
    const ids = firehoseLines(firehose)
      .flat()
      .map((l) => (l.ingest as { recordId: string }).recordId);
    expect(new Set(ids).size).toBe(3);
  });

  it("reads only the quarantine keys of the hours asked for, and lists no further than the last", async () => {
    const store = memoryStore();
    const key = await quarantineV2(store, firehose, s3);
    const body = store.objects.get(`${config.quarantineBucket}/${key}`) as { body: string; modifiedMs: number };
    store.objects.delete(`${config.quarantineBucket}/${key}`);
    for (const hour of ["07", "08", "09", "10"])
      store.objects.set(
        `${config.quarantineBucket}/quarantine/2026/11/21/${hour}/vehicle-telemetry/s/1-r.ndjson`,
        body,
      );
    const listed: (string | undefined)[] = [];
    const list = store.list.bind(store);
    // One key a page, as S3 pages a long listing: a listing that went on would ask again.
    store.list = async (bucket, prefix, startAfter) => {
      listed.push(startAfter);
      const page = await list(bucket, prefix, startAfter);
      return { objects: page.objects.slice(0, 1), truncated: page.objects.length > 1 };
    };
    const [summary] = await runAll(request({ fromHour: "2026-11-21T08", toHour: "2026-11-21T08" }), redriveDeps(store));
    expect(summary).toMatchObject({ objects: 1, delivered: 3 });
    const eight = "quarantine/2026/11/21/08/vehicle-telemetry/s/1-r.ndjson";
    expect(listed).toEqual(["quarantine/2026/11/21/08", eight]);
  });

  it("filters by recordId and partition key, and a dry run writes nothing", async () => {
    const store = memoryStore();
    await quarantineV2(store, firehose, s3);
    const [dry] = await runAll(request({ dryRun: true }), redriveDeps(store));
    expect(dry).toMatchObject({ wouldRedrive: { SCHEMA_UNSUPPORTED: 3 }, delivered: 0 });
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
    expect([...store.objects.keys()].some((k) => k.includes("redrive/manifests/"))).toBe(false);

    const [one] = await runAll(
      request({ partitionKeys: ["VIN-2"], reasons: ["SCHEMA_UNSUPPORTED"] }),
      redriveDeps(store),
    );
    expect(one).toMatchObject({ delivered: 3, skipped: 0 });
    const [none] = await runAll(request({ recordIds: ["no-such-id"], force: true }), redriveDeps(store));
    expect(none).toMatchObject({ delivered: 0, skipped: 3 });
  });
});

describe("redrive from the on-failure destination", () => {
  const streamArn = "arn:aws:kinesis:eu-west-1:111122223333:stream/vehicle-telemetry";
  const batch = mixedBatch();
  const onFailure = (start: string, end: string) =>
    JSON.stringify({
      requestContext: { condition: "RetryAttemptsExhausted", approximateInvokeCount: 3 },
      responseContext: {},
      version: "1.0",
      timestamp: "2026-11-21T08:00:10Z",
      KinesisBatchInfo: {
        shardId: "shardId-000000000000",
        startSequenceNumber: start,
        endSequenceNumber: end,
        approximateArrivalOfFirstRecord: "2026-11-21T08:00:00Z",
        approximateArrivalOfLastRecord: "2026-11-21T08:00:02Z",
        batchSize: 3,
        streamArn,
      },
    });
  /** The shard as GetRecords returns it, from `from` on. */
  const shard = (from: number): StreamReader => ({
    async iteratorAt(_arn, _shard, sequenceNumber) {
      return sequenceNumber;
    },
    async read(_arn, _iterator) {
      return {
        records: batch.slice(from).map((r) => ({
          sequenceNumber: r.kinesis.sequenceNumber,
          partitionKey: r.kinesis.partitionKey,
          data: Buffer.from(r.kinesis.data, "base64"),
          arrivalMs: r.kinesis.approximateArrivalTimestamp * 1000,
        })),
        next: undefined,
        behindMs: 0,
      };
    },
  });
  const failureStore = () => {
    const store = memoryStore();
    const first = batch[0]?.kinesis.sequenceNumber as string;
    const last = batch[2]?.kinesis.sequenceNumber as string;
    store.objects.set("failure-bucket/kinesis/shardId-000000000000/1.json", {
      body: onFailure(first, last),
      modifiedMs: 0,
    });
    store.objects.set("failure-bucket/kinesis/shardId-000000000000/2.json", { body: "{}", modifiedMs: 0 });
    return store;
  };
  const onFailureRequest = parseRedriveRequest(
    { source: "on-failure", bucket: "failure-bucket" },
    config.quarantinePrefix,
  );

  it("reads the range back from the stream and delivers every user record with its recordId", async () => {
    const [summary] = await runAll(onFailureRequest, redriveDeps(failureStore(), { stream: shard(0) }));
    expect(summary).toMatchObject({ read: 3, delivered: 5, expired: 0 });
    expect(summary?.ranges[0]).toMatchObject({ status: "stream", found: 3 });
    expect(summary?.malformed).toEqual([
      { object: "s3://failure-bucket/kinesis/shardId-000000000000/2.json", line: 1, error: "no KinesisBatchInfo" },
    ]);
    const ids = firehoseLines(firehose)
      .flat()
      .map((l) => (l.ingest as { recordId: string }).recordId);
    expect(ids).toHaveLength(5);
    expect(ids.filter((id) => id.split(":").length === 3)).toHaveLength(3);
  });

  it("reports what is past the stream's retention: the first record returned is after the start", async () => {
    const [summary] = await runAll(onFailureRequest, redriveDeps(failureStore(), { stream: shard(1) }));
    expect(summary?.ranges[0]).toMatchObject({ status: "expired", found: 2 });
    expect(summary?.expired).toBe(1);
    expect(summary?.delivered).toBe(4);
  });

  it("reports a range whose iterator Kinesis refuses as trimmed", async () => {
    const refused: StreamReader = {
      ...shard(0),
      async iteratorAt() {
        throw Object.assign(new Error("sequence number past retention"), { name: "InvalidArgumentException" });
      },
    };
    const [summary] = await runAll(onFailureRequest, redriveDeps(failureStore(), { stream: refused }));
    expect(summary?.ranges[0]).toMatchObject({ status: "trimmed", found: 0 });
    expect(summary?.expired).toBe(3);
  });

  it("stops on a stream error that does not mean the records are gone, rather than count them expired", async () => {
    const denied: StreamReader = {
      ...shard(0),
      async iteratorAt() {
        throw Object.assign(new Error("not authorized to perform kinesis:GetShardIterator"), {
          name: "AccessDeniedException",
        });
      },
    };
    await expect(runAll(onFailureRequest, redriveDeps(failureStore(), { stream: denied }))).rejects.toThrow(
      "not authorized",
    );
  });
});

describe("parseRedriveRequest", () => {
  it.each([
    [{ source: "s3", bucket: "b-b" }, "source must be"],
    [{ source: "quarantine", bucket: "B" }, "bucket must be"],
    [{ source: "quarantine", bucket: "bbb", fromHour: "2026-11-21" }, "fromHour must be an hour"],
    [{ source: "quarantine", bucket: "bbb", reasons: ["NOPE"] }, 'unknown reason "NOPE"'],
    [{ source: "on-failure", bucket: "bbb", reasons: ["SCHEMA_UNSUPPORTED"] }, "quarantine source only"],
    [{ source: "quarantine", bucket: "bbb", maxRecords: 0 }, "maxRecords must be an integer from 1 to 10000"],
    [{ source: "quarantine", bucket: "bbb", reason: ["SCHEMA_UNSUPPORTED"] }, 'unknown field "reason"'],
  ])("rejects %j", (input, message) => {
    expect(() => parseRedriveRequest(input, config.quarantinePrefix)).toThrow(RedriveRequestError);
    expect(() => parseRedriveRequest(input, config.quarantinePrefix)).toThrow(message);
  });

  it("rejects a continuation token it did not make", async () => {
    await expect(redriveChunk(request(), "bm9wZQ", redriveDeps(memoryStore()), 0, "r")).rejects.toThrow(
      "continuation is not a token",
    );
  });
});

describe("a chunk's bounds, the keys it reads and the manifests", () => {
  const bucket = config.quarantineBucket;
  const hourKey = (hour: string) => `quarantine/2026/11/21/${hour}/vehicle-telemetry/s/1-r.ndjson`;

  /** The quarantine object of the mixed batch (3 lines, v2) under each of `keys`, and the keys read. */
  async function objectsAt(keys: readonly string[], modifiedMs: (key: string) => number = () => 0) {
    const store = memoryStore();
    const key = await quarantineV2(store, firehose, s3);
    const { body } = store.objects.get(`${bucket}/${key}`) as { body: string };
    store.objects.delete(`${bucket}/${key}`);
    for (const k of keys) store.objects.set(`${bucket}/${k}`, { body, modifiedMs: modifiedMs(k) });
    const read: string[] = [];
    const get = store.get.bind(store);
    store.get = async (b, k) => {
      if (!k.startsWith("redrive/manifests/")) read.push(k);
      return get(b, k);
    };
    const lines = body
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { recordId: string; data: string });
    return { store, read, lines };
  }
  const chunk = (req: ReturnType<typeof request>, deps: ReturnType<typeof redriveDeps>, deadlineMs: number) =>
    redriveChunk(req, undefined, deps, deadlineMs, "r");

  it("stops at maxBytes of record data, counting the bytes of every record taken", async () => {
    const { store, lines } = await objectsAt([hourKey("07")]);
    const [first, second] = lines.map((l) => l.data.length) as [number, number];
    const one = await chunk(request({ maxBytes: first }), redriveDeps(store), Number.MAX_SAFE_INTEGER);
    expect(one.summary).toMatchObject({ read: 1, delivered: 1 });
    const two = await chunk(
      request({ maxBytes: first + second, force: true }),
      redriveDeps(store),
      Number.MAX_SAFE_INTEGER,
    );
    expect(two.summary).toMatchObject({ read: 2, delivered: 2 });
    expect(two.continuation).toBeDefined();
  });

  it("starts no further object within CHUNK_RESERVE_MS of the deadline", async () => {
    const { store, read } = await objectsAt([hourKey("07"), hourKey("08")]);
    const deps = redriveDeps(store);
    const result = await chunk(request(), deps, deps.now() + CHUNK_RESERVE_MS);
    expect(result.summary).toMatchObject({ objects: 1, delivered: 3 });
    expect(read).toEqual([hourKey("07")]);
    const rest = await redriveChunk(request(), result.continuation, deps, deps.now() + CHUNK_RESERVE_MS + 1, "s");
    expect(rest.summary).toMatchObject({ objects: 1, delivered: 3 });
    expect(read).toEqual([hourKey("07"), hourKey("08")]);
    expect(rest.continuation).toBeUndefined();
  });

  it("reads one object even with the deadline already past, so every chunk makes progress", async () => {
    const { store, read } = await objectsAt([hourKey("07"), hourKey("08")]);
    const deps = redriveDeps(store);
    const result = await chunk(request({ dryRun: true }), deps, deps.now());
    expect(result.summary).toMatchObject({ objects: 1, wouldRedrive: { SCHEMA_UNSUPPORTED: 3 } });
    expect(read).toEqual([hourKey("07")]);
    expect(result.continuation).toBeDefined();
  });

  it("does not read objects written since the run started", async () => {
    const deps = redriveDeps(memoryStore());
    const started = deps.now();
    const { store, read } = await objectsAt([hourKey("07"), hourKey("08")], (k) =>
      k === hourKey("08") ? started : started - 1,
    );
    const result = await chunk(request(), redriveDeps(store), Number.MAX_SAFE_INTEGER);
    expect(result.summary).toMatchObject({ objects: 1, delivered: 3, skipped: 0 });
    expect(read).toEqual([hourKey("07")]);
  });

  it.each([
    ["quarantine", request()],
    [
      "on-failure",
      parseRedriveRequest({ source: "on-failure", bucket, prefix: "quarantine/" }, config.quarantinePrefix),
    ],
  ])("passes over a %s object deleted between listing and reading", async (_source, req) => {
    const { store, read } = await objectsAt([hourKey("07")]);
    store.objects.delete(`${bucket}/${hourKey("07")}`);
    const list = store.list.bind(store);
    store.list = async (b, p, after) =>
      after === undefined ? { objects: [{ key: hourKey("07"), modifiedMs: 0 }], truncated: false } : list(b, p, after);
    const result = await chunk(req, redriveDeps(store), Number.MAX_SAFE_INTEGER);
    expect(read).toEqual([hourKey("07")]);
    expect(result.summary).toMatchObject({ objects: 1, read: 0, malformed: [], ranges: [] });
  });

  it("writes each object's manifest under redrive/manifests/<bucket>/<key>.json, listing the ids delivered", async () => {
    const { store, lines } = await objectsAt([hourKey("07"), hourKey("08")]);
    await chunk(request(), redriveDeps(store), Number.MAX_SAFE_INTEGER);
    for (const hour of ["07", "08"]) {
      const manifest = store.objects.get(`${bucket}/redrive/manifests/${bucket}/${hourKey(hour)}.json`);
      expect(JSON.parse(manifest?.body as string)).toMatchObject({
        source: `s3://${bucket}/${hourKey(hour)}`,
        ids: lines.map((l) => l.recordId),
      });
    }
  });

  it("never reads a manifest as a source object, even when the prefix covers the manifests", async () => {
    const { store, read } = await objectsAt([hourKey("07")]);
    await chunk(request(), redriveDeps(store), Number.MAX_SAFE_INTEGER);
    const manifest = `${bucket}/redrive/manifests/${bucket}/${hourKey("07")}.json`;
    (store.objects.get(manifest) as { modifiedMs: number }).modifiedMs = 0;
    read.length = 0;
    const again = await chunk(request({ prefix: "", force: true }), redriveDeps(store), Number.MAX_SAFE_INTEGER);
    expect(again.summary).toMatchObject({ objects: 1, delivered: 3, malformed: [] });
    expect(read).toEqual([hourKey("07")]);
  });

  it.each([
    ["not JSON", "{not json"],
    ["ids not a list", JSON.stringify({ ids: "x" })],
    ["ids an object", JSON.stringify({ ids: { x: 1 } })],
  ])(
    "ignores a manifest that is %s: the object's records are redriven and the manifest rewritten",
    async (_what, text) => {
      const { store, lines } = await objectsAt([hourKey("07")]);
      const source = store.objects.get(`${bucket}/${hourKey("07")}`) as { body: string };
      // A recordId of one character: one a string's characters would match.
      source.body = source.body.replace(`"recordId":"${lines[0]?.recordId}"`, '"recordId":"x"');
      const manifest = `${bucket}/redrive/manifests/${bucket}/${hourKey("07")}.json`;
      store.objects.set(manifest, { body: text, modifiedMs: 0 });
      const result = await chunk(request(), redriveDeps(store), Number.MAX_SAFE_INTEGER);
      expect(result.summary).toMatchObject({ delivered: 3, alreadyRedriven: 0 });
      const ids = (JSON.parse(store.objects.get(manifest)?.body as string) as { ids: string[] }).ids;
      expect(ids).toEqual(["x", ...lines.slice(1).map((l) => l.recordId)]);
    },
  );

  it("keeps only the string ids of a manifest, and rewrites it with those and the ids delivered now", async () => {
    const { store, lines } = await objectsAt([hourKey("07")]);
    const ids = lines.map((l) => l.recordId);
    const manifest = `${bucket}/redrive/manifests/${bucket}/${hourKey("07")}.json`;
    store.objects.set(manifest, { body: JSON.stringify({ ids: [5, null, ids[1], { id: ids[0] }] }), modifiedMs: 0 });
    const result = await chunk(request(), redriveDeps(store), Number.MAX_SAFE_INTEGER);
    expect(result.summary).toMatchObject({ delivered: 2, alreadyRedriven: 1 });
    const rewritten = (JSON.parse(store.objects.get(manifest)?.body as string) as { ids: unknown[] }).ids;
    expect(rewritten).toEqual([ids[1], ids[0], ids[2]]);
  });

  describe("hours", () => {
    const manual = "quarantine/manual.ndjson";
    const replay = "quarantine/replay/2026/11/21/09/vehicle-telemetry/s/1-r.ndjson";
    const all = [hourKey("07"), hourKey("08"), hourKey("09"), manual, replay];

    it("without hours, reads every key under the prefix, whatever its name", async () => {
      const { store, read } = await objectsAt(all);
      const result = await chunk(request(), redriveDeps(store), Number.MAX_SAFE_INTEGER);
      expect(read).toEqual(all);
      expect(result.summary).toMatchObject({ objects: 5, delivered: 15, malformed: [] });
    });

    it("with toHour alone, reads the hours up to it and stops listing there", async () => {
      const { store, read } = await objectsAt(all);
      const result = await chunk(request({ toHour: "2026-11-21T08" }), redriveDeps(store), Number.MAX_SAFE_INTEGER);
      expect(read).toEqual([hourKey("07"), hourKey("08")]);
      expect(result.summary).toMatchObject({ objects: 2, delivered: 6 });
    });

    it("with fromHour alone, reads the hours from it and no key that is not an hour's", async () => {
      const { store, read } = await objectsAt(all);
      const result = await chunk(request({ fromHour: "2026-11-21T08" }), redriveDeps(store), Number.MAX_SAFE_INTEGER);
      expect(read).toEqual([hourKey("08"), hourKey("09")]);
      expect(result.summary).toMatchObject({ objects: 2, delivered: 6, malformed: [] });
    });

    it("checks the hours of the object a continuation resumes in, too", async () => {
      const { store, read } = await objectsAt(all);
      const deps = redriveDeps(store);
      const first = await chunk(request({ maxRecords: 1 }), deps, Number.MAX_SAFE_INTEGER);
      expect(read).toEqual([hourKey("07")]);
      read.length = 0;
      const later = request({ fromHour: "2026-11-21T08" });
      const rest = await redriveChunk(later, first.continuation, deps, Number.MAX_SAFE_INTEGER, "s");
      expect(read).toEqual([hourKey("08"), hourKey("09")]);
      expect(rest.summary).toMatchObject({ objects: 2, delivered: 6 });
    });
  });
});
