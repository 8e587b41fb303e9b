import { defineConfig } from "vitest/config";

// Stryker's test run: the unit tests of the domain and the handlers, by folder (tests/unit/shared/
// and tests/unit/functions/ mirror shared/ and functions/), so a new test of either is included by
// its place and no list of names is kept. The tests of the tools and of the repository's own rules
// (tests/unit/tools/, tests/unit/repo/) cannot kill a mutant of shared/ and would only slow the dry run.
export default defineConfig({
  test: {
    name: "stryker",
    include: ["tests/unit/shared/**/*.test.ts", "tests/unit/functions/**/*.test.ts"],
    // The rule for cost: a `*.long.test.ts` covers every line at a cost per run (the hostile-input
    // property checks 1,000 batches), so with per-test coverage it would run for nearly every mutant;
    // it keeps its full run in the unit suite, and the accounting property covers the same paths here.
    exclude: ["**/*.long.test.ts"],
    environment: "node",
    // The accounting property runs once for nearly every mutant of the batch path: 25 runs instead of
    // 150 keep a mutant's test run short; its full run stays in the unit suite.
    env: { FC_NUM_RUNS: "25" },
  },
});
