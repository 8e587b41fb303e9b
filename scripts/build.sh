#!/usr/bin/env bash
# Validates the template and builds the function with the real SAM CLI (esbuild from node_modules).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
sam validate --lint >&2
sam build >&2
