/**
 * The curated layer on this machine: the stack's CREATE TABLE and hourly MERGE, in the DuckDB form
 * sqlglot derives from the Athena text (tools/query/curated.ts), run over the delivered objects into
 * an in-memory table, each arrival hour reconciled as the state machine reconciles it, then written
 * out as Parquet (zstd) in one folder per event day, which `openLocalCatalog` reads as
 * `telemetry_curated`. What Athena adds (Iceberg's snapshots, its files in S3) is not here.
 */
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { type Column, CURATED_TABLE, contractColumns } from "./columns.ts";
import {
  createTableSql,
  fill,
  hourOf,
  mergeSql,
  mergeTokens,
  type Reconciliation,
  reconcileSql,
  reconciliationFrom,
} from "./curated.ts";
import { localConnection, rawTableSql, sqlString } from "./duckdb.ts";
import { toDuckDb } from "./transpile.ts";

/** Rows of a Parquet row group DuckDB writes unless told otherwise (its own default). */
const ROW_GROUP_ROWS = 122_880;

export interface HourCuration {
  /** The start of the arrival hour (UTC, ms). */
  readonly hour: number;
  readonly reconciliation: Reconciliation;
}

export interface LocalCuration {
  /** Arrival hours present in the delivered objects, oldest first (starts of hours, UTC ms). */
  arrivalHours(): Promise<number[]>;
  /** Merges the arrival hours from..to (at most a day) and reconciles them, as one state machine execution. */
  mergeHours(from: number, to?: number): Promise<HourCuration>;
  /** Reconciles the arrival hours from..to with the table, merging nothing. */
  reconcileHours(from: number, to?: number): Promise<HourCuration>;
  /** Rows in the curated table. */
  rows(): Promise<number>;
  /**
   * Writes the table as Parquet (zstd) under `dir`, one folder per event day, replacing what was
   * there; returns how many files it wrote and their total size in bytes.
   */
  write(dir: string, rowGroupRows?: number): Promise<{ files: number; bytes: number }>;
  close(): void;
}

async function one(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>> {
  const rows = (await connection.runAndReadAll(sql)).getRowObjectsJson();
  return (rows[0] ?? {}) as Record<string, unknown>;
}

/**
 * Opens the delivered objects under `deliveredDir` and creates the curated table (empty). Throws
 * `TranspileError` if sqlglot cannot derive a statement, and DuckDB's error if one fails.
 */
export async function openLocalCuration(
  deliveredDir: string,
  columns: readonly Column[] = contractColumns(),
): Promise<LocalCuration> {
  const [mergeTemplate, reconcileTemplate] = [mergeSql(columns), reconcileSql()];
  const [create] = toDuckDb([createTableSql("(local)", columns)]);
  const { connection, close } = await localConnection();
  await connection.run(rawTableSql(deliveredDir, columns));
  await connection.run(create as string);
  /** The raw view over the hours from..to only (Athena's projection lists no other hour for these statements). */
  const rawHours = async (from: number, to: number) => {
    const hours: number[] = [];
    for (let h = hourOf(from); h <= hourOf(to); h += 3_600_000) hours.push(h);
    await connection.run(rawTableSql(deliveredDir, columns, hours));
  };
  /** The curation of the hours from `from`: `reconcile` (the reconciliation's DuckDB form) run over their raw view. */
  const reconciled = async (from: number, reconcile: string): Promise<HourCuration> => ({
    hour: hourOf(from),
    reconciliation: reconciliationFrom(await one(connection, reconcile)),
  });
  return {
    async arrivalHours() {
      await connection.run(rawTableSql(deliveredDir, columns));
      const reader = await connection.runAndReadAll(
        "SELECT DISTINCT year, month, day, hour FROM telemetry_raw ORDER BY year, month, day, hour",
      );
      return reader
        .getRowObjectsJson()
        .map((r) => Date.UTC(Number(r.year), Number(r.month) - 1, Number(r.day), Number(r.hour)));
    },
    async mergeHours(from, to = from) {
      // The merge and its reconciliation derived in one call, over one raw view of the hours.
      const tokens = mergeTokens(from, to);
      const [merge, reconcile] = toDuckDb([fill(mergeTemplate, tokens), fill(reconcileTemplate, tokens)]);
      await rawHours(from, to);
      await connection.run(merge as string);
      return reconciled(from, reconcile as string);
    },
    async reconcileHours(from, to = from) {
      const [reconcile] = toDuckDb([fill(reconcileTemplate, mergeTokens(from, to))]);
      await rawHours(from, to);
      return reconciled(from, reconcile as string);
    },
    async rows() {
      return Number((await one(connection, `SELECT count(*) AS n FROM ${CURATED_TABLE}`)).n);
    },
    async write(dir, rowGroupRows = ROW_GROUP_ROWS) {
      rmSync(dir, { recursive: true, force: true });
      // In the order the merges inserted the rows (arrival hour by arrival hour), as Athena's hourly
      // merges write their files: no sort order is promised, so none is made here.
      await connection.run(
        `COPY ${CURATED_TABLE} TO ${sqlString(dir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (event_day), ROW_GROUP_SIZE ${rowGroupRows})`,
      );
      const files = curatedFiles(dir);
      return { files: files.length, bytes: files.reduce((sum, file) => sum + statSync(file).size, 0) };
    },
    close,
  };
}

/** The Parquet files of a curated layer written under `dir`. */
function curatedFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".parquet"))
    .map((f) => join(dir, f));
}

/** Told of each arrival hour merged: its curation, its index, and how many hours there are. */
export type OnHour = (done: HourCuration, index: number, hours: number) => void;

/**
 * Merges every arrival hour of the delivered objects, one at a time, as the hourly schedule would;
 * `onHour` hears of each (what it throws stops the merges there).
 */
export async function curateEveryHour(curation: LocalCuration, onHour: OnHour = () => {}): Promise<HourCuration[]> {
  const done: HourCuration[] = [];
  const hours = await curation.arrivalHours();
  for (const [index, hour] of hours.entries()) {
    const merged = await curation.mergeHours(hour);
    done.push(merged);
    onHour(merged, index, hours.length);
  }
  return done;
}

export interface CuratedLayerSummary {
  readonly hours: readonly HourCuration[];
  readonly rows: number;
  readonly files: number;
  readonly bytes: number;
}

/**
 * Builds the curated layer from the delivered objects under `deliveredDir`: every arrival hour
 * merged and reconciled (`curateEveryHour`, `onHour` hearing of each), then written as Parquet
 * under `curatedDir`. Throws as `openLocalCuration`, and what `onHour` throws.
 */
export async function buildCuratedLayer(
  deliveredDir: string,
  curatedDir: string,
  options: { readonly rowGroupRows?: number; readonly onHour?: OnHour } = {},
): Promise<CuratedLayerSummary> {
  const curation = await openLocalCuration(deliveredDir);
  try {
    const hours = await curateEveryHour(curation, options.onHour);
    const rows = await curation.rows();
    const { files, bytes } = await curation.write(curatedDir, options.rowGroupRows);
    return { hours, rows, files, bytes };
  } finally {
    curation.close();
  }
}
