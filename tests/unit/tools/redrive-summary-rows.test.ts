/** The redrive command's summary table: the rows, their order and their figures. */
import { describe, expect, it } from "vitest";
import { emptySummary } from "../../../shared/redrive/index.ts";
import { summaryRows } from "../../../tools/redrive/summary-rows.ts";

describe("summaryRows", () => {
  const summary = () => ({
    ...emptySummary(),
    objects: 2,
    read: 12_345,
    delivered: 1_000,
    quarantinedAgain: { SCHEMA_UNSUPPORTED: 3, BASE64_INVALID: 1 },
    failed: 4,
    expired: 5,
    skipped: 6,
    alreadyRedriven: 7,
    wouldRedrive: { SCHEMA_UNSUPPORTED: 2_500, AGGREGATE_CORRUPT: 8 },
    malformed: [{ object: "s3://b/k", line: 1, error: "x" }],
    manifestErrors: ["m: e", "n: e"],
  });

  it("lists delivery, re-quarantine by reason (sorted) and failures after a real run", () => {
    expect(summaryRows(summary(), false)).toEqual([
      ["source objects read", "2"],
      ["records read", "12,345"],
      ["delivered", "1,000"],
      ["quarantined again BASE64_INVALID", "1"],
      ["quarantined again SCHEMA_UNSUPPORTED", "3"],
      ["failed (not delivered, not in the manifest: run again)", "4"],
      ["expired (past the stream's retention)", "5"],
      ["skipped (filtered out)", "6"],
      ["already redriven (manifest; --force to repeat)", "7"],
      ["malformed (reported, skipped)", "1"],
      ["manifest write errors", "2"],
    ]);
  });

  it("lists what would be redriven, by reason (sorted), instead after a dry run", () => {
    expect(summaryRows(summary(), true)).toEqual([
      ["source objects read", "2"],
      ["records read", "12,345"],
      ["would redrive AGGREGATE_CORRUPT", "8"],
      ["would redrive SCHEMA_UNSUPPORTED", "2,500"],
      ["expired (past the stream's retention)", "5"],
      ["skipped (filtered out)", "6"],
      ["already redriven (manifest; --force to repeat)", "7"],
      ["malformed (reported, skipped)", "1"],
      ["manifest write errors", "2"],
    ]);
  });
});
