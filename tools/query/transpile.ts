/**
 * The DuckDB form of Athena SQL, derived with sqlglot (tools/query/transpile.py) in the project's
 * virtualenv (`SAM_PYTHON`, set by scripts/setup.sh): the local runs execute what this returns.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const SCRIPT = join(import.meta.dirname, "transpile.py");

/** sqlglot could not derive a DuckDB form (or the virtualenv is missing). */
export class TranspileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TranspileError";
  }
}

/**
 * Transpiles each Athena (Trino) statement to DuckDB, in one Python process. Throws
 * `TranspileError` if the interpreter is missing or sqlglot rejects a statement.
 */
export function toDuckDb(statements: readonly string[], python = process.env.SAM_PYTHON): string[] {
  if (!python) throw new TranspileError("SAM_PYTHON is not set: source scripts/setup.sh (it points to the virtualenv)");
  const result = spawnSync(python, [SCRIPT], { input: JSON.stringify(statements), encoding: "utf8" });
  if (result.error) throw new TranspileError(`could not run ${python}: ${result.error.message}`);
  if (result.status !== 0) throw new TranspileError(`sqlglot: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as string[];
}
