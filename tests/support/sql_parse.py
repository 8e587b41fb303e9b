"""Parses SQL texts with sqlglot in a given dialect and describes each: for the tests of the
generated Athena statements (tests/unit/tools/query-curated.test.ts).

Reads {"dialect": ..., "texts": [...]} on stdin; writes a JSON list with, per text, the statement's
kind, the table it names, its columns (name, type as the dialect writes it), its PARTITIONED BY
expressions and its table properties; or {"error": ...} for a text that does not parse.
"""

import json
import sys

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError


def describe(statement: exp.Expression, dialect: str) -> dict:
    out = {"kind": type(statement).__name__, "table": None, "columns": [], "partitioned_by": [], "properties": {}}
    table = statement.find(exp.Table)
    out["table"] = table.name if table else None
    if isinstance(statement, exp.Create):
        schema = statement.this
        if isinstance(schema, exp.Schema):
            out["columns"] = [[c.name, c.args["kind"].sql(dialect)] for c in schema.expressions if isinstance(c, exp.ColumnDef)]
        for prop in (statement.args.get("properties") or exp.Properties(expressions=[])).expressions:
            if isinstance(prop, exp.PartitionedByProperty):
                value = prop.this
                items = value.expressions if isinstance(value, (exp.Schema, exp.Tuple)) else [value]
                out["partitioned_by"] = [i.sql(dialect) for i in items]
            elif isinstance(prop, exp.LocationProperty):
                out["properties"]["location"] = prop.this.name
            elif isinstance(prop, exp.Property):
                out["properties"][prop.name] = prop.text("value")
    return out


def main() -> int:
    request = json.load(sys.stdin)
    results = []
    for text in request["texts"]:
        try:
            statements = [s for s in sqlglot.parse(text, read=request["dialect"], error_level=ErrorLevel.RAISE) if s]
            results.append(describe(statements[0], request["dialect"]) if len(statements) == 1 else {"error": f"{len(statements)} statements"})
        except SqlglotError as error:
            results.append({"error": str(error)})
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
