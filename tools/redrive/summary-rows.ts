/** How the redrive command shows a run's summary: the domain returns the counts, this lays them out. */
import type { RedriveSummary } from "../../shared/redrive/index.ts";

/** The summary as label/value rows, in the order the runbook explains them (the command prints these). */
export function summaryRows(summary: RedriveSummary, dryRun: boolean): [string, string][] {
  const n = (x: number) => x.toLocaleString("en-US");
  const byReason = (counts: Record<string, number>, label: string): [string, string][] =>
    Object.entries(counts)
      .sort()
      .map(([reason, count]) => [`${label} ${reason}`, n(count)]);
  return [
    ["source objects read", n(summary.objects)],
    ["records read", n(summary.read)],
    ...(dryRun
      ? byReason(summary.wouldRedrive, "would redrive")
      : [
          ["delivered", n(summary.delivered)] as [string, string],
          ...byReason(summary.quarantinedAgain, "quarantined again"),
          ["failed (not delivered, not in the manifest: run again)", n(summary.failed)] as [string, string],
        ]),
    ["expired (past the stream's retention)", n(summary.expired)],
    ["skipped (filtered out)", n(summary.skipped)],
    ["already redriven (manifest; --force to repeat)", n(summary.alreadyRedriven)],
    ["malformed (reported, skipped)", n(summary.malformed.length)],
    ["manifest write errors", n(summary.manifestErrors.length)],
  ];
}
