/**
 * Bytes read from files by this process, as Linux counts them (`rchar` of /proc/self/io: every
 * byte a read system call returned, DuckDB's threads included). Around one local query, the
 * difference is what DuckDB read to answer it: the whole compressed object for a gzip NDJSON file,
 * the footer and the column chunks of the row groups it did not skip for a Parquet file. That is
 * what Athena bills (bytes scanned: compressed, as stored).
 */
import { existsSync, readFileSync } from "node:fs";

const IO = "/proc/self/io";

/** The process's bytes read so far, or undefined where the platform does not count them. */
export function bytesReadSoFar(): number | undefined {
  if (!existsSync(IO)) return undefined;
  const match = /^rchar:\s+(\d+)$/m.exec(readFileSync(IO, "utf8"));
  return match ? Number(match[1]) : undefined;
}
