/**
 * Hostile input, as a fast-check property shared by the quick CI test (tests/unit/shared/hostile-input.long.test.ts)
 * and the long run (scripts/fuzz.ts): arbitrary bytes, arbitrary JSON, near-valid telemetry with
 * prototype-named keys, huge strings and numbers, deep nesting, and malformed KPL aggregates, through
 * `processBatch` with AWS answering success (aws-sdk-client-mock). Uses node:assert, so it runs
 * outside Vitest too.
 */
import assert from "node:assert/strict";
import { FirehoseClient, PutRecordBatchCommand, type PutRecordBatchCommandInput } from "@aws-sdk/client-firehose";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { KinesisStreamRecord } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { Compile } from "typebox/compile";
import { s3ObjectWriter } from "../../shared/aws.ts";
import { processBatch } from "../../shared/batch/index.ts";
import { EnrichedTelemetryV1 } from "../../shared/contract.ts";
import { NO_COMPRESSION } from "../../shared/firehose/index.ts";
import { REJECTION_REASONS } from "../../shared/rejection.ts";
import { ALL_SCHEMA_VERSIONS } from "../../shared/validate.ts";
import { validTelemetry } from "../fixtures/arbitraries.ts";
import { jsonBytes, kinesisRecord, kplAggregate } from "../fixtures/fixtures.ts";

const enrichedValidator = Compile(EnrichedTelemetryV1);
const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype"] as const;
const PROTOTYPE_KEY_IN_JSON = /"(__proto__|constructor|prototype)"\s*:/;
const QUARANTINE_FIELDS = ["recordId", "partitionKey", "reason", "details", "shardId", "sequenceNumber", "data"];

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

interface Case {
  readonly batch: KinesisStreamRecord[];
  readonly expected: readonly Expected[];
}

const cases: fc.Arbitrary<Case> = fc
  .array(
    fc.oneof(
      {
        weight: 5,
        arbitrary: userBytes.map((user) => ({
          data: user.bytes as KinesisData,
          expected: { userRecords: 1, mustDeliver: user.valid ? [""] : [] },
        })),
      },
      { weight: 2, arbitrary: aggregateBytes },
      {
        weight: 1,
        arbitrary: fc.string({ maxLength: 40 }).map((text) => ({
          data: { rawBase64: text } as KinesisData,
          expected: { userRecords: 1, mustDeliver: [] },
        })),
      },
    ),
    { maxLength: 25 },
  )
  .chain((inputs) =>
    fc
      .array(fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.string({ maxLength: 20 })), {
        minLength: inputs.length,
        maxLength: inputs.length,
      })
      .map((keys) => ({
        batch: inputs.map((input, n) => kinesisRecord({ n, partitionKey: keys[n] ?? "p", data: input.data })),
        expected: inputs.map((input) => input.expected),
      })),
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
    for (const line of Buffer.from(input.Body).toString("utf8").split("\n")) if (line !== "") quarantined.push(line);
    return {};
  });
  try {
    await fc.assert(
      fc.asyncProperty(cases, async ({ batch, expected }) => {
        ran++;
        firehoseMock.resetHistory();
        s3Mock.resetHistory();
        delivered = [];
        quarantined = [];
        const clock = { ms: Date.parse("2026-11-21T08:00:05Z") };

        const { response, stats } = await processBatch(
          batch,
          { deadlineMs: clock.ms + 60_000, requestId: "fuzz" },
          {
            firehose: new FirehoseClient({ region: "eu-west-1" }),
            objects: s3ObjectWriter(() => new S3Client({ region: "eu-west-1" })),
            config: {
              deliveryStreamName: "d",
              quarantineBucket: "q-bucket",
              quarantinePrefix: "q/",
              speedLimitKmh: 130,
              firehoseAttemptTimeoutMs: 10_000,
              acceptedSchemaVersions: ALL_SCHEMA_VERSIONS,
              deliveryCompression: NO_COMPRESSION,
            },
            now: () => clock.ms,
            sleep: async (ms) => {
              clock.ms += ms;
            },
            random: () => 0.5,
          },
        );

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
          assert.ok(enrichedValidator.Check(JSON.parse(line)), `output breaks the schema: ${line.slice(0, 200)}`);
        }
        for (const line of quarantined) {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          for (const field of QUARANTINE_FIELDS) assert.ok(field in parsed, `quarantine line without ${field}`);
          assert.ok((parsed.details as unknown[]).length <= 20);
        }
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
