#!/usr/bin/env bash
# Mutation testing of shared/ and functions/ with StrykerJS (stryker.config.mjs): incremental against
# the committed tests/mutation/incremental.json, which the run rewrites (or against the file given with
# Stryker's --incrementalFile: scripts/test.sh passes a copy, so the suite leaves the checkout clean).
# HTML report in reports/mutation/index.html; Stryker's progress goes to stderr; stdout is one line,
# the score. Exit 1 when shared/ scores under 85 %, when a mutant survived or no test covers it, or
# when a `// Stryker disable` comment gives no reason: the gate CI runs. Extra arguments go to
# `stryker run` (e.g. --mutate shared/decode.ts). npm run mutation:score -- --survivors lists what survived.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# The mutation score shared/ must reach (docs/testing.md); stryker.config.mjs reports against it.
TARGET=85
incremental=tests/mutation/incremental.json
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --incrementalFile) incremental="${args[i + 1]:-}" ;;
    --incrementalFile=*) incremental="${args[i]#*=}" ;;
  esac
done
status=0
stryker run "$@" >&2 || status=$?
# Stryker records the checkout's absolute path in the incremental file (also after an interrupted
# run, which saves what it has), and in failure messages; it is committed, so the path is dropped.
node scripts/mutation-score.ts --strip-root "$incremental"
[ "$status" -eq 0 ] || exit "$status"
node scripts/mutation-score.ts --fail-under "$TARGET" --strict reports/mutation/mutation.json
