/**
 * What the main job (scripts/pipeline.ts) prints after its reconciliation: the curated layer built
 * from the objects the run delivered (every arrival hour merged and reconciled, then written as
 * Parquet by event day), and the fleet team's queries run on both layers with DuckDB, each with its
 * answer and the bytes it read from each layer.
 */
import { join } from "node:path";
import { buildCuratedLayer, type HourCuration } from "./curate-local.ts";
import { openLocalCatalog, type QueryResult, type Row, UnknownQueryError } from "./duckdb.ts";

/** Where the main job keeps the objects its run delivered (git-ignored, replaced on each run). */
export const LOCAL_DELIVERED_DIR = join(import.meta.dirname, "..", "..", ".tmp", "delivered");
/** Where the main job writes the curated layer's Parquet files (git-ignored, replaced on each run). */
export const LOCAL_CURATED_DIR = join(import.meta.dirname, "..", "..", ".tmp", "curated");

/** The queries printed, in order; those with a raw form (queries/raw/) run on both layers. */
const SHOWN: readonly { readonly name: string; readonly title: string; readonly top: number }[] = [
  { name: "latest_position", title: "Latest position per vehicle (first 5)", top: 5 },
  { name: "over_speed_per_vehicle_day", title: "Over-speed readings per vehicle per day (top 5)", top: 5 },
  { name: "distance_fuel_per_vehicle_day", title: "Distance and fuel per vehicle per day (first 5)", top: 5 },
  { name: "curated_duplicates", title: "A check of the merge: readings curated more than once (must be none)", top: 5 },
  { name: "freshness_and_lag", title: "Data freshness and arrival lag (stays on raw: curated lags by design)", top: 1 },
];

const n = (x: number) => x.toLocaleString("en-US");

/** A result as a small text table: a header, a rule, `top` rows, and how many more there were. */
export function formatTable(result: QueryResult, top: number): string[] {
  const shown = result.rows.slice(0, top);
  const text = (value: unknown) =>
    value === null ? "∅" : typeof value === "number" ? value.toLocaleString("en-US") : String(value);
  const widths = result.columns.map((column) =>
    Math.max(column.length, ...shown.map((row) => text(row[column]).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  const lines = [line([...result.columns]), line(widths.map((w) => "─".repeat(w)))];
  for (const row of shown) lines.push(line(result.columns.map((column) => text(row[column]))));
  if (result.rows.length === 0) lines.push("(none)");
  if (result.rows.length > top) lines.push(`… ${result.rows.length - top} more`);
  return lines;
}

/** A time as DuckDB gives a TIMESTAMP ("2026-11-22 21:00:00.123") or the contract writes it (ISO, Z). */
const TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?Z?$/;

function sameValue(a: Row[string], b: Row[string]): boolean {
  if (typeof a === "string" && typeof b === "string" && TIME.test(a) && TIME.test(b))
    return (
      Date.parse(`${a.replace(" ", "T").replace(/Z$/, "")}Z`) ===
      Date.parse(`${b.replace(" ", "T").replace(/Z$/, "")}Z`)
    );
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  return a === b;
}

/**
 * Whether two results give the same answer: the same columns and rows in the same order, values
 * equal (a time equal whether a TIMESTAMP or the contract's ISO text, numbers to 1e-9).
 */
export function sameAnswer(a: QueryResult, b: QueryResult): boolean {
  return (
    a.columns.join() === b.columns.join() &&
    a.rows.length === b.rows.length &&
    a.rows.every((row, i) => a.columns.every((column) => sameValue(row[column] ?? null, b.rows[i]?.[column] ?? null)))
  );
}

const bytes = (b: number | undefined) => (b === undefined ? "? B (no /proc/self/io here)" : `${n(b)} B`);

/** "raw 1,234 B · curated 123 B (10.0× fewer)" */
export function bytesLine(raw: number | undefined, curated: number | undefined): string {
  const ratio = raw !== undefined && curated ? ` (${(raw / curated).toFixed(1)}× fewer)` : "";
  return `raw ${bytes(raw)} · curated ${bytes(curated)}${ratio}`;
}

/** The layer a query reads, from the table it names: the curated table, or raw. */
export const layerOf = (result: QueryResult) => (/\btelemetry_curated\b/.test(result.sql) ? "curated" : "raw");

/**
 * Builds the curated layer, runs the shown queries on both layers and prints each answer with the
 * bytes read from each layer. Returns the names of the queries whose answers differ between the
 * layers, and why the curated layer does not reconcile (empty when all is well). Throws if DuckDB
 * or sqlglot fails (`TranspileError` when the virtualenv is missing).
 */
export async function printLayers(
  deliveredDir: string = LOCAL_DELIVERED_DIR,
  curatedDir: string = LOCAL_CURATED_DIR,
  print = console.log,
): Promise<string[]> {
  const problems: string[] = [];
  const layer = await buildCuratedLayer(deliveredDir, curatedDir);
  const sum = (key: keyof HourCuration["reconciliation"]) => layer.hours.reduce((s, h) => s + h.reconciliation[key], 0);
  print(
    "\nThe curated layer, built here: each arrival hour merged into telemetry_curated (the stack's MERGE, in the DuckDB form sqlglot derives) and reconciled:",
  );
  const rows: [string, string][] = [
    ["arrival hours merged", n(layer.hours.length)],
    ["distinct recordIds of those hours (raw)", n(sum("raw_records"))],
    ["rows in telemetry_curated", n(layer.rows)],
    [
      "missing / duplicated / outside the event-day window",
      `${sum("missing")} / ${sum("duplicated")} / ${sum("out_of_window")}`,
    ],
    ["Parquet files by event day (zstd)", `${n(layer.files)} file${layer.files === 1 ? "" : "s"}, ${n(layer.bytes)} B`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) print(`  ${k.padEnd(width)}  ${v}`);
  if (sum("missing") + sum("duplicated") > 0) problems.push("the curated layer does not reconcile with raw");
  const catalog = await openLocalCatalog(deliveredDir, { curatedDir });
  try {
    print(
      "\nThe queries on both layers (bytes read: the compressed bytes DuckDB read from the files, which is what Athena bills):",
    );
    for (const { name, title, top } of SHOWN) {
      // The named query (on curated, but for freshness), and the raw form of those that moved.
      const curated = await catalog.runNamed(name);
      const raw = await catalog.runRawForm(name).catch((error: unknown) => {
        if (error instanceof UnknownQueryError) return undefined;
        throw error;
      });
      print(`\n${title} — queries/${name}.sql${raw ? ` (raw form: queries/raw/${name}.sql)` : ""}`);
      const same = raw === undefined || sameAnswer(curated, raw);
      if (!same) problems.push(`${name}: the layers' answers differ`);
      const read = raw
        ? `${bytesLine(raw.bytesRead, curated.bytesRead)}${same ? " · same answer on both layers" : " · ANSWERS DIFFER"}`
        : `${layerOf(curated)} ${bytes(curated.bytesRead)}`;
      print(`  bytes read: ${read}`);
      for (const line of formatTable(curated, top)) print(`  ${line}`);
      if (raw && !same) {
        print("  on raw:");
        for (const line of formatTable(raw, top)) print(`  ${line}`);
      }
    }
  } finally {
    catalog.close();
  }
  return problems;
}
