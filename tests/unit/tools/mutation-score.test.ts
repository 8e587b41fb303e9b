import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  belowTarget,
  disabledMutants,
  hasWrittenReason,
  type MutationReport,
  mutationScores,
  type ReportMutant,
  scoreLine,
  survivors,
  unexplainedMutants,
} from "../../../tools/mutation/score.ts";

const at = (line: number) => ({ start: { line, column: 1 } });

const report: MutationReport = {
  files: {
    "shared/b.ts": {
      mutants: [
        { status: "Killed", mutatorName: "StringLiteral", location: at(1) },
        { status: "Survived", mutatorName: "EqualityOperator", replacement: "a  >=\n b", location: at(9) },
        { status: "Timeout", mutatorName: "UpdateOperator", location: at(4) },
        { status: "CompileError", mutatorName: "BooleanLiteral", location: at(5) },
        {
          status: "Ignored",
          statusReason: "the cache's initial value is never read",
          mutatorName: "BooleanLiteral",
          location: at(6),
        },
      ],
    },
    "shared/a.ts": {
      mutants: [
        { status: "NoCoverage", mutatorName: "BlockStatement", replacement: "{}", location: at(3) },
        { status: "RuntimeError", mutatorName: "ArrayDeclaration", location: at(2) },
      ],
    },
    "functions/h/index.ts": { mutants: [{ status: "Killed", mutatorName: "StringLiteral", location: at(7) }] },
  },
};

/** A report of one file holding these mutants. */
const only = (...mutants: ReportMutant[]): MutationReport => ({ files: { "shared/x.ts": { mutants } } });
const killed: ReportMutant = { status: "Killed", mutatorName: "StringLiteral", location: at(1) };
const disabled = (statusReason: string | undefined, line = 12): ReportMutant => ({
  status: "Ignored",
  ...(statusReason === undefined ? {} : { statusReason }),
  mutatorName: "ConditionalExpression",
  location: at(line),
});

describe("mutation score", () => {
  it("counts killed and timed-out mutants as detected, survived and uncovered ones as not, and scores no others", () => {
    const { files, directories, overall } = mutationScores(report);

    expect(files.get("shared/b.ts")).toEqual({ detected: 2, undetected: 1, score: (100 * 2) / 3 });
    expect(files.get("shared/a.ts")).toEqual({ detected: 0, undetected: 1, score: 0 });
    expect(directories.get("shared/")).toEqual({ detected: 2, undetected: 2, score: 50 });
    expect(directories.get("functions/")).toEqual({ detected: 1, undetected: 0, score: 100 });
    expect(overall).toEqual({ detected: 3, undetected: 2, score: 60 });
  });

  it("gives no score to a file whose mutants all went unscored", () => {
    const onlyErrors: MutationReport = {
      files: { "x/y.ts": { mutants: [{ status: "CompileError", mutatorName: "StringLiteral", location: at(1) }] } },
    };

    expect(mutationScores(onlyErrors).overall.score).toBeNull();
    expect(scoreLine(onlyErrors)).toBe("mutation score n/a (x/ n/a): 0 detected, 0 undetected, 0 ignored");
  });

  it("prints one line: the overall score, the score per directory, and the counts, ignored ones apart", () => {
    expect(scoreLine(report)).toBe(
      "mutation score 60.0 % (functions/ 100.0 %, shared/ 50.0 %): 3 detected, 2 undetected, 1 ignored",
    );
  });

  it("lists the undetected mutants in file and line order", () => {
    expect(survivors(report)).toEqual([
      { file: "shared/a.ts", line: 3, mutator: "BlockStatement", status: "NoCoverage", replacement: "{}" },
      { file: "shared/b.ts", line: 9, mutator: "EqualityOperator", status: "Survived", replacement: "a  >=\n b" },
    ]);
  });

  it("lists the disabled mutants in file and line order, with their reasons", () => {
    const twoFiles: MutationReport = {
      files: {
        "shared/z.ts": { mutants: [disabled("why z", 2)] },
        "shared/y.ts": { mutants: [disabled("  why y at 9  ", 9), disabled(undefined, 4), killed] },
      },
    };

    expect(disabledMutants(twoFiles)).toEqual([
      { file: "shared/y.ts", line: 4, mutator: "ConditionalExpression", reason: "" },
      { file: "shared/y.ts", line: 9, mutator: "ConditionalExpression", reason: "why y at 9" },
      { file: "shared/z.ts", line: 2, mutator: "ConditionalExpression", reason: "why z" },
    ]);
  });

  it("fails the target when shared/ scores under it, saying by how many mutants, and passes at it", () => {
    // shared/ has 2 of 4 detected: 50 %.
    expect(belowTarget(report, "shared/", 50)).toBeUndefined();
    expect(belowTarget(report, "shared/", 50.1)).toBe(
      "shared/ scores 50.0 %, under the 50.1 % target: 1 more mutant(s) must be detected (npm run mutation:score -- --survivors lists them)",
    );
    expect(belowTarget(report, "shared/", 85)).toMatch(/under the 85 % target: 2 more mutant/);
    // The other directories do not count towards it.
    expect(belowTarget(report, "functions/", 100)).toBeUndefined();
  });

  it("fails the target when the report scored nothing in the directory", () => {
    const onlyErrors: MutationReport = {
      files: {
        "shared/y.ts": { mutants: [{ status: "CompileError", mutatorName: "StringLiteral", location: at(1) }] },
      },
    };

    expect(belowTarget(onlyErrors, "shared/", 0)).toMatch(/^no scored mutant in shared\//);
    expect(belowTarget(report, "tools/", 0)).toMatch(/^no scored mutant in tools\//);
  });
});

describe("the gate on undetected and disabled mutants", () => {
  it("passes a report whose mutants are all detected, unscored, or disabled with a reason", () => {
    const clean = only(
      killed,
      { status: "Timeout", mutatorName: "UpdateOperator", location: at(2) },
      { status: "RuntimeError", mutatorName: "ArrayDeclaration", location: at(3) },
      disabled("JSON.parse(undefined) throws, and the catch gives the same empty set"),
    );

    expect(unexplainedMutants(clean)).toEqual([]);
  });

  it("fails a surviving mutant, naming file:line, the mutator, the replacement and both fixes", () => {
    const problems = unexplainedMutants(
      only(killed, { status: "Survived", mutatorName: "EqualityOperator", replacement: "a  >=\n b", location: at(9) }),
    );

    expect(problems).toEqual([
      'shared/x.ts:9 EqualityOperator Survived (a >= b): no test detects it; write a test that does, or, if it cannot change behaviour, mark it at the code with "// Stryker disable next-line EqualityOperator: <why>"',
    ]);
  });

  it("fails a mutant no test covers", () => {
    const problems = unexplainedMutants(
      only({ status: "NoCoverage", mutatorName: "BlockStatement", replacement: "{}", location: at(3) }),
    );

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^shared\/x\.ts:3 BlockStatement NoCoverage \(\{\}\): no test runs it; write a test/);
  });

  it.each([
    ["a disable comment without a reason (Stryker's default)", "Ignored using a comment"],
    ["a mutator excluded in the configuration", 'Ignored because of excluded mutation "Regex"'],
    ["an empty reason", "  "],
    ["no reason recorded", undefined],
  ])("fails a mutant ignored by %s, naming file:line and the comment to write", (_, reason) => {
    const problems = unexplainedMutants(only(killed, disabled(reason, 12)));

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^shared\/x\.ts:12 ConditionalExpression is ignored without a reason \(".*"\): write why after the mutator name, "\/\/ Stryker disable next-line ConditionalExpression: <why>"$/,
    );
  });

  it("takes a written reason, whatever its words, but not Stryker's own", () => {
    expect(hasWrittenReason("unreachable: the parser refuses it first")).toBe(true);
    expect(hasWrittenReason("Ignored using a comment, twice")).toBe(true);
    expect(hasWrittenReason("Ignored using a comment")).toBe(false);
    expect(hasWrittenReason("")).toBe(false);
  });

  it("lists every problem of a report, the undetected first", () => {
    const problems = unexplainedMutants(report);

    expect(problems.map((p) => p.slice(0, p.indexOf(" ("))).slice(0, 2)).toEqual([
      "shared/a.ts:3 BlockStatement NoCoverage",
      "shared/b.ts:9 EqualityOperator Survived",
    ]);
    expect(problems).toHaveLength(2);
  });
});

describe("npm run mutation:score -- --fail-under 85 --strict (the gate scripts/mutation.sh runs)", () => {
  const dir = mkdtempSync(join(tmpdir(), "mutation-score-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the command on a report of these mutants in shared/ (and one killed in functions/). */
  function gate(...mutants: ReportMutant[]) {
    const path = join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
    const written: MutationReport = {
      files: { "shared/x.ts": { mutants }, "functions/h/index.ts": { mutants: [killed] } },
    };
    writeFileSync(path, JSON.stringify(written));
    const run = spawnSync(process.execPath, ["scripts/mutation-score.ts", "--fail-under", "85", "--strict", path], {
      cwd: join(import.meta.dirname, "..", "..", ".."),
      encoding: "utf8",
    });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  const sixKilled = Array.from({ length: 6 }, (_, i) => ({ ...killed, location: at(i + 1) }));

  it("exits 0 with the score alone when every mutant is detected or disabled with a reason", () => {
    expect(gate(...sixKilled, disabled("the SDK's default"))).toEqual({
      status: 0,
      stdout: "mutation score 100.0 % (functions/ 100.0 %, shared/ 100.0 %): 7 detected, 0 undetected, 1 ignored\n",
      stderr: "",
    });
  });

  it("exits 1 on a survivor although the score is over the target", () => {
    const run = gate(...sixKilled, { status: "Survived", mutatorName: "EqualityOperator", location: at(9) });

    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/shared\/ 85\.7 %/);
    expect(run.stderr).toMatch(/^mutation-score: shared\/x\.ts:9 EqualityOperator Survived/);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("exits 1 on a disable without a reason", () => {
    const run = gate(...sixKilled, disabled("Ignored using a comment", 30));

    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^mutation-score: shared\/x\.ts:30 ConditionalExpression is ignored without a reason/);
  });

  it("exits 1 when shared/ scores under the target, saying so", () => {
    const run = gate(killed, { status: "NoCoverage", mutatorName: "BlockStatement", location: at(2) });

    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^mutation-score: shared\/ scores 50\.0 %, under the 85 % target/m);
    expect(run.stderr).toMatch(/^mutation-score: shared\/x\.ts:2 BlockStatement NoCoverage/m);
  });
});
