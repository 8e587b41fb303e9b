/**
 * The published input schemas give producers the consumer's verdict: two independent validators
 * (Ajv in Draft 2020-12 mode, and Python's jsonschema Draft202012Validator in the project's
 * virtualenv) judge every reading of an edge-case corpus against every published input schema, and
 * each verdict must equal the consumer's own (its JSON parser and validateTelemetry: delivered as
 * that schema's version), except the documented differences, each of which must really differ.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { beforeAll, describe, expect, it } from "vitest";
import { parseJson } from "../../../shared/decode.ts";
import { Rejection } from "../../../shared/rejection.ts";
import { validateTelemetry } from "../../../shared/validate.ts";
import { EXPECTED_DISAGREEMENTS, SCHEMA_CORPUS } from "../../support/schema-corpus.ts";

const INPUT_SCHEMAS = { "telemetry-v1.schema.json": 1, "telemetry-v2.schema.json": 2 } as const;
type SchemaName = keyof typeof INPUT_SCHEMAS;
const SCHEMA_NAMES = Object.keys(INPUT_SCHEMAS) as SchemaName[];
const MIN_READINGS_PER_VERSION = 54;

function published(name: string): object {
  return JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "..", "schema", name), "utf8"));
}

/** The consumer's verdict for a schema: the reading is delivered, as that schema's version. */
function consumerVerdict(json: string, version: number): boolean {
  const parsed = parseJson(Buffer.from(json, "utf8"));
  if (parsed instanceof Rejection) throw new Error(`corpus readings must be JSON: ${json}`);
  const valid = validateTelemetry(parsed);
  return !(valid instanceof Rejection) && (valid.telemetry.schemaVersion ?? 1) === version;
}

function ajvVerdicts(name: SchemaName): boolean[] {
  // strict: a keyword Ajv does not know, or a pattern it cannot compile with the u flag, throws here.
  const validate = new Ajv2020({ strict: true }).compile(published(name));
  return SCHEMA_CORPUS.map((reading) => validate(JSON.parse(reading.json)) === true);
}

function pythonVerdicts(): Record<SchemaName, boolean[]> {
  const python = process.env.SAM_PYTHON;
  if (!python) throw new Error("SAM_PYTHON is not set: run the tests after `source scripts/setup.sh`");
  const request = {
    schemas: Object.fromEntries(SCHEMA_NAMES.map((name) => [name, published(name)])),
    readings: SCHEMA_CORPUS.map((reading) => reading.json),
  };
  const run = spawnSync(python, [join(import.meta.dirname, "..", "..", "support", "jsonschema_verdicts.py")], {
    input: JSON.stringify(request),
    encoding: "utf8",
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`jsonschema failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** Every reading on which a validator's verdict differs from the consumer's, as "schema | reading | schema's verdict". */
function disagreements(verdicts: Record<SchemaName, boolean[]>): string[] {
  const found: string[] = [];
  for (const name of SCHEMA_NAMES)
    SCHEMA_CORPUS.forEach((reading, i) => {
      const schemaSays = verdicts[name][i];
      if (schemaSays !== consumerVerdict(reading.json, INPUT_SCHEMAS[name]))
        found.push(`${name} | ${reading.name} | schema ${schemaSays ? "accepts" : "rejects"}`);
    });
  return found.sort();
}

const expected = EXPECTED_DISAGREEMENTS.map(
  (d) => `${d.schema} | ${d.reading} | schema ${d.schemaAccepts ? "accepts" : "rejects"}`,
).sort();

describe("the published input schemas and the consumer", () => {
  let python: Record<SchemaName, boolean[]>;
  beforeAll(() => {
    python = pythonVerdicts();
  });

  it("has a corpus of uniquely named readings, at least 54 per version, with accepts and rejects", () => {
    expect(new Set(SCHEMA_CORPUS.map((r) => r.name)).size).toBe(SCHEMA_CORPUS.length);
    for (const version of [1, 2]) {
      const readings = SCHEMA_CORPUS.filter((r) => r.base === version);
      const accepted = readings.filter((r) => consumerVerdict(r.json, version));
      expect(readings.length).toBeGreaterThanOrEqual(MIN_READINGS_PER_VERSION);
      expect(accepted.length).toBeGreaterThan(10);
      expect(readings.length - accepted.length).toBeGreaterThan(10);
    }
    for (const d of EXPECTED_DISAGREEMENTS) expect(SCHEMA_CORPUS.map((r) => r.name)).toContain(d.reading);
  });

  it("Ajv (Draft 2020-12) gives the consumer's verdict on every reading but the documented differences", () => {
    const ajv = Object.fromEntries(SCHEMA_NAMES.map((name) => [name, ajvVerdicts(name)])) as Record<
      SchemaName,
      boolean[]
    >;
    expect(disagreements(ajv)).toEqual(expected);
  });

  it("Python's jsonschema (Draft202012Validator) gives the consumer's verdict on every reading but the documented differences", () => {
    expect(disagreements(python)).toEqual(expected);
  });

  it("states each documented difference in the schema's timestamp description", () => {
    for (const name of SCHEMA_NAMES) {
      const schema = published(name) as { properties: { timestamp: { description: string } } };
      expect(schema.properties.timestamp.description).toContain("1970-01-01T00:30:00+01:00");
      expect(schema.properties.timestamp.description).toContain("9999-12-31T23:30:00-01:00");
    }
  });
});
