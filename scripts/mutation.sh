#!/usr/bin/env bash
# Mutation testing of shared/ and functions/ with StrykerJS (stryker.config.mjs): incremental against
# the committed tests/mutation/incremental.json, HTML report in reports/mutation/index.html. Stryker's
# progress goes to stderr; stdout is one line, the score. Exit 1 when shared/ scores under 85 %, or
# when a surviving mutant is not in docs/testing.md's list of equivalent mutants (or the list names a
# line where none survives): the gate CI runs. Extra arguments go to `stryker run`
# (e.g. --mutate shared/decode.ts). node scripts/mutation-score.ts --survivors lists what survived.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# The mutation score shared/ must reach (docs/testing.md); stryker.config.mjs reports against it.
TARGET=85
status=0
stryker run "$@" >&2 || status=$?
# Stryker records the checkout's absolute path in the incremental file (also after an interrupted
# run, which saves what it has), and in failure messages; it is committed, so the path is dropped.
node scripts/mutation-score.ts --strip-root tests/mutation/incremental.json
[ "$status" -eq 0 ] || exit "$status"
node scripts/mutation-score.ts --fail-under "$TARGET" --equivalents docs/testing.md reports/mutation/mutation.json
