import { describe, expect, it } from "vitest";
import {
  belowTarget,
  documentedPlaces,
  type MutationReport,
  mutationScores,
  scoreLine,
  survivors,
  undocumentedSurvivors,
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
        { status: "Ignored", mutatorName: "BooleanLiteral", location: at(6) },
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
    expect(scoreLine(onlyErrors)).toBe("mutation score n/a (x/ n/a): 0 detected, 0 undetected");
  });

  it("prints one line: the overall score, the score per directory, and the counts", () => {
    expect(scoreLine(report)).toBe(
      "mutation score 60.0 % (functions/ 100.0 %, shared/ 50.0 %): 3 detected, 2 undetected",
    );
  });

  it("lists the undetected mutants in file and line order", () => {
    expect(survivors(report)).toEqual([
      { file: "shared/a.ts", line: 3, mutator: "BlockStatement", status: "NoCoverage", replacement: "{}" },
      { file: "shared/b.ts", line: 9, mutator: "EqualityOperator", status: "Survived", replacement: "a  >=\n b" },
    ]);
  });

  it("fails the target when shared/ scores under it, saying by how many mutants, and passes at it", () => {
    // shared/ has 2 of 4 detected: 50 %.
    expect(belowTarget(report, "shared/", 50)).toBeUndefined();
    expect(belowTarget(report, "shared/", 50.1)).toBe(
      "shared/ scores 50.0 %, under the 50.1 % target: 1 more mutant(s) must be detected (node scripts/mutation-score.ts --survivors lists them)",
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

  const doc = [
    "# Testing",
    "## Mutation testing",
    "Not a place: `shared/z.ts:99` comes before the list.",
    "### Equivalent mutants",
    "- `shared/a.ts:3` (f): the block only caches.",
    "- `shared/b.ts:9`, `:12` and `:14`: same result by another path; `shared/b.ts` has no line here.",
    "#### A sub-heading stays inside the list",
    "- `functions/h/index.ts:7`: the SDK's default.",
    "### Next section",
    "- `shared/c.ts:1` is outside the list.",
  ].join("\n");

  it("reads the places of the equivalent-mutant list: a path and line, and further lines of the last path", () => {
    expect([...documentedPlaces(doc, "Equivalent mutants")].sort()).toEqual([
      "functions/h/index.ts:7",
      "shared/a.ts:3",
      "shared/b.ts:12",
      "shared/b.ts:14",
      "shared/b.ts:9",
    ]);
    expect(documentedPlaces(doc, "No such heading").size).toBe(0);
  });

  it("passes a list that names exactly the survivors' lines, and names the unlisted and the stale ones", () => {
    const exact = new Set(["shared/a.ts:3", "shared/b.ts:9"]);
    expect(undocumentedSurvivors(report, exact)).toEqual({ unlisted: [], stale: [] });

    const { unlisted, stale } = undocumentedSurvivors(report, documentedPlaces(doc, "Equivalent mutants"));
    expect(unlisted).toEqual([]);
    expect(stale.sort()).toEqual(["functions/h/index.ts:7", "shared/b.ts:12", "shared/b.ts:14"]);

    expect(undocumentedSurvivors(report, new Set(["shared/b.ts:9"])).unlisted).toEqual([
      { file: "shared/a.ts", line: 3, mutator: "BlockStatement", status: "NoCoverage", replacement: "{}" },
    ]);
  });
});
