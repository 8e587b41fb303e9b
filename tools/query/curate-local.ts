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
  RECONCILIATION_COLUMNS,
  type Reconciliation,
  reconcileSql,
} from "./curated.ts";
import { localConnection, rawTableSql } from "./duckdb.ts";
import { toDuckDb } from "./transpile.ts";

/** Rows of a Parquet row group DuckDB writes unless told otherwise (its own default). */
export const ROW_GROUP_ROWS = 122_880;

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
   * there; returns the files' total size in bytes.
   */
  write(dir: string, rowGroupRows?: number): Promise<number>;
  close(): void;
}

const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;

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
  const [createSql, mergeTemplate, reconcileTemplate] = [
    createTableSql("(local)", columns),
    mergeSql(columns),
    reconcileSql(),
  ];
  const [create] = toDuckDb([createSql]);
  const { connection, close } = await localConnection();
  await connection.run(rawTableSql(deliveredDir, columns));
  await connection.run(create as string);
  /** The raw view over the hours from..to only (Athena's projection lists no other hour for these statements). */
  const rawHours = async (from: number, to: number) => {
    const hours: number[] = [];
    for (let h = hourOf(from); h <= hourOf(to); h += 3_600_000) hours.push(h);
    await connection.run(rawTableSql(deliveredDir, columns, hours));
  };
  const reconcileHours = async (from: number, to = from): Promise<HourCuration> => {
    const [reconcile] = toDuckDb([fill(reconcileTemplate, mergeTokens(from, to))]);
    await rawHours(from, to);
    const row = await one(connection, reconcile as string);
    const reconciliation = Object.fromEntries(
      RECONCILIATION_COLUMNS.map((c) => [c, Number(row[c] ?? 0)]),
    ) as unknown as Reconciliation;
    return { hour: hourOf(from), reconciliation };
  };
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
      const [merge] = toDuckDb([fill(mergeTemplate, mergeTokens(from, to))]);
      await rawHours(from, to);
      await connection.run(merge as string);
      return reconcileHours(from, to);
    },
    reconcileHours,
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
      return curatedFiles(dir).reduce((sum, file) => sum + statSync(file).size, 0);
    },
    close,
  };
}

/** The Parquet files of a curated layer written under `dir`. */
export function curatedFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".parquet"))
    .map((f) => join(dir, f));
}

/** Merges every arrival hour of the delivered objects, one at a time, as the hourly schedule would. */
export async function curateEveryHour(curation: LocalCuration): Promise<HourCuration[]> {
  const done: HourCuration[] = [];
  for (const hour of await curation.arrivalHours()) done.push(await curation.mergeHours(hour));
  return done;
}
