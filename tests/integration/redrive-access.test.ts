/**
 * The redrive's IAM access cases (tools/templates/access/cases/redrive.ts), evaluated like the
 * access matrix: each gets exactly its expected decision as deployed, and each allowed one is
 * denied once the grant that allows it is taken out (its breaks). They are also part of the
 * template-mutation harness's cases (template-mutations.test.ts).
 */
import { describe, expect, it } from "vitest";
import {
  ALL_ACCESS_CASES,
  decide,
  deploymentsOf,
  evaluateCases,
  REDRIVE_ACCESS_CASES,
} from "../../tools/templates/access/index.ts";

const deployed = deploymentsOf();

describe("IAM access matrix: redrive", () => {
  it("has one case per name, none shared with the main matrix", () => {
    const names = ALL_ACCESS_CASES.map((c) => c.name);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it.each(REDRIVE_ACCESS_CASES)("$name: $expected", async (accessCase) => {
    const [outcome] = await evaluateCases([accessCase], deployed);
    expect(outcome?.error).toBeUndefined();
    expect(outcome?.decision).toBe(accessCase.expected);
  });

  const breaks = REDRIVE_ACCESS_CASES.flatMap((c) => (c.breaks ?? []).map((b) => ({ ...b, accessCase: c })));
  it.each(breaks)("$accessCase.name: denied when $name", async ({ accessCase, mutation }) => {
    const broken = deploymentsOf(mutation)(accessCase.on);
    expect(await decide(accessCase.request(broken))).not.toBe("Allowed");
  });
});
