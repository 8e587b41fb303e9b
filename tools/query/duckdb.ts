/**
 * The queries, run locally with DuckDB over delivered objects on disk (tools/pipeline/delivered.ts):
 * `telemetry_raw` is a view over `read_json(…)` of the gzip or zstd NDJSON files with the contract's
 * columns and the hive partition keys, `telemetry` the de-duplicating view with the template's
 * definition, `telemetry_curated` a view over the curated layer's Parquet files by event day
 * (tools/query/curate-local.ts), and every statement runs in the DuckDB form sqlglot derives from
 * the Athena text. Each answer comes with the bytes DuckDB read from the files (bytes-read.ts).
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { bytesReadSoFar } from "./bytes-read.ts";
import {
  type Column,
  CURATED_TABLE,
  contractColumns,
  DEDUP_VIEW,
  duckdbType,
  PARTITION_KEYS,
  RAW_TABLE,
} from "./columns.ts";
import { createTableSql } from "./curated.ts";
import { dedupViewSql, type NamedQuery, namedQueries, RAW_FORMS_DIR } from "./queries.ts";
import { toDuckDb } from "./transpile.ts";

export type Row = Record<string, string | number | boolean | null>;

export interface QueryResult {
  readonly name: string;
  /** The statement DuckDB ran: sqlglot's DuckDB form of queries/<name>.sql. */
  readonly sql: string;
  readonly columns: readonly string[];
  readonly rows: readonly Row[];
  /**
   * The bytes DuckDB read from the files while answering (the compressed bytes of the objects and
   * column chunks it opened: what Athena bills); undefined where the platform cannot tell (no /proc/self/io).
   */
  readonly bytesRead: number | undefined;
}

export interface LocalCatalog {
  /** Runs one of queries/*.sql by name, in its derived DuckDB form. */
  runNamed(name: string): Promise<QueryResult>;
  /** Runs the raw layer's form of a named query (queries/raw/<name>.sql), in its derived DuckDB form. */
  runRawForm(name: string): Promise<QueryResult>;
  /** Runs Athena SQL (transpiled first) against the local table and view. */
  run(athenaSql: string): Promise<QueryResult>;
  close(): void;
}

/** No query of that name in queries/. */
export class UnknownQueryError extends Error {
  constructor(name: string, known: readonly string[]) {
    super(`no query ${name} in queries/ (known: ${known.join(", ")})`);
    this.name = "UnknownQueryError";
  }
}

/** `text` as a SQL string literal (its single quotes doubled). */
export const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The curated layer's Parquet files under `dir`, in hive folders by event day. */
function hasCuratedFiles(dir: string | undefined): dir is string {
  return (
    dir !== undefined &&
    existsSync(dir) &&
    readdirSync(dir, { recursive: true }).some((f) => /event_day=[^/]+\/[^/]+\.parquet$/.test(String(f)))
  );
}

function hasObjects(dir: string): boolean {
  const data = join(dir, "data");
  return existsSync(data) && readdirSync(data, { recursive: true }).some((f) => /\.(gz|zst)$/.test(String(f)));
}

/**
 * The raw table: the delivered files with the contract's columns (absent fields are NULL) and
 * partition keys. With `hours` (starts of arrival hours, UTC ms), only those hours' folders, as
 * Athena's partition projection lists only the hours a query's bounds allow.
 */
export function rawTableSql(dir: string, columns: readonly Column[], hours?: readonly number[]): string {
  const spec = columns.map((c) => `${sqlString(c.name)}: ${sqlString(duckdbType(c.type))}`).join(", ");
  const folder = (ms: number) => {
    const t = new Date(ms).toISOString();
    return join(
      dir,
      "data",
      `year=${t.slice(0, 4)}`,
      `month=${t.slice(5, 7)}`,
      `day=${t.slice(8, 10)}`,
      `hour=${t.slice(11, 13)}`,
    );
  };
  const folders = hours?.map(folder).filter((f) => existsSync(f) && readdirSync(f).some((n) => /\.(gz|zst)$/.test(n)));
  // With `hours`, their folders alone say whether there is anything to read (no walk of all of data/).
  if (folders ? folders.length === 0 : !hasObjects(dir)) {
    // read_json fails on an empty glob: an empty table of the same shape answers "nothing delivered".
    const typed = [...columns, ...PARTITION_KEYS].map((c) => `CAST(NULL AS ${duckdbType(c.type)}) AS "${c.name}"`);
    return `CREATE OR REPLACE VIEW ${RAW_TABLE} AS SELECT ${typed.join(", ")} WHERE false`;
  }
  // Either compression, told apart by extension as Athena does: .gz gzip, .zst zstd (multi-member, multi-frame).
  const globs = (folders ?? [join(dir, "data", "year=*", "month=*", "day=*", "hour=*")]).map((f) =>
    sqlString(join(f, "*")),
  );
  const hiveTypes = PARTITION_KEYS.map((k) => `${sqlString(k.name)}: ${sqlString(duckdbType(k.type))}`).join(", ");
  return [
    `CREATE OR REPLACE VIEW ${RAW_TABLE} AS SELECT * FROM read_json([${globs.join(", ")}],`,
    "  format = 'newline_delimited', compression = 'auto_detect', hive_partitioning = true,",
    `  hive_types = {${hiveTypes}}, columns = {${spec}})`,
  ].join("\n");
}

const NUMERIC_TYPE = /^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|DECIMAL\(.*\)|DOUBLE|FLOAT)$/;

/** DuckDB's JSON form of a value, with numbers as numbers (its JSON form keeps BIGINT and DECIMAL as strings). */
function plain(value: unknown, type: string): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (NUMERIC_TYPE.test(type) && typeof value === "string") return Number(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "string") return value;
  return JSON.stringify(value);
}

async function execute(connection: DuckDBConnection, name: string, sql: string): Promise<QueryResult> {
  const before = bytesReadSoFar();
  const reader = await connection.runAndReadAll(sql);
  const after = bytesReadSoFar();
  const columns = reader.columnNames();
  const types = reader.columnTypes().map(String);
  const rows = reader.getRowObjectsJson().map((row) => {
    const out: Row = {};
    columns.forEach((column, i) => {
      out[column] = plain(row[column], types[i] ?? "");
    });
    return out;
  });
  return {
    name,
    sql,
    columns,
    rows,
    bytesRead: before === undefined || after === undefined ? undefined : after - before,
  };
}

/**
 * Opens a DuckDB connection for local runs: in memory, in UTC (Athena's zone, for dates of event
 * times and the partition bounds), without DuckDB's cache of file blocks (each query reads what it
 * needs, as Athena does, so its bytes read are its own).
 */
export async function localConnection(): Promise<{ connection: DuckDBConnection; close: () => void }> {
  const instance = await DuckDBInstance.create(":memory:", { autoinstall_known_extensions: "false" });
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  await connection.run("SET enable_external_file_cache = false");
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/**
 * The curated table as a view over its Parquet files; undefined when none is written (the catalog
 * then creates an empty table of its shape).
 */
function curatedViewSql(curatedDir: string | undefined): string | undefined {
  if (!hasCuratedFiles(curatedDir)) return undefined;
  const glob = join(curatedDir, "event_day=*", "*.parquet");
  return `CREATE VIEW ${CURATED_TABLE} AS SELECT * FROM read_parquet(${sqlString(glob)}, hive_partitioning = true, hive_types = {'event_day': 'DATE'})`;
}

/**
 * Opens an in-memory DuckDB over the delivered objects under `dir` (none is fine: every query
 * then answers over an empty table). Throws `TranspileError` if sqlglot cannot derive a statement.
 */
export async function openLocalCatalog(
  dir: string,
  options: {
    columns?: readonly Column[];
    queries?: readonly NamedQuery[];
    rawForms?: readonly NamedQuery[];
    /** Where the curated layer's Parquet files are (curate-local.ts); none: an empty curated table. */
    curatedDir?: string;
  } = {},
): Promise<LocalCatalog> {
  const columns = options.columns ?? contractColumns();
  const queries = options.queries ?? namedQueries();
  const rawForms = options.rawForms ?? namedQueries(RAW_FORMS_DIR);
  const curatedView = curatedViewSql(options.curatedDir);
  const [viewSql, ...querySql] = toDuckDb([
    dedupViewSql(columns),
    ...queries.map((q) => q.sql),
    ...rawForms.map((q) => q.sql),
    // The curated table, none written: an empty table of its shape (its CREATE, derived in the same call).
    ...(curatedView === undefined ? [createTableSql("(local)", columns)] : []),
  ]);
  const derived = new Map(queries.map((q, i) => [q.name, querySql[i] as string]));
  const derivedRaw = new Map(rawForms.map((q, i) => [q.name, querySql[queries.length + i] as string]));
  const curatedTableSql = curatedView ?? (querySql[queries.length + rawForms.length] as string);
  const { connection, close } = await localConnection();
  await connection.run(rawTableSql(dir, columns));
  await connection.run(`CREATE VIEW ${DEDUP_VIEW} AS ${viewSql}`);
  await connection.run(curatedTableSql);
  const run = (forms: Map<string, string>, name: string) => {
    const sql = forms.get(name);
    if (sql === undefined) return Promise.reject(new UnknownQueryError(name, [...forms.keys()]));
    return execute(connection, name, sql);
  };
  return {
    runNamed: (name) => run(derived, name),
    runRawForm: (name) => run(derivedRaw, name),
    run(athenaSql) {
      const [sql] = toDuckDb([athenaSql]);
      return execute(connection, "(ad hoc)", sql as string);
    },
    close,
  };
}
