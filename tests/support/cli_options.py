"""The options of the SAM CLI's and the AWS CLI's commands, for tests/unit/repo/doc-commands.test.ts.

- `sam <command path>`: the SAM CLI's own click definitions (this virtualenv's SAM CLI), walked from
  its root group as `sam` resolves a command line; positionals after the command are left alone.
- `aws <service> <operation>`: the AWS CLI is not installed here; its commands are generated from
  botocore's service models (which this virtualenv holds), so the same models give the same options:
  one per input member, named as the CLI names them (botocore's xform_name with "-"), plus the CLI's
  global options. A service is looked up by its botocore name, the CLI's for all but a few (s3api).

Reads [["sam", word, ...] | ["aws", service, operation], ...] on stdin and writes, for each request
joined with spaces, {"options": [...]} or {"error": "..."} on stdout.
"""

import json
import sys

import botocore.session
import click
from botocore import xform_name
from samcli.cli.context import Context
from samcli.cli.main import cli

# The AWS CLI v2's global options (`aws help`), and those it adds to every operation.
AWS_GLOBAL_OPTIONS = [
    "--debug",
    "--endpoint-url",
    "--no-verify-ssl",
    "--no-paginate",
    "--output",
    "--query",
    "--profile",
    "--region",
    "--version",
    "--color",
    "--no-sign-request",
    "--ca-bundle",
    "--cli-read-timeout",
    "--cli-connect-timeout",
    "--cli-binary-format",
    "--no-cli-pager",
    "--cli-auto-prompt",
    "--no-cli-auto-prompt",
    "--cli-input-json",
    "--cli-input-yaml",
    "--generate-cli-skeleton",
]
AWS_PAGINATION_OPTIONS = ["--starting-token", "--page-size", "--max-items"]


def sam_options(path: list[str]) -> dict:
    """The options of the command `sam <path>` names (SAM loads a command only with its context set)."""
    command: click.Command = cli
    context = click.Context(cli, info_name="sam", obj=Context())
    for word in path:
        if not isinstance(command, click.Group):
            break
        sub = command.get_command(context, word)
        if sub is None:
            return {"error": f"`sam {' '.join(path)}`: the SAM CLI has no command `{word}` there"}
        command = sub
        context = click.Context(command, info_name=word, parent=context, obj=context.obj)
    options = [o for p in command.params if isinstance(p, click.Option) for o in p.opts + p.secondary_opts]
    return {"options": options + ["--help", "-h"]}


def aws_options(session: botocore.session.Session, cli_name: str, command: str) -> dict:
    services = {service: service for service in session.get_available_services()}
    services["s3api"] = "s3"
    service = services.get(cli_name)
    if service is None:
        return {"error": f"the AWS CLI has no service `{cli_name}`"}
    model = session.get_service_model(service)
    operations = {xform_name(name, "-"): name for name in model.operation_names}
    operation = operations.get(command)
    if operation is None:
        return {"error": f"`aws {cli_name}` has no command `{command}`"}
    shape = model.operation_model(operation).input_shape
    members = [f"--{xform_name(name, '-')}" for name in (shape.members if shape else {})]
    paged = AWS_PAGINATION_OPTIONS if _pages(session, service, operation) else []
    return {"options": members + AWS_GLOBAL_OPTIONS + paged}


def _pages(session: botocore.session.Session, service: str, operation: str) -> bool:
    """Whether the CLI pages the operation (then it adds the pagination options)."""
    try:
        session.get_paginator_model(service).get_paginator(operation)
    except Exception:  # botocore: ValueError for an operation without a paginator, UnknownServiceError
        return False
    return True


def main() -> None:
    session = botocore.session.get_session()
    answers = {}
    for request in json.load(sys.stdin):
        tool, *words = request
        if tool == "sam":
            answers[" ".join(request)] = sam_options(words)
        else:
            answers[" ".join(request)] = aws_options(session, words[0] if words else "", words[1] if len(words) > 1 else "")
    json.dump(answers, sys.stdout)


if __name__ == "__main__":
    main()
