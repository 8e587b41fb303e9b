/**
 * The query layer's columns, made from the output contract (shared/contract.ts, the same source as
 * the published JSON Schemas): Glue/Hive column types for the table, Presto types for the Athena
 * view, DuckDB types for the local runs. Every published enriched-telemetry schema contributes, so a
 * new contract version's fields become columns as soon as its schema is published (null in rows of
 * versions that lack them).
 */
import { PUBLISHED_SCHEMAS } from "../fixtures/schemas.ts";

/** A JSON Schema node as the contract's TypeBox definitions produce it (the parts we read). */
interface SchemaNode {
  readonly type?: string;
  readonly const?: unknown;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly anyOf?: readonly SchemaNode[];
}

/** A contract construct that has no column type (an open object, a union of unlike types). */
export class UnmappableSchemaError extends Error {
  constructor(path: string, why: string) {
    super(`${path}: ${why}`);
    this.name = "UnmappableSchemaError";
  }
}

/** A column type, engine-neutral: a scalar or a struct of named fields (in contract order). */
export type ColumnType =
  | { readonly kind: "string" | "double" | "bigint" | "int" | "boolean" | "timestamp" | "date" }
  | { readonly kind: "struct"; readonly fields: readonly Column[] };

export interface Column {
  /** The field's name as the JSON lines carry it (Glue and Athena fold it to lower case). */
  readonly name: string;
  readonly type: ColumnType;
}

/** Firehose's hourly prefix, `data/year=YYYY/month=MM/day=DD/hour=HH/`, as partition keys. */
export const PARTITION_KEYS: readonly Column[] = ["year", "month", "day", "hour"].map((name) => ({
  name,
  type: { kind: "int" },
}));

/** The Glue table over the delivered objects, and the de-duplicating view over it. */
export const RAW_TABLE = "telemetry_raw";
export const DEDUP_VIEW = "telemetry";
/** The curated Iceberg table (tools/query/curated.ts): one row per recordId, by event day. */
export const CURATED_TABLE = "telemetry_curated";

function columnType(node: SchemaNode, path: string): ColumnType {
  if (node.anyOf) return unionType(node.anyOf, path);
  switch (node.type) {
    case "string":
      return { kind: "string" };
    case "boolean":
      return { kind: "boolean" };
    case "integer":
      return { kind: "bigint" };
    case "number":
      // A literal version number (schemaVersion) is a small integer; any other number a double.
      return Number.isInteger(node.const) ? { kind: "int" } : { kind: "double" };
    case "object":
      if (!node.properties) throw new UnmappableSchemaError(path, "an object without properties has no columns");
      return { kind: "struct", fields: columnsOf(node.properties, path) };
    default:
      throw new UnmappableSchemaError(path, `type ${String(node.type)} has no column type`);
  }
}

/** A union maps when its members do: objects merge their fields, scalars must agree. */
function unionType(members: readonly SchemaNode[], path: string): ColumnType {
  const types = members.map((member) => columnType(member, path));
  return types.reduce((a, b) => mergeTypes(a, b, path));
}

function mergeTypes(a: ColumnType, b: ColumnType, path: string): ColumnType {
  if (a.kind === "struct" && b.kind === "struct")
    return { kind: "struct", fields: mergeColumns(a.fields, b.fields, path) };
  if (a.kind === b.kind) return a;
  throw new UnmappableSchemaError(path, `one column cannot be both ${a.kind} and ${b.kind}`);
}

function mergeColumns(a: readonly Column[], b: readonly Column[], path: string): Column[] {
  const merged = [...a];
  for (const column of b) {
    const i = merged.findIndex((c) => c.name === column.name);
    if (i === -1) merged.push(column);
    else
      merged[i] = {
        name: column.name,
        type: mergeTypes(merged[i]?.type ?? column.type, column.type, `${path}.${column.name}`),
      };
  }
  return merged;
}

function columnsOf(properties: Readonly<Record<string, SchemaNode>>, path: string): Column[] {
  return Object.entries(properties).map(([name, node]) => ({ name, type: columnType(node, `${path}.${name}`) }));
}

/**
 * The data columns of the table: the fields of every published enriched-telemetry schema, in
 * contract order, later versions' new fields appended. Throws `UnmappableSchemaError` on a
 * construct with no column type.
 */
export function contractColumns(
  schemas: readonly SchemaNode[] = Object.entries(PUBLISHED_SCHEMAS)
    .filter(([file]) => file.startsWith("enriched-"))
    .map(([, schema]) => schema as SchemaNode),
): Column[] {
  return schemas
    .map((schema, i) => {
      if (!schema.properties) throw new UnmappableSchemaError(`schema ${i}`, "the output record must be an object");
      return columnsOf(schema.properties, "$");
    })
    .reduce((a, b) => mergeColumns(a, b, "$"));
}

/** Glue/Hive type: `struct<name:type,…>` for nested objects; names in lower case, as Glue keeps them. */
export function hiveType(type: ColumnType): string {
  if (type.kind === "struct")
    return `struct<${type.fields.map((f) => `${f.name.toLowerCase()}:${hiveType(f.type)}`).join(",")}>`;
  return type.kind;
}

/** Presto/Trino type, for the Athena view's definition: `row(name type, …)`. */
export function prestoType(type: ColumnType): string {
  switch (type.kind) {
    case "struct":
      return `row(${type.fields.map((f) => `${f.name.toLowerCase()} ${prestoType(f.type)}`).join(", ")})`;
    case "string":
      return "varchar";
    case "int":
      return "integer";
    case "timestamp":
      return "timestamp(6)";
    default:
      return type.kind;
  }
}

/** DuckDB type, for `read_json(…, columns = {…})`: the JSON keys keep their case there. */
export function duckdbType(type: ColumnType): string {
  switch (type.kind) {
    case "struct":
      return `STRUCT(${type.fields.map((f) => `"${f.name}" ${duckdbType(f.type)}`).join(", ")})`;
    case "string":
      return "VARCHAR";
    case "int":
      return "INTEGER";
    default:
      return type.kind.toUpperCase();
  }
}
