#!/usr/bin/env bash
# Speed and cost benchmark (not a test): builds the function, then runs scripts/bench.ts.
# Options: --rounds N (12), --warmup N (3), --json. Profile: node scripts/profile.ts.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
bash scripts/build.sh
node scripts/bench.ts "$@"
