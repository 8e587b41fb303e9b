"""Python's verdicts for the schema-agreement test: jsonschema's Draft 2020-12 validator.

Reads {"schemas": {name: schema}, "readings": [json text, ...]} on stdin and writes
{name: [true|false per reading]} on stdout. Each schema is first checked against the 2020-12
meta-schema. Readings are parsed with Python's own json module, as a Python producer would.
"""

import json
import sys

from jsonschema import Draft202012Validator


def main() -> None:
    request = json.load(sys.stdin)
    readings = [json.loads(text) for text in request["readings"]]
    verdicts = {}
    for name, schema in request["schemas"].items():
        Draft202012Validator.check_schema(schema)
        validator = Draft202012Validator(schema)
        verdicts[name] = [validator.is_valid(reading) for reading in readings]
    json.dump(verdicts, sys.stdout)


if __name__ == "__main__":
    main()
