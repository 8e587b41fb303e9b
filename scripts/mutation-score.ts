// Prints the one-line mutation score of Stryker's JSON report; --files adds one line per file,
// --survivors one line per mutant no test detected (file:line, mutator, replacement).
// --strip-root FILE drops the machine's absolute path from a report to be committed, and prints nothing.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { type MutationReport, mutationScores, scoreLine, survivors } from "../tools/mutation/score.ts";

const args = process.argv.slice(2);
const path = args.find((a) => !a.startsWith("--")) ?? "reports/mutation/mutation.json";

if (args.includes("--strip-root")) {
  if (existsSync(path)) {
    // The root itself, and in the failure messages of killed mutants the sandbox paths under it.
    const root = `${process.cwd()}/`;
    const { projectRoot: _, ...rest } = JSON.parse(readFileSync(path, "utf8").replaceAll(root, "")) as {
      projectRoot?: string;
    };
    writeFileSync(path, `${JSON.stringify(rest, null, 2)}\n`);
  }
} else {
  const report = JSON.parse(readFileSync(path, "utf8")) as MutationReport;
  if (args.includes("--survivors")) {
    for (const s of survivors(report)) {
      console.log(`${s.file}:${s.line} ${s.mutator} ${s.status}: ${s.replacement.replace(/\s+/g, " ").slice(0, 100)}`);
    }
  }
  if (args.includes("--files")) {
    for (const [file, t] of mutationScores(report).files) {
      console.log(
        `${file} ${t.score === null ? "n/a" : t.score.toFixed(1)} (${t.detected}/${t.detected + t.undetected})`,
      );
    }
  }
  console.log(scoreLine(report));
}
