/**
 * The mutation score of Stryker's JSON report, in one line; per file, per surviving mutant and per
 * disabled mutant on request; with --fail-under, exit 1 when shared/ scores under the target, and
 * with --strict, when a mutant survived or no test covers it, or a disable comment gives no reason
 * (the CI gate); or, with --strip-root, an incremental file to be committed made free of this
 * machine's paths.
 *   npm run mutation:score -- [--files] [--survivors] [--disabled] [--fail-under 85] [--strict] [reports/mutation/mutation.json]
 *   npm run mutation:score -- --strip-root tests/mutation/incremental.json
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { type ArgsOf, command, flag, number, runCommand, text } from "../tools/cli/options.ts";
import {
  belowTarget,
  disabledMutants,
  type MutationReport,
  mutationScores,
  scoreLine,
  survivors,
  unexplainedMutants,
} from "../tools/mutation/score.ts";

/** What the target is about: the domain (functions/ hold thin handlers). */
const SCOPE = "shared/";

const COMMAND = command({
  name: "mutation-score",
  summary: "Prints the one-line mutation score of Stryker's JSON report (npm run mutation writes it).",
  options: {
    files: flag({ description: "one line per file: score (killed/scored)" }),
    survivors: flag({ description: "one line per mutant no test detected: file:line, mutator, replacement" }),
    disabled: flag({
      description: "one line per mutant a Stryker disable comment ignored: file:line, mutator, reason",
    }),
    "fail-under": number({
      min: 0,
      max: 100,
      description: "exit 1 (after the score) when the score of shared/ is under this percentage",
    }),
    strict: flag({
      description: "exit 1 when a mutant survived or no test covers it, or a disable comment gives no reason",
    }),
    "strip-root": text({
      placeholder: "FILE",
      description: "drop this checkout's absolute path from FILE (a report to commit) and print nothing",
    }),
  },
  positionals: {
    name: "report",
    description: "Stryker's JSON report (default reports/mutation/mutation.json)",
    check: (path) => (existsSync(path) ? undefined : `report "${path}" does not exist: run npm run mutation first`),
  },
});

function main({ values, positionals }: ArgsOf<typeof COMMAND>): number {
  const strip = values["strip-root"];
  if (strip !== undefined) {
    if (existsSync(strip)) {
      // The root itself, and in the failure messages of killed mutants the sandbox paths under it.
      const root = `${process.cwd()}/`;
      const { projectRoot: _, ...rest } = JSON.parse(readFileSync(strip, "utf8").replaceAll(root, "")) as {
        projectRoot?: string;
      };
      writeFileSync(strip, `${JSON.stringify(rest, null, 2)}\n`);
    }
    return 0;
  }
  const path = positionals[0] ?? "reports/mutation/mutation.json";
  if (!existsSync(path)) {
    console.error(`mutation-score: report "${path}" does not exist: run npm run mutation first`);
    return 2;
  }
  const report = JSON.parse(readFileSync(path, "utf8")) as MutationReport;
  if (values.survivors) {
    for (const s of survivors(report)) {
      console.log(`${s.file}:${s.line} ${s.mutator} ${s.status}: ${s.replacement.replace(/\s+/g, " ").slice(0, 100)}`);
    }
  }
  if (values.disabled) {
    for (const d of disabledMutants(report)) console.log(`${d.file}:${d.line} ${d.mutator}: ${d.reason}`);
  }
  if (values.files) {
    for (const [file, t] of mutationScores(report).files) {
      console.log(
        `${file} ${t.score === null ? "n/a" : t.score.toFixed(1)} (${t.detected}/${t.detected + t.undetected})`,
      );
    }
  }
  console.log(scoreLine(report));
  let status = 0;
  const minimum = values["fail-under"];
  const miss = minimum === undefined ? undefined : belowTarget(report, SCOPE, minimum);
  if (miss !== undefined) {
    console.error(`mutation-score: ${miss}`);
    status = 1;
  }
  if (values.strict) {
    const problems = unexplainedMutants(report);
    for (const problem of problems) console.error(`mutation-score: ${problem}`);
    if (problems.length > 0) status = 1;
  }
  return status;
}

if (import.meta.main) await runCommand(COMMAND, main);
