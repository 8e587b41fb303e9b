#!/usr/bin/env bash
# Speed and cost benchmark (not a test): builds the function, then runs scripts/bench.ts.
# Options: --rounds N (12), --warmup N (3), --json (npm run bench -- --help). Profile: npm run bench:profile.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# The options first: a mistake is one line and exit 2 now, not after the build; --help stops here.
node scripts/bench.ts --check-options "$@"
for arg in "$@"; do case $arg in --help | -h) exit 0 ;; --) break ;; esac; done
bash scripts/build.sh
node scripts/bench.ts "$@"
