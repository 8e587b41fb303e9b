"""Translates the SAM templates to plain CloudFormation JSON with the SAM translator (the same
library `sam validate` and CloudFormation's transform use), for checks that need plain resources.
Beside them, sources.json holds the sha256 of each template translated, so a reader can tell a
stale translation (tools/templates/translated.ts).
    python tools/templates/translate-templates.py OUT_DIR [CONSUMER_TEMPLATE PRODUCER_TEMPLATE]
"""
import hashlib
import json
import pathlib
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEMPLATES = {"consumer": ROOT / "template.yaml", "producer": ROOT / "producer" / "template.yaml"}


class NoManagedPolicies:
    """The templates name managed policies by ARN, so no lookup by name is ever needed."""

    def load(self):
        return {}


def packaged(template: dict) -> dict:
    """As `sam package` leaves it: local code locations become S3 URIs (placeholders; code is not checked)."""
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") == "AWS::Serverless::Function" and not str(resource["Properties"].get("CodeUri", "")).startswith("s3://"):
            resource["Properties"]["CodeUri"] = "s3://packaged-code/function.zip"
    return template


def write(path: pathlib.Path, text: str) -> None:
    """Whole or not at all: a reader never sees half a file (tests may read while a translation is renewed)."""
    partial = path.with_suffix(path.suffix + ".partial")
    partial.write_text(text)
    partial.replace(path)


def main(out_dir: str, templates: dict) -> None:
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sources = {}
    for name, path in templates.items():
        # One read: the hash is of exactly the bytes translated.
        source = pathlib.Path(path).read_bytes()
        # Metadata passes through, so resource-level check suppressions (with their reasons) survive.
        translated = transform(packaged(yaml_parse(source.decode("utf-8"))), {}, NoManagedPolicies(), passthrough_metadata=True)
        write(out / f"{name}.json", json.dumps(translated, indent=2))
        sources[name] = {"template": str(path), "sha256": hashlib.sha256(source).hexdigest()}
    # Written last: a translation cut short leaves the old hashes, which then mismatch.
    write(out / "sources.json", json.dumps(sources, indent=2))


if __name__ == "__main__":
    if len(sys.argv) not in (2, 4):
        sys.exit("usage: translate-templates.py OUT_DIR [CONSUMER_TEMPLATE PRODUCER_TEMPLATE]")
    main(sys.argv[1], TEMPLATES if len(sys.argv) == 2 else {"consumer": sys.argv[2], "producer": sys.argv[3]})
