/**
 * The access matrix under systematic mutation of both templates' policies, the whole harness
 * (tools/templates/mutations.ts; a few seconds, figures from `npm run template-mutations`): at least
 * 90 % of the mutants are caught, and the survivors are exactly the ones documented harmless in
 * tools/templates/mutation-survivors.ts. A new grant without a case, or a boundary no case tries,
 * shows up here as a new survivor.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ALL_ACCESS_CASES } from "../../tools/templates/access/index.ts";
import { gateProblems, KNOWN_SURVIVORS, MIN_CAUGHT_SHARE } from "../../tools/templates/mutation-survivors.ts";
import { allMutants, type MutationReport, runMutations } from "../../tools/templates/mutations.ts";
import { loadTranslated } from "../../tools/templates/two-accounts.ts";

let report: MutationReport;

beforeAll(async () => {
  report = await runMutations(
    ALL_ACCESS_CASES,
    allMutants({ consumer: loadTranslated("consumer"), producer: loadTranslated("producer") }),
  );
}, 120_000);

describe("the access matrix under template mutation", () => {
  it(`catches at least ${MIN_CAUGHT_SHARE * 100} % of the mutants of every policy document`, () => {
    expect(report.results.length).toBeGreaterThan(100);
    expect(report.caught / report.results.length).toBeGreaterThanOrEqual(MIN_CAUGHT_SHARE);
  });

  it("lets survive exactly the mutants documented as harmless, each with its reason", () => {
    expect([...report.survivors].sort()).toEqual(Object.keys(KNOWN_SURVIVORS).sort());
  });

  it("catches every mutant with a case, never by failing to evaluate one", () => {
    expect(report.results.filter((r) => r.error !== undefined).map((r) => `${r.id}: ${r.error}`)).toEqual([]);
  });

  it("passes the gate npm run template-mutations applies", () => {
    expect(gateProblems(report)).toEqual([]);
  });
});
