/**
 * The mutation score of Stryker's JSON report, in one line; per file and per surviving mutant on
 * request; with --fail-under, exit 1 when shared/ scores under the target, and with --equivalents,
 * when a survivor is not in the documented list of equivalent mutants or the list names a line where
 * nothing survives (the CI gate); or, with
 * --strip-root, the report to be committed made free of this machine's paths.
 *   node scripts/mutation-score.ts [--files] [--survivors] [--fail-under 85] [reports/mutation/mutation.json]
 *   node scripts/mutation-score.ts --strip-root tests/mutation/incremental.json
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { type ArgsOf, command, flag, number, runCommand, text } from "../tools/cli/options.ts";
import {
  belowTarget,
  documentedPlaces,
  type MutationReport,
  mutationScores,
  scoreLine,
  survivors,
  undocumentedSurvivors,
} from "../tools/mutation/score.ts";

/** What the target is about: the domain (functions/ hold thin handlers). */
const SCOPE = "shared/";
/** The heading of the list of equivalent mutants (docs/testing.md). */
const EQUIVALENTS = "Equivalent mutants";

const COMMAND = command({
  name: "mutation-score",
  summary: "Prints the one-line mutation score of Stryker's JSON report (npm run mutation writes it).",
  options: {
    files: flag({ description: "one line per file: score (killed/scored)" }),
    survivors: flag({ description: "one line per mutant no test detected: file:line, mutator, replacement" }),
    "fail-under": number({
      min: 0,
      max: 100,
      description: "exit 1 (after the score) when the score of shared/ is under this percentage",
    }),
    equivalents: text({
      placeholder: "FILE",
      description: `exit 1 unless FILE's "${EQUIVALENTS}" section names exactly the lines where mutants survived`,
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
  const list = values.equivalents;
  if (list !== undefined) {
    if (!existsSync(list)) {
      console.error(`mutation-score: --equivalents file "${list}" does not exist`);
      return 2;
    }
    const documented = documentedPlaces(readFileSync(list, "utf8"), EQUIVALENTS);
    const { unlisted, stale } = undocumentedSurvivors(report, documented);
    for (const s of unlisted) {
      console.error(
        `mutation-score: ${s.file}:${s.line} ${s.mutator} ${s.status} is neither detected nor in ${list}'s "${EQUIVALENTS}": write a test that detects it, or list the line with the reason it cannot change behaviour`,
      );
    }
    for (const place of stale) {
      console.error(
        `mutation-score: ${list}'s "${EQUIVALENTS}" names ${place}, where no mutant survives: the code moved or a test now detects it; update the list`,
      );
    }
    if (unlisted.length > 0 || stale.length > 0) status = 1;
  }
  return status;
}

if (import.meta.main) await runCommand(COMMAND, main);
