/**
 * What the main job (scripts/pipeline.ts) prints after its reconciliation: a few of the fleet
 * team's queries, run locally with DuckDB over the objects the run delivered, as small tables.
 */
import { join } from "node:path";
import { openLocalCatalog, type QueryResult } from "./duckdb.ts";

/** Where the main job keeps the objects its run delivered (git-ignored, replaced on each run). */
export const LOCAL_DELIVERED_DIR = join(import.meta.dirname, "..", "..", ".tmp", "delivered");

const SHOWN: readonly { readonly name: string; readonly title: string; readonly top: number }[] = [
  { name: "over_speed_per_vehicle_day", title: "Over-speed readings per vehicle per day (top 5)", top: 5 },
  { name: "freshness_and_lag", title: "Data freshness and arrival lag", top: 1 },
  { name: "duplicates_in_range", title: "Re-delivered readings (same recordId delivered again; first 5)", top: 5 },
];

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

/**
 * Runs the shown queries over the delivered objects under `dir` and prints them. Throws if DuckDB
 * or sqlglot fails (`TranspileError` when the virtualenv is missing).
 */
export async function printFleetQueries(dir: string = LOCAL_DELIVERED_DIR, print = console.log): Promise<void> {
  const catalog = await openLocalCatalog(dir);
  try {
    print("\nThe delivered data, queried locally (DuckDB, queries/*.sql as sqlglot derives them):");
    for (const { name, title, top } of SHOWN) {
      const result = await catalog.runNamed(name);
      print(`\n${title} — queries/${name}.sql`);
      for (const line of formatTable(result, top)) print(`  ${line}`);
    }
  } finally {
    catalog.close();
  }
}
