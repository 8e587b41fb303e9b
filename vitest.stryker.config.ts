import { defineConfig } from "vitest/config";

// Stryker's test run: only the unit tests of the domain and the handler (no network, no moto, no
// child processes), so each mutant runs in milliseconds. Tests of the tools (fleet, producer,
// queries, docs, templates) cannot kill a mutant of shared/ and would only slow the dry run; the
// hostile-input fuzz property (1,000 batches) covers every line, so with per-test coverage it would
// run for nearly every mutant: the accounting property covers the same paths in a tenth of the time.
export default defineConfig({
  test: {
    name: "stryker",
    // Every unit test but those of the tools: a new test of the domain is included by default.
    include: ["tests/unit/*.test.ts"],
    exclude: [
      "tests/unit/{cli,commands,docs,fleet,fuzz.property,layering,mutation-score,policy-wildcards,producer,query-delivered,query-local,query-template,reconcile,redrive-summary-rows,runs,template-mutations}.test.ts",
    ],
    environment: "node",
    // The accounting property runs once for nearly every mutant of the batch path: 25 runs instead of
    // 150 keep a mutant's test run short; its full run stays in the unit suite.
    env: { FC_NUM_RUNS: "25" },
  },
});
