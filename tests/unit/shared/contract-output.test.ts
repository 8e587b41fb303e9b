/**
 * Derived from the contract: for each version, a record with every optional property of the input
 * schema filled (nested ones included) from the TypeBox schema itself, at values inside its bounds,
 * and a redrive block filled the same way from the output schema; every optional property of the
 * output schema must then reach the output line, with the value it came with, in the schema's order.
 * A field added to a contract is checked here the day it is added, with nothing restated.
 */
import { FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { processBatch } from "../../../shared/batch/index.ts";
import { EnrichedTelemetryV1, EnrichedTelemetryV2, TelemetryV1, TelemetryV2 } from "../../../shared/contract.ts";
import { enrich, type IngestInfo, type RedriveInfo } from "../../../shared/enrich.ts";
import { Rejection } from "../../../shared/rejection.ts";
import { validateTelemetry } from "../../../shared/validate.ts";
import {
  jsonBytes,
  kinesisEvent,
  kinesisRecord,
  seededRandom,
  telemetrySample,
  telemetryV2Sample,
} from "../../../tools/fixtures/fixtures.ts";
import { batchDeps, confirmAll, firehoseLines } from "../../support/batch.ts";
import { enrichedV2Validator, enrichedValidator } from "../../support/contract.ts";
import {
  optionalPointers,
  type Schema,
  schemaOf,
  UngeneratableSchemaError,
  ValueSource,
  valueAt,
} from "../../support/schema-values.ts";

const firehoseMock = mockClient(FirehoseClient);
const s3Mock = mockClient(S3Client);

beforeEach(() => {
  firehoseMock.reset();
  s3Mock.reset();
  firehoseMock.on(PutRecordBatchCommand).callsFake(confirmAll);
  s3Mock.on(PutObjectCommand).resolves({});
});

/** `value` with only the properties `schema` requires, nested required objects likewise. */
function requiredOnly(schema: Schema, value: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    (schema.required ?? []).map((key) => {
      const property = schema.properties?.[key];
      const inner = value[key];
      return [key, property?.type === "object" ? requiredOnly(property, inner as Record<string, unknown>) : inner];
    }),
  );
}

const VERSIONS = [
  {
    version: 1,
    input: schemaOf(TelemetryV1),
    output: schemaOf(EnrichedTelemetryV1),
    sample: telemetrySample,
    validator: enrichedValidator,
  },
  {
    version: 2,
    input: schemaOf(TelemetryV2),
    output: schemaOf(EnrichedTelemetryV2),
    sample: telemetryV2Sample,
    validator: enrichedV2Validator,
  },
] as const;

/** A record of the version with every optional property filled from its schema, and a redrive block from the output's. */
function filled(v: (typeof VERSIONS)[number]) {
  const values = new ValueSource();
  const record = values.fillOptional(v.input, requiredOnly(v.input, v.sample(seededRandom(v.version), 1, 1)));
  const ingestSchema = v.output.properties?.ingest as Schema;
  const redrive = values.value(ingestSchema.properties?.redrive as Schema, "/ingest/redrive") as RedriveInfo;
  return { record, redrive };
}

/** Every optional property of the output schema that is not on the line with the value it came with. */
function missingOptional(output: Schema, line: unknown, record: unknown, redrive: RedriveInfo): string[] {
  return optionalPointers(output).filter((pointer) => {
    const expected = pointer.startsWith("/ingest/")
      ? valueAt({ ingest: { redrive } }, pointer)
      : valueAt(record, pointer);
    const actual = valueAt(line, pointer);
    return expected === undefined || JSON.stringify(actual) !== JSON.stringify(expected);
  });
}

/** The keys of each object of a line, in order, by pointer. */
function keyOrder(value: unknown, path = ""): Record<string, string[]> {
  if (typeof value !== "object" || value === null) return {};
  const keys = Object.keys(value);
  return Object.assign(
    { [path]: keys },
    ...keys.map((key) => keyOrder((value as Record<string, unknown>)[key], `${path}/${key}`)),
  );
}

/** The same for a schema: the order its output lines must follow. */
function schemaOrder(schema: Schema, path = ""): Record<string, string[]> {
  const properties = schema.properties ?? {};
  return Object.assign(
    { [path]: Object.keys(properties) },
    ...Object.entries(properties).map(([key, p]) => (p.type === "object" ? schemaOrder(p, `${path}/${key}`) : {})),
  );
}

const batch = {
  processedAt: "2026-11-21T08:00:05.000Z",
  source: { account: "111122223333", stream: "vehicle-telemetry" },
  speedLimitKmh: 130,
};

describe.each(VERSIONS)("telemetry v$version: every optional property of the output schema", (v) => {
  it("has a schema to be filled from, and the filled record is valid", () => {
    const { record } = filled(v);
    expect(optionalPointers(v.output).length).toBeGreaterThan(0);
    expect(validateTelemetry(record)).not.toBeInstanceOf(Rejection);
  });

  it("reaches the line enrich builds, with its value, in the output schema's order", () => {
    const { record, redrive } = filled(v);
    const valid = validateTelemetry(record);
    if (valid instanceof Rejection) throw new Error(JSON.stringify(valid));
    const ingest: IngestInfo = {
      recordId: "shardId-000000000000:1",
      partitionKey: String(record.vehicleId),
      arrivalMs: valid.eventTimeMs + 1_000,
      arrivalTime: new Date(valid.eventTimeMs + 1_000).toISOString(),
      redrive,
    };

    const line = JSON.parse(JSON.stringify(enrich(valid, ingest, batch)));

    expect(missingOptional(v.output, line, record, redrive)).toEqual([]);
    expect(keyOrder(line)).toEqual(schemaOrder(v.output));
    expect(v.validator.Check(line)).toBe(true);
  });

  it("is left out of the line of a record that has only the required properties, and every line has one shape", () => {
    const { record: full } = filled(v);
    const bare = requiredOnly(v.input, full);
    const lineOf = (record: Record<string, unknown>) => {
      const valid = validateTelemetry(record);
      if (valid instanceof Rejection) throw new Error(JSON.stringify(valid));
      const at = new Date(valid.eventTimeMs).toISOString();
      return enrich(
        valid,
        { recordId: "s:1", partitionKey: "p", arrivalMs: valid.eventTimeMs, arrivalTime: at },
        batch,
      );
    };

    const [bareLine, fullLine] = [lineOf(bare), lineOf(full)];

    const present = optionalPointers(v.output).filter(
      (p) => valueAt(JSON.parse(JSON.stringify(bareLine)), p) !== undefined,
    );
    expect(present).toEqual([]);
    // Every key assigned on every line (absent ones as undefined), nested copies keeping exactly their schema's keys.
    const order = schemaOrder(v.output);
    delete order["/ingest/redrive"];
    order["/ingest"] = (order["/ingest"] ?? []).filter((key) => key !== "redrive");
    expect(Object.keys(bareLine)).toEqual(order[""]);
    expect(keyOrder(fullLine)).toEqual(order);
  });

  it("reaches the line processBatch delivers", async () => {
    const { record, redrive } = filled(v);
    const event = kinesisEvent([
      kinesisRecord({ n: 0, partitionKey: String(record.vehicleId), data: jsonBytes(record) }),
    ]);
    const context = { deadlineMs: Date.parse("2026-11-21T08:01:00Z"), requestId: "req-1", origins: [{ redrive }] };

    const { stats } = await processBatch(event.Records, context, batchDeps());

    const [line] = firehoseLines(firehoseMock).flat();
    expect(stats.delivered).toBe(1);
    expect(missingOptional(v.output, line, record, redrive)).toEqual([]);
  });
});

describe("the check can fail", () => {
  it("names an optional property a line lacks, or carries with another value", () => {
    const v = VERSIONS[1];
    const { record, redrive } = filled(v);
    const line = structuredClone({ ...record, ingest: { redrive } }) as Record<string, Record<string, unknown>>;
    delete line.battery?.voltageV;
    (line.tyrePressuresKpa as Record<string, unknown>).rearLeft = -1;
    delete line.ingest?.redrive;

    expect(missingOptional(v.output, line, record, redrive)).toEqual([
      "/battery/voltageV",
      "/tyrePressuresKpa",
      "/ingest/redrive",
      "/ingest/redrive/line",
    ]);
  });

  it("refuses a schema it cannot fill, naming the property", () => {
    expect(() => new ValueSource().value({ type: "string", pattern: "^A$" }, "/code")).toThrow(
      UngeneratableSchemaError,
    );
    expect(() => new ValueSource().value({ type: "null" }, "/x")).toThrow("cannot generate a value for /x");
    expect(() => new ValueSource().value({ type: "integer", minimum: 1.2, maximum: 1.8 })).toThrow(
      UngeneratableSchemaError,
    );
  });

  it("keeps every generated number inside its bounds, and no two alike", () => {
    const values = new ValueSource();
    const numbers = Array.from({ length: 50 }, () => values.value({ type: "number", minimum: -40, maximum: 150 }));
    expect(numbers.every((n) => typeof n === "number" && n > -40 && n < 150)).toBe(true);
    expect(new Set(numbers).size).toBe(numbers.length);
  });
});
