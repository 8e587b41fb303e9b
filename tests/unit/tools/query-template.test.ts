/**
 * The query layer in template.yaml follows its sources: the Glue table's columns and the view follow
 * the output contract (shared/contract.ts), the named queries follow queries/*.sql. A field added to
 * the contract, or a query edited, without `node scripts/publish-query.ts` fails here.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Type from "typebox";
import { describe, expect, it } from "vitest";
import { EnrichedTelemetryV1, EnrichedTelemetryV2 } from "../../../shared/contract.ts";
import {
  contractColumns,
  duckdbType,
  hiveType,
  prestoType,
  UnmappableSchemaError,
} from "../../../tools/query/columns.ts";
import { namedQueries } from "../../../tools/query/queries.ts";
import { generatedRegion, regionOf } from "../../../tools/query/template.ts";

const template = readFileSync(join(import.meta.dirname, "..", "..", "..", "template.yaml"), "utf8");

describe("the query layer in template.yaml", () => {
  it("has the table columns, view and named queries generated from the contract and queries/*.sql", () => {
    expect(regionOf(template)).toBe(generatedRegion());
  });

  it("lists every field of every output contract version as a Glue column, nested objects as structs", () => {
    const region = regionOf(template);
    const columns = contractColumns();

    const fields = new Set([
      ...Object.keys(EnrichedTelemetryV1.properties),
      ...Object.keys(EnrichedTelemetryV2.properties),
    ]);
    expect(columns.map((c) => c.name)).toEqual([...fields]);
    for (const column of columns) {
      expect(region).toContain(`- Name: ${column.name.toLowerCase()}\n              Type: "${hiveType(column.type)}"`);
    }
    const ingest = columns.find((c) => c.name === "ingest");
    expect(ingest && hiveType(ingest.type)).toBe(
      "struct<recordid:string,partitionkey:string,arrivaltime:string,processedat:string,arrivallagms:double,sourceaccount:string,sourcestream:string,redrive:struct<source:string,object:string,line:bigint,at:string,attempt:bigint>>",
    );
  });

  it("has one named query per queries/*.sql, with the file as its text", () => {
    const region = regionOf(template);
    for (const query of namedQueries()) {
      expect(region).toContain(`      Name: ${query.name}\n`);
      const body = query.sql
        .trimEnd()
        .split("\n")
        .map((line) => (line === "" ? "" : `        ${line}`))
        .join("\n");
      expect(region).toContain(`      QueryString: |\n${body}`);
    }
  });

  it("differs from what a contract with one more field generates (the drift check has teeth)", () => {
    const extended = Type.Object({ ...EnrichedTelemetryV1.properties, batteryPct: Type.Optional(Type.Number()) });

    const region = generatedRegion(contractColumns([extended]));

    expect(region).toContain("- Name: batterypct");
    expect(region).not.toBe(regionOf(template));
  });
});

describe("column types from the contract", () => {
  it("maps strings, numbers, integers, booleans, literal versions and nested objects for Glue, Presto and DuckDB", () => {
    const columns = contractColumns([
      Type.Object({
        s: Type.String(),
        n: Type.Number(),
        i: Type.Integer(),
        b: Type.Boolean(),
        v: Type.Literal(2),
        o: Type.Object({ x: Type.Number(), inner: Type.Object({ y: Type.String() }) }),
      }),
    ]);

    expect(columns.map((c) => hiveType(c.type))).toEqual([
      "string",
      "double",
      "bigint",
      "boolean",
      "int",
      "struct<x:double,inner:struct<y:string>>",
    ]);
    expect(columns.map((c) => prestoType(c.type))).toEqual([
      "varchar",
      "double",
      "bigint",
      "boolean",
      "integer",
      "row(x double, inner row(y varchar))",
    ]);
    expect(duckdbType(columns[5]?.type ?? { kind: "string" })).toBe('STRUCT("x" DOUBLE, "inner" STRUCT("y" VARCHAR))');
  });

  it("merges contract versions: a later version's new fields are appended, nested ones too", () => {
    const v1 = Type.Object({ a: Type.String(), o: Type.Object({ x: Type.Number() }), schemaVersion: Type.Literal(1) });
    const v2 = Type.Object({
      a: Type.String(),
      o: Type.Object({ x: Type.Number(), y: Type.Number() }),
      schemaVersion: Type.Literal(2),
      soc: Type.Optional(Type.Number()),
    });

    const columns = contractColumns([v1, v2]);

    expect(columns.map((c) => [c.name, hiveType(c.type)])).toEqual([
      ["a", "string"],
      ["o", "struct<x:double,y:double>"],
      ["schemaVersion", "int"],
      ["soc", "double"],
    ]);
  });

  it("refuses a field whose versions disagree on its type, naming it", () => {
    const v1 = Type.Object({ a: Type.String() });
    const v2 = Type.Object({ a: Type.Number() });

    expect(() => contractColumns([v1, v2])).toThrow(UnmappableSchemaError);
    expect(() => contractColumns([v1, v2])).toThrow(/\$\.a: one column cannot be both string and double/);
  });

  it("refuses an open object without properties", () => {
    expect(() => contractColumns([Type.Object({ free: Type.Record(Type.String(), Type.String()) })])).toThrow(
      UnmappableSchemaError,
    );
  });
});
