#!/usr/bin/env bash
# The whole test suite, as CI runs it: format and lint, type-check, generated files up to date,
# SAM validate --lint and build, then unit, property and integration tests (moto server), then
# mutation testing of the domain (incremental).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

echo "› biome (format + lint)" >&2
biome ci .
echo "› tsc --noEmit" >&2
tsc --noEmit -p .
echo "› generated events, schemas and query resources are up to date" >&2
node scripts/generate-events.ts --check
node scripts/publish-schema.ts --check
node scripts/publish-query.ts --check
echo "› sam validate --lint, sam build" >&2
bash scripts/build.sh
echo "› checkov on the translated templates" >&2
bash scripts/check-templates.sh
echo "› vitest (unit, property, integration)" >&2
mkdir -p .tmp
status=0
vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json || status=$?
if [ "$status" -eq 0 ]; then
  # Incremental against a copy of the committed tests/mutation/incremental.json (only npm run mutation
  # rewrites that file): only the mutants of code or tests changed since it was written run (a minute
  # when nothing changed); it prints the score and fails when shared/ is under 85 %, a mutant survived
  # or went uncovered, or a `// Stryker disable` comment gives no reason.
  echo "› mutation testing of shared/ and functions/ (StrykerJS, incremental)" >&2
  mkdir -p .tmp/mutation
  cp tests/mutation/incremental.json .tmp/mutation/incremental.json
  bash scripts/mutation.sh --incrementalFile .tmp/mutation/incremental.json || status=$?
fi
if [ "$status" -eq 0 ]; then
  echo "› benchmark smoke run (one round; figures come from npm run bench)" >&2
  node scripts/bench.ts --rounds 1 --warmup 0 --json > .tmp/bench-smoke.json || status=$?
fi
node -e '
  const r = JSON.parse(require("node:fs").readFileSync(".tmp/vitest.json", "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' || true
exit "$status"
