"""
What `sam local invoke` gives a function, computed by the SAM CLI's own code without Docker: its
environment (the template's variables, the shell environment, the --env-vars file and the
credentials and region SAM resolves, merged by samcli's LocalLambdaRunner and EnvironmentVariables
exactly as `sam local invoke FUNCTION --env-vars FILE [--region REGION]` does before it starts the
container, AWS_LAMBDA_FUNCTION_TIMEOUT and AWS_LAMBDA_FUNCTION_MEMORY_SIZE among them), and the
function's artifact folder, handler, runtime, timeout and memory as SAM reads them (Globals applied),
and the Runtime Interface Emulator the SAM CLI ships for this machine's architecture.

    python tools/lambda/sam-local-env.py TEMPLATE FUNCTION [ENV_VARS_FILE] [--region REGION]

Prints one JSON object: {"environment": {...}, "codeUri", "handler", "runtime", "timeout",
"memorySize", "emulator"}.
Run it with the SAM CLI's Python ($SAM_PYTHON after `source scripts/setup.sh`); the shell
environment SAM sees is this process's.
"""

import argparse
import json
import os
import platform
import sys

import samcli
from samcli.commands.local.cli_common.invoke_context import InvokeContext
from samcli.commands.local.lib.local_lambda import LocalLambdaRunner
from samcli.lib.providers.sam_function_provider import SamFunctionProvider
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("template")
    parser.add_argument("function")
    parser.add_argument("env_vars_file", nargs="?", default=None)
    parser.add_argument("--region", default=None)
    args = parser.parse_args()

    # The same calls as InvokeContext (sam local invoke's context) makes, minus the container runtime.
    stacks, _ = SamLocalStackProvider.get_stacks(args.template)
    provider = SamFunctionProvider(stacks)
    runner = LocalLambdaRunner(
        local_runtime=None,
        function_provider=provider,
        cwd=os.path.dirname(os.path.abspath(args.template)),
        real_path=os.path.dirname(os.path.abspath(args.template)),
        aws_region=args.region,
        env_vars_values=InvokeContext._get_env_vars_value(args.env_vars_file),
    )
    function = runner.get_function(args.function)
    resolved = {
        "environment": runner._make_env_vars(function).resolve(),
        # Relative to this process's directory, as the provider joins it to the template's folder.
        "codeUri": os.path.abspath(function.codeuri),
        "handler": function.handler,
        "runtime": function.runtime,
        "timeout": function.timeout,
        "memorySize": function.memory,
        # What `sam local` runs in its container (for the function's architecture, under emulation
        # if need be); here the function runs on this machine, so the binary for this machine's.
        "emulator": os.path.join(
            os.path.dirname(samcli.__file__),
            "local",
            "rapid",
            "aws-lambda-rie-" + ("arm64" if platform.machine() in ("aarch64", "arm64") else "x86_64"),
        ),
    }
    json.dump(resolved, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
