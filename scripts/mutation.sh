#!/usr/bin/env bash
# Mutation testing of shared/ and functions/ with StrykerJS (stryker.config.mjs): incremental against
# the committed tests/mutation/incremental.json, HTML report in reports/mutation/index.html. Stryker's
# progress goes to stderr; stdout is one line, the score. Extra arguments go to `stryker run`
# (e.g. --mutate shared/decode.ts). node scripts/mutation-score.ts --survivors lists what survived.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
stryker run "$@" >&2
node scripts/mutation-score.ts reports/mutation/mutation.json
