#!/usr/bin/env bash
# Validates the templates and builds the function with the real SAM CLI (esbuild from node_modules).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
sam validate --lint >&2
sam build >&2
# The producer account's stack (no function to build; validated and built for its own checks).
sam validate --lint -t producer/template.yaml >&2
sam build -t producer/template.yaml --build-dir .aws-sam/producer-build >&2
