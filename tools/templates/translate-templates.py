"""Translates the SAM templates to plain CloudFormation JSON with the SAM translator (the same
library `sam validate` and CloudFormation's transform use), for checks that need plain resources.
    python tools/templates/translate-templates.py OUT_DIR
"""
import json
import pathlib
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
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


def main(out_dir: str) -> None:
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, path in TEMPLATES.items():
        # Metadata passes through, so resource-level check suppressions (with their reasons) survive.
        translated = transform(packaged(yaml_parse(path.read_text())), {}, NoManagedPolicies(), passthrough_metadata=True)
        (out / f"{name}.json").write_text(json.dumps(translated, indent=2))


if __name__ == "__main__":
    main(sys.argv[1])
