/** What makes `npm run pipeline -- --scenario redrive` exit 1: every claim of a redrive scenario. */
import { describe, expect, it } from "vitest";
import { emptySummary } from "../../../shared/redrive/index.ts";
import type { Reconciliation } from "../../../tools/pipeline/reconcile.ts";
import { type RedriveScenarioReport, redriveProblems } from "../../../tools/pipeline/redrive-scenarios.ts";

const reconciled: Reconciliation = {
  produced: 3,
  kinesisRecords: 3,
  delivered: 3,
  quarantined: {},
  toOnFailure: 0,
  duplicates: 0,
  missing: [],
  unexpected: [],
  misrouted: [],
};

function report(changes: {
  after?: Partial<Reconciliation>;
  summary?: object;
  again?: object;
  redrivenIds?: string[];
}) {
  return {
    after: { ...reconciled, ...changes.after },
    summary: { ...emptySummary(), ...changes.summary },
    again: { ...emptySummary(), ...changes.again },
    redrivenIds: changes.redrivenIds ?? ["s:1", "s:2"],
    expectedIds: ["s:1", "s:2"],
  } as unknown as RedriveScenarioReport;
}

describe("redriveProblems", () => {
  it("finds none when every record is back once and the redrive failed nothing", () => {
    expect(redriveProblems(report({}))).toEqual([]);
  });

  it.each([
    [{ after: { missing: ["s:3"] } }, "missing after the redrive: 1"],
    [{ after: { unexpected: ["x", "y"] } }, "unexpected: 2"],
    [{ after: { misrouted: ["s:1"] } }, "misrouted: 1"],
    [{ after: { toOnFailure: 4 } }, "still only in the on-failure destination: 4"],
    [{ redrivenIds: ["s:1"] }, "expected back but not redriven: 1"],
    [{ summary: { failed: 5 } }, "failed by the redrive (run again): 5"],
    [{ summary: { manifestErrors: ["m: AccessDenied"] } }, "manifests not written: 1"],
    [{ again: { delivered: 2 } }, "delivered again by a second run (the manifest did not hold): 2"],
  ])("names %j", (changes, problem) => {
    expect(redriveProblems(report(changes))).toEqual([problem]);
  });
});
