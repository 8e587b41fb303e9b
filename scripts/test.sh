#!/usr/bin/env bash
# The whole test suite, as CI runs it: format and lint, type-check, generated files up to date,
# SAM validate --lint and build, then unit, property and integration tests (moto server), then
# mutation testing of the domain (incremental).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Tracked files the suite itself could rewrite (npm's lockfile, Stryker's incremental results): a run
# must leave them as it found them. Hashed before setup.sh, which installs the npm packages.
GUARDED=(package-lock.json tests/mutation/incremental.json)
hash_of() { if [ -f "$1" ]; then sha256sum <"$1" | cut -d' ' -f1; else echo absent; fi; }
declare -A found
for file in "${GUARDED[@]}"; do found[$file]=$(hash_of "$file"); done
leave_as_found() {
  local status=$? file
  for file in "${GUARDED[@]}"; do
    if [ "$(hash_of "$file")" != "${found[$file]}" ]; then
      echo "✗ the run changed $file: the suite must leave tracked files as it found them (change it on purpose and commit it: docs/testing.md, \"The whole suite\")" >&2
      status=1
    fi
  done
  exit "$status"
}
trap leave_as_found EXIT

source scripts/setup.sh

echo "› biome (format + lint)" >&2
biome ci .
echo "› tsc --noEmit" >&2
tsc --noEmit -p .
echo "› generated events, schemas, query resources and doc sections are up to date" >&2
node scripts/generate-events.ts --check
node scripts/publish-schema.ts --check
node scripts/publish-query.ts --check
node scripts/publish-docs.ts --check
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
