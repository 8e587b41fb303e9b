/**
 * Hostile input, as a fast-check property shared by the quick CI test (tests/unit/shared/hostile-input.long.test.ts)
 * and the long run (scripts/fuzz.ts): arbitrary bytes, arbitrary JSON, near-valid telemetry with
 * prototype-named keys, huge strings and numbers, nesting thousands deep under every field
 * (`schemaVersion` included), malformed KPL aggregates, hostile ones (keys long and many, repeated
 * over many tiny entries), long partition keys, and records redriven as aggregate entries whose
 * bytes are themselves an aggregate, through `processBatch` with AWS answering success
 * (aws-sdk-client-mock); and malformed on-failure payloads through the redrive. Every batch keeps
 * the amplification bound (tools/fuzz/amplification.ts). Uses node:assert, so it runs outside Vitest too.
 */
import assert from "node:assert/strict";
import { FirehoseClient, PutRecordBatchCommand, type PutRecordBatchCommandInput } from "@aws-sdk/client-firehose";
import { CreateMultipartUploadCommand, PutObjectCommand, S3Client, UploadPartCommand } from "@aws-sdk/client-s3";
import type { KinesisStreamRecord } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { Compile } from "typebox/compile";
import { s3ObjectWriter } from "../../shared/aws.ts";
import {
  MAX_REJECTED_ENTRIES_PER_AGGREGATE,
  MAX_REJECTED_ENTRIES_PER_BATCH,
  processBatch,
  type RecordOrigin,
} from "../../shared/batch/index.ts";
import { EnrichedTelemetryV1, EnrichedTelemetryV2, MAX_USER_RECORD_BYTES } from "../../shared/contract.ts";
import { REJECTION_REASONS } from "../../shared/rejection.ts";
import { validTelemetry } from "../fixtures/arbitraries.ts";
import { jsonBytes, kinesisRecord, kplAggregate } from "../fixtures/fixtures.ts";
import { allowedBytes, bytesRead, hostileAggregate, linesBytes } from "./amplification.ts";
import { inMemoryBatchDeps } from "./in-memory.ts";

const enrichedValidators = [Compile(EnrichedTelemetryV1), Compile(EnrichedTelemetryV2)];
const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype"] as const;
const PROTOTYPE_KEY_IN_JSON = /"(__proto__|constructor|prototype)"\s*:/;
const QUARANTINE_FIELDS = ["recordId", "partitionKey", "reason", "details", "shardId", "sequenceNumber", "data"];

/** Every field of the contracts, nested ones by their path, and schemaVersion. */
const FIELDS = [
  "vehicleId",
  "timestamp",
  "speedKmh",
  "location",
  "heading",
  "odometerKm",
  "fuelLevelPct",
  "engine",
  "schemaVersion",
  "battery",
  "chargingState",
  "estimatedRangeKm",
  "tyrePressuresKpa",
] as const;

/** JSON text of a value nested `depth` deep: arrays, or objects under one key. */
const deepText = (depth: number, arrays: boolean) =>
  arrays ? `${"[".repeat(depth)}1${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

/**
 * A reading (v1 or v2) with a value nested thousands deep under one field: a known field's value
 * (never valid: no field of the contracts is an array or an object that deep, and schemaVersion
 * must be 1 or 2), or an unknown field, top-level or inside location or engine (valid: dropped).
 */
const deeplyNested: fc.Arbitrary<{ readonly text: string; readonly valid: boolean }> = fc
  .record({
    field: fc.constantFrom(...FIELDS, "unknown", "location.unknown", "engine.unknown"),
    depth: fc.integer({ min: 1_000, max: 20_000 }),
    arrays: fc.boolean(),
    v2: fc.boolean(),
  })
  .map(({ field, depth, arrays, v2 }) => {
    const deep = deepText(depth, arrays);
    const base = v2
      ? '"vehicleId":"V","timestamp":0,"speedKmh":1,"battery":{"stateOfChargePct":50,"temperatureC":20},"chargingState":"NOT_CHARGING","schemaVersion":2'
      : '"vehicleId":"V","timestamp":0,"speedKmh":1';
    // A valid one must also fit the contract's size (a user record over 64 KiB is TOO_LARGE).
    const fits = (text: string) => ({ text, valid: Buffer.byteLength(text) <= MAX_USER_RECORD_BYTES });
    if (field === "unknown") return fits(`{${base},"extra":${deep}}`);
    if (field === "location.unknown") return fits(`{${base},"location":{"lat":1,"lon":2,"x":${deep}}}`);
    if (field === "engine.unknown") return fits(`{${base},"engine":{"rpm":3,"x":${deep}}}`);
    // The field last: JSON.parse keeps the last of a repeated key, so it replaces the base's own.
    return { text: `{${base},${JSON.stringify(field)}:${deep}}`, valid: false };
  });

/** Text that JSON.parse reads as a huge number (Infinity) or a deep nest. */
const rawJsonText = fc.oneof(
  fc.constantFrom("1e400", "-1e400", '{"vehicleId":"V","timestamp":0,"speedKmh":1e400}'),
  fc.integer({ min: 1, max: 20_000 }).map((depth) => `${"[".repeat(depth)}${"]".repeat(depth)}`),
  fc
    .integer({ min: 1, max: 5_000 })
    .map((depth) => `{"vehicleId":"V","timestamp":0,"speedKmh":1,"x":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`),
);

/** A valid reading with one hostile change. */
const nearValid = fc.oneof(
  validTelemetry.chain((r) =>
    fc
      .constantFrom(...PROTOTYPE_KEYS)
      .map((key) => `{${JSON.stringify(key)}:{"polluted":true},${JSON.stringify(r).slice(1)}`),
  ),
  validTelemetry.chain((r) =>
    fc.constantFrom("location", "engine").chain((where) =>
      fc.constantFrom(...PROTOTYPE_KEYS).map((key) =>
        JSON.stringify({
          ...r,
          [where]: JSON.parse(`{${JSON.stringify(key)}:{"polluted":true},"lat":1,"lon":2,"rpm":3}`),
        }),
      ),
    ),
  ),
  validTelemetry.chain((r) =>
    fc
      .constantFrom("vehicleId", "speedKmh", "timestamp", "location")
      .chain((k) => fc.anything().map((v) => JSON.stringify({ ...r, [k]: v }))),
  ),
  validTelemetry.map((r) => JSON.stringify({ ...r, vehicleId: "V".repeat(70_000) })),
  validTelemetry.map((r) => JSON.stringify({ ...r, note: "é".repeat(40_000) })),
);

/** User record bytes, marked when they are valid telemetry (the consumer must deliver those). */
interface UserBytes {
  readonly bytes: Buffer;
  readonly valid: boolean;
}

const userBytes: fc.Arbitrary<UserBytes> = fc.oneof(
  validTelemetry.map((r) => ({ bytes: jsonBytes(r), valid: true })),
  nearValid.map((text) => ({ bytes: Buffer.from(text, "utf8"), valid: false })),
  deeplyNested.map(({ text, valid }) => ({ bytes: Buffer.from(text, "utf8"), valid })),
  rawJsonText.map((text) => ({ bytes: Buffer.from(text, "utf8"), valid: false })),
  fc.jsonValue({ maxDepth: 6 }).map((value) => ({ bytes: jsonBytes(value), valid: false })),
  fc.uint8Array({ maxLength: 512 }).map((a) => ({ bytes: Buffer.from(a), valid: false })),
);

/**
 * What the generator knows a Kinesis record must become, independently of the code under test: how
 * many user records it holds (an intact aggregate: each entry; a damaged one: one, quarantined whole;
 * anything else: one) and the recordId suffixes of the valid ones that must be delivered.
 */
interface Expected {
  readonly userRecords: number;
  /** `""` for the record itself, `:N` for entry N of an aggregate. */
  readonly mustDeliver: readonly string[];
}

/** KPL aggregates, some left intact and some truncated, extended or with a byte flipped. */
const aggregateBytes: fc.Arbitrary<{ readonly data: Buffer; readonly expected: Expected }> = fc
  .record({
    users: fc.array(userBytes, { minLength: 1, maxLength: 4 }),
    damage: fc.oneof(
      fc.constant({ kind: "none" as const }),
      fc.nat().map((at) => ({ kind: "flip" as const, at })),
      fc.nat().map((at) => ({ kind: "truncate" as const, at })),
      fc.uint8Array({ minLength: 1, maxLength: 16 }).map((extra) => ({ kind: "extend" as const, extra })),
    ),
  })
  .map(({ users, damage }) => {
    const bytes = kplAggregate(users.map((user, i) => ({ partitionKey: `pk-${i}`, data: user.bytes })));
    // Any damage past the magic number breaks the protobuf or its MD5; in the magic, it is no aggregate.
    const damaged: Expected = { userRecords: 1, mustDeliver: [] };
    if (damage.kind === "flip") bytes[damage.at % bytes.length] = (bytes[damage.at % bytes.length] as number) ^ 0x5a;
    if (damage.kind === "flip") return { data: bytes, expected: damaged };
    if (damage.kind === "truncate")
      return { data: bytes.subarray(0, 4 + (damage.at % (bytes.length - 4))), expected: damaged };
    if (damage.kind === "extend") return { data: Buffer.concat([bytes, Buffer.from(damage.extra)]), expected: damaged };
    const mustDeliver = users.flatMap((user, i) => (user.valid ? [`:${i}`] : []));
    return { data: bytes, expected: { userRecords: users.length, mustDeliver } };
  });

/** A generated Kinesis record's data and what it must become, before the batch's bounds are applied. */
interface Input {
  readonly data: KinesisData;
  readonly expected: Expected;
  /** A hostile aggregate: its expectation depends on the rejects of the aggregates before it. */
  readonly hostile?: { readonly entries: number; readonly valid: readonly number[] };
  /**
   * Redriven as an aggregate's entry (a quarantine line with a subSequenceNumber): read as one user
   * record, as the live path read it, never de-aggregated again.
   */
  readonly entry?: number;
}

interface Case {
  readonly batch: KinesisStreamRecord[];
  readonly origins: readonly (RecordOrigin | undefined)[] | undefined;
  readonly expected: readonly Expected[];
}

/**
 * The hostile aggregates' expectations in batch order, by the consumer's stated rules: one whose
 * rejected entries pass `MAX_REJECTED_ENTRIES_PER_AGGREGATE`, or take the batch's past
 * `MAX_REJECTED_ENTRIES_PER_BATCH` (shared/batch/constants.ts), is quarantined whole.
 */
function withBounds(inputs: readonly Input[]): Expected[] {
  let batchRejects = 0;
  return inputs.map(({ expected, hostile }) => {
    if (hostile === undefined) return expected;
    const rejects = hostile.entries - hostile.valid.length;
    if (rejects > MAX_REJECTED_ENTRIES_PER_AGGREGATE || batchRejects + rejects > MAX_REJECTED_ENTRIES_PER_BATCH)
      return { userRecords: 1, mustDeliver: [] };
    batchRejects += rejects;
    return { userRecords: hostile.entries, mustDeliver: hostile.valid.map((i) => `:${i}`) };
  });
}

/** A user record redriven as entry `sub` of an aggregate: valid telemetry, or an aggregate's bytes. */
const redrivenEntry: fc.Arbitrary<Input> = fc
  .record({
    sub: fc.nat({ max: 500 }),
    bytes: fc.oneof(
      userBytes,
      aggregateBytes.map(({ data }) => ({ bytes: data, valid: false })),
      hostileAggregate.map(({ data }) => ({ bytes: data, valid: false })),
    ),
  })
  .map(({ sub, bytes }) => ({
    data: bytes.bytes as KinesisData,
    entry: sub,
    expected: { userRecords: 1, mustDeliver: bytes.valid ? [`:${sub}`] : [] },
  }));

/** Partition keys, up to Kinesis's 256 characters, of any characters (control ones take 6 bytes in JSON). */
const partitionKey = fc.oneof(
  fc.constantFrom(...PROTOTYPE_KEYS),
  fc.string({ maxLength: 20 }),
  fc
    .tuple(fc.constantFrom("k", "é", "😀", "\u0001", "\\"), fc.integer({ min: 1, max: 256 }))
    .map(([char, n]) => char.repeat(n)),
);

const cases: fc.Arbitrary<Case> = fc
  .array(
    fc.oneof(
      {
        weight: 5,
        arbitrary: userBytes.map(
          (user): Input => ({
            data: user.bytes as KinesisData,
            expected: { userRecords: 1, mustDeliver: user.valid ? [""] : [] },
          }),
        ),
      },
      { weight: 2, arbitrary: aggregateBytes.map((a): Input => ({ ...a, data: a.data as KinesisData })) },
      {
        weight: 1,
        arbitrary: hostileAggregate.map(
          ({ data, expected }): Input =>
            expected.corrupt
              ? { data: data as KinesisData, expected: { userRecords: 1, mustDeliver: [] } }
              : { data: data as KinesisData, expected: { userRecords: 0, mustDeliver: [] }, hostile: expected },
        ),
      },
      { weight: 1, arbitrary: redrivenEntry },
      {
        weight: 1,
        arbitrary: fc.string({ maxLength: 40 }).map(
          (text): Input => ({
            data: { rawBase64: text } as KinesisData,
            expected: { userRecords: 1, mustDeliver: [] },
          }),
        ),
      },
    ),
    { maxLength: 25 },
  )
  .chain((inputs) =>
    fc.array(partitionKey, { minLength: inputs.length, maxLength: inputs.length }).map((keys): Case => {
      const redriven = inputs.some((input) => input.entry !== undefined);
      return {
        batch: inputs.map((input, n) => kinesisRecord({ n, partitionKey: keys[n] ?? "p", data: input.data })),
        // A redrive's origins, as its quarantine source gives them; the live path's when none is redriven.
        origins: redriven
          ? inputs.map((input) =>
              input.entry === undefined
                ? undefined
                : {
                    subSequenceNumber: input.entry,
                    redrive: {
                      source: "quarantine",
                      object: "s3://q/k",
                      line: 1,
                      at: "2026-11-21T08:00:05.000Z",
                      attempt: 1,
                    },
                  },
            )
          : undefined,
        expected: withBounds(inputs),
      };
    }),
  );

type KinesisData = Parameters<typeof kinesisRecord>[0]["data"];
type RecordIdOnly = { readonly ingest: { readonly recordId: string } };

/**
 * The property; resolves to the number of cases run. Throws (node:assert) with a counterexample on
 * failure, and a RangeError for a run count below 1 (a property run zero times proves nothing).
 */
export async function checkHostileInput(numRuns: number, seed?: number): Promise<number> {
  if (!Number.isInteger(numRuns) || numRuns < 1) throw new RangeError(`numRuns must be an integer ≥ 1, got ${numRuns}`);
  const firehoseMock = mockClient(FirehoseClient);
  const s3Mock = mockClient(S3Client);
  const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();
  let ran = 0;
  // Behaviours are set once: every `.on()` adds fakes to the mock's sandbox until restore().
  let delivered: string[] = [];
  let quarantined: string[] = [];
  let quarantineBytes = 0;
  let parts: Buffer[] = [];
  firehoseMock.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => {
    for (const record of input.Records ?? []) {
      for (const line of Buffer.from(record.Data as Uint8Array)
        .toString("utf8")
        .split("\n"))
        if (line !== "") delivered.push(line);
    }
    return { FailedPutCount: 0, RequestResponses: (input.Records ?? []).map((_, i) => ({ RecordId: `r${i}` })) };
  });
  s3Mock.on(PutObjectCommand).callsFake((input: { Body: Uint8Array }) => {
    quarantineBytes += input.Body.byteLength;
    for (const line of Buffer.from(input.Body).toString("utf8").split("\n")) if (line !== "") quarantined.push(line);
    return {};
  });
  s3Mock.on(CreateMultipartUploadCommand).resolves({ UploadId: "u" });
  s3Mock.on(UploadPartCommand).callsFake((input: { Body: Uint8Array }) => {
    quarantineBytes += input.Body.byteLength;
    parts.push(Buffer.from(input.Body));
    return { ETag: "e" };
  });

  try {
    await fc.assert(
      fc.asyncProperty(cases, async ({ batch, origins, expected }) => {
        ran++;
        firehoseMock.resetHistory();
        s3Mock.resetHistory();
        delivered = [];
        quarantined = [];
        quarantineBytes = 0;
        parts = [];
        // The SDK's clients, answered by the mocks: the whole path a record's bytes take.
        const { deps, clock } = inMemoryBatchDeps();
        const { response, stats } = await processBatch(
          batch,
          { deadlineMs: clock.ms + 60_000, requestId: "fuzz", ...(origins ? { origins } : {}) },
          {
            ...deps,
            firehose: new FirehoseClient({ region: "eu-west-1" }),
            objects: s3ObjectWriter(() => new S3Client({ region: "eu-west-1" })),
          },
        );
        // A multipart upload's parts, joined: its object (every case writes at most one).
        for (const line of Buffer.concat(parts).toString("utf8").split("\n")) if (line !== "") quarantined.push(line);

        assert.deepEqual(response, { batchItemFailures: [] });
        assert.equal(delivered.length, stats.delivered);
        assert.equal(
          quarantined.length,
          REJECTION_REASONS.reduce((sum, r) => sum + stats.quarantined[r], 0),
        );
        const expectedUserRecords = expected.reduce((sum, e) => sum + e.userRecords, 0);
        assert.equal(stats.userRecords, expectedUserRecords, "user records counted differ from those generated");
        assert.equal(delivered.length + quarantined.length, expectedUserRecords, "a user record went missing");
        const deliveredIds = new Set(delivered.map((line) => (JSON.parse(line) as RecordIdOnly).ingest.recordId));
        batch.forEach((record, n) => {
          const recordId = `${record.eventID.split(":")[0]}:${record.kinesis.sequenceNumber}`;
          for (const suffix of expected[n]?.mustDeliver ?? [])
            assert.ok(deliveredIds.has(recordId + suffix), `valid record ${recordId + suffix} was not delivered`);
        });
        for (const line of delivered) {
          assert.ok(!PROTOTYPE_KEY_IN_JSON.test(line), `prototype-named key in output: ${line.slice(0, 200)}`);
          const parsed = JSON.parse(line);
          assert.ok(
            enrichedValidators.some((v) => v.Check(parsed)),
            `output breaks the schema: ${line.slice(0, 200)}`,
          );
        }
        for (const line of quarantined) {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          for (const field of QUARANTINE_FIELDS) assert.ok(field in parsed, `quarantine line without ${field}`);
          assert.ok((parsed.details as unknown[]).length <= 20);
          // The backstop catches bugs: no input, however hostile, may need it.
          assert.notEqual(parsed.reason, "UNEXPECTED_ERROR", `the backstop caught ${JSON.stringify(parsed.details)}`);
        }
        const written = linesBytes(delivered) + quarantineBytes;
        const allowed = allowedBytes(bytesRead(batch), stats.userRecords);
        assert.ok(written <= allowed, `wrote ${written} bytes, more than 4 × read + 1 KiB a user record (${allowed})`);
        assert.equal(({} as Record<string, unknown>).polluted, undefined, "Object.prototype polluted");
        assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeNames);
      }),
      { numRuns, ...(seed === undefined ? {} : { seed }) },
    );
  } finally {
    firehoseMock.restore();
    s3Mock.restore();
  }
  return ran;
}
