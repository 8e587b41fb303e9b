"""Derives the DuckDB form of Athena (Trino) SQL with sqlglot, for the local runs of the queries.

Reads a JSON list of SQL texts on stdin and writes the JSON list of their DuckDB forms on stdout;
a text that is not exactly one statement, or that sqlglot cannot parse, fails the whole call
(exit 1, the reason on stderr), so a query is never run locally in a form nobody derived.
"""

import json
import sys

import sqlglot
from sqlglot.errors import ErrorLevel, SqlglotError


def main() -> int:
    texts = json.load(sys.stdin)
    derived = []
    for i, text in enumerate(texts):
        try:
            statements = sqlglot.transpile(
                text, read="athena", write="duckdb", pretty=True, unsupported_level=ErrorLevel.RAISE
            )
        except SqlglotError as error:
            print(f"statement {i}: {error}", file=sys.stderr)
            return 1
        if len(statements) != 1:
            print(f"statement {i}: expected one statement, got {len(statements)}", file=sys.stderr)
            return 1
        derived.append(statements[0])
    json.dump(derived, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
