#!/usr/bin/env bash
# Runs one command with what scripts/setup.sh provides (Node 24, the npm tools, the SAM CLI, moto,
# SAM_PYTHON): the npm scripts that run a command of scripts/ or the tests go through it, so that
# `npm run <script> -- …` works in a fresh shell whatever `node` the machine has.
# Usage: bash scripts/run.sh <command> [arguments…]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec "$@"
