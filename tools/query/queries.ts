/**
 * The fleet team's queries, each defined once in queries/<name>.sql (Athena/Trino SQL, a header
 * comment saying what it answers), and the de-duplicating view, defined once here from the
 * contract's columns. The template's named queries and view are generated from these
 * (scripts/publish-query.ts); the local runs derive their DuckDB form from the same text.
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { type Column, contractColumns, PARTITION_KEYS, RAW_TABLE } from "./columns.ts";

export const QUERIES_DIR = join(import.meta.dirname, "..", "..", "queries");
/**
 * The raw layer's forms of the named queries that moved to the curated table (as they were on
 * raw): not named queries, kept to compare the layers' answers and bytes read.
 */
export const RAW_FORMS_DIR = join(QUERIES_DIR, "raw");

export interface NamedQuery {
  /** The file's name without `.sql`: the named query's name in Athena. */
  readonly name: string;
  /** The header comment, as one paragraph: the named query's description. */
  readonly description: string;
  /** The whole file: header comment and statement. */
  readonly sql: string;
}

/** A query file without a header comment, or that is not one statement. */
export class QueryFileError extends Error {
  constructor(file: string, why: string) {
    super(`${file}: ${why}`);
    this.name = "QueryFileError";
  }
}

/** Reads every `*.sql` of the queries folder, by name. Throws `QueryFileError` on a file without a header. */
export function namedQueries(dir = QUERIES_DIR): NamedQuery[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith(".sql"))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), "utf8");
      const header: string[] = [];
      for (const line of sql.split("\n")) {
        if (!line.startsWith("--")) break;
        header.push(line.slice(2).trim());
      }
      if (header.length === 0) throw new QueryFileError(file, "needs a header comment saying what it answers");
      if (!/^[a-z][a-z0-9_]*\.sql$/.test(file)) throw new QueryFileError(file, "name it in snake_case");
      if (sql.includes("${")) throw new QueryFileError(file, "`${` would be read as a CloudFormation substitution");
      return { name: basename(file, ".sql"), description: header.join(" "), sql };
    });
}

/**
 * The de-duplicating view: one row per `ingest.recordId` (delivery is at-least-once), the copy
 * processed first. Every column of the table, partition keys included, listed from the contract.
 */
export function dedupViewSql(columns: readonly Column[] = contractColumns()): string {
  const names = [...columns, ...PARTITION_KEYS].map((c) => c.name);
  return [
    `SELECT ${names.join(", ")}`,
    "FROM (",
    "  SELECT *, row_number() OVER (",
    "    PARTITION BY ingest.recordId ORDER BY ingest.processedAt, year, month, day, hour",
    "  ) AS delivery_rank",
    `  FROM ${RAW_TABLE}`,
    ")",
    "WHERE delivery_rank = 1",
  ].join("\n");
}
