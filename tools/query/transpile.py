"""Derives the DuckDB form of Athena (Trino) SQL with sqlglot, for the local runs of the queries.

Reads a JSON list of SQL texts on stdin and writes the JSON list of their DuckDB forms on stdout;
a text that is not exactly one statement, or that sqlglot cannot parse, fails the whole call
(exit 1, the reason on stderr), so a query is never run locally in a form nobody derived.

One thing is taken out on purpose: a CREATE TABLE's storage clauses (PARTITIONED BY, LOCATION,
TBLPROPERTIES), which say how Athena lays out an Iceberg table in S3 and have no DuckDB
counterpart. The local table is in memory; the main job writes it to Parquet by event day itself.
Any other construct DuckDB lacks still fails the call.
"""

import json
import sys

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError

STORAGE_CLAUSES = (exp.PartitionedByProperty, exp.LocationProperty, exp.Property)


def without_storage_clauses(statement: exp.Expression) -> exp.Expression:
    if isinstance(statement, exp.Create) and statement.kind == "TABLE" and statement.args.get("properties"):
        kept = [p for p in statement.args["properties"].expressions if type(p) not in STORAGE_CLAUSES]
        statement.set("properties", exp.Properties(expressions=kept) if kept else None)
    return statement


def main() -> int:
    texts = json.load(sys.stdin)
    derived = []
    for i, text in enumerate(texts):
        try:
            statements = [s for s in sqlglot.parse(text, read="athena", error_level=ErrorLevel.RAISE) if s is not None]
            if len(statements) != 1:
                print(f"statement {i}: expected one statement, got {len(statements)}", file=sys.stderr)
                return 1
            derived.append(
                without_storage_clauses(statements[0]).sql("duckdb", pretty=True, unsupported_level=ErrorLevel.RAISE)
            )
        except SqlglotError as error:
            print(f"statement {i}: {error}", file=sys.stderr)
            return 1
    json.dump(derived, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
