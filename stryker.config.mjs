// Mutation testing of the domain (shared/) and the handler (functions/): `npm run mutation`.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  // Only the unit tests of the domain (see vitest.stryker.config.ts); `related: false` because the
  // file list there is already the related set.
  vitest: { configFile: "vitest.stryker.config.ts", related: false },
  // Each mutant runs only the tests that executed its code in the dry run.
  coverageAnalysis: "perTest",
  mutate: ["shared/**/*.ts", "functions/**/*.ts"],
  ignorePatterns: [".tmp", ".aws-sam", ".venv", "reports", "coverage", "events/max-size-batch.json"],
  // The machines have 2 cores, shared.
  concurrency: 2,
  // Committed, so the next run (a developer's or CI's) re-tests only the mutants of changed code or
  // changed tests instead of all of them.
  incremental: true,
  incrementalFile: "tests/mutation/incremental.json",
  reporters: ["html", "json", "progress"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  // 85 % on shared/ is the target (docs/testing.md). Stryker's `break` would apply to every mutated
  // file together (functions/ included), so the gate is scripts/mutation.sh's, on shared/ alone.
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: ".tmp/stryker",
  // TypeScript 7 has no JavaScript compiler API, so neither @stryker-mutator/typescript-checker (not
  // installed for that reason) nor the sandbox's tsconfig rewrite (it parses the file with
  // `typescript`) can run; the tsconfig has no `extends` or `references` to rewrite, so pointing the
  // option at no file skips it. Mutants that would not type-check are run like the others (Vitest
  // strips types): most fail at run time and count as killed.
  tsconfigFile: "",
};
