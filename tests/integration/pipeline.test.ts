/**
 * The whole local pipeline at small size: fleet → Kinesis → local trigger → built bundle →
 * Firehose → S3, reconciled record by record, including a window in which Firehose is gone.
 */
import { describe, expect, inject, it } from "vitest";
import { requireBuilt } from "../../tools/lambda/invoke.ts";
import { DEFAULTS, runPipeline } from "../../tools/pipeline/run.ts";

const endpoint = inject("motoEndpoint");

describe("local pipeline", () => {
  it("accounts for every produced record exactly, through a Firehose outage, with only identified duplicates", async () => {
    requireBuilt();

    const report = await runPipeline({
      ...DEFAULTS,
      endpoint,
      vehicles: 12,
      durationS: 120,
      badFraction: 0.05,
      kplShare: 0.3,
      batchSize: 100,
      firehoseOutage: { from: 4, invocations: 3 },
    });

    const r = report.reconciliation;
    expect(r.produced).toBe(12 * 120);
    expect(r.kinesisRecords).toBeLessThan(r.produced);
    expect(r.missing).toEqual([]);
    expect(r.unexpected).toEqual([]);
    expect(r.misrouted).toEqual([]);
    expect(r.toOnFailure).toBe(0);
    const quarantined = Object.values(r.quarantined).reduce((a, b) => a + b, 0);
    expect(r.delivered + quarantined).toBe(r.produced);
    expect(Object.keys(r.quarantined).sort()).toEqual(["JSON_INVALID", "SCHEMA_INVALID", "TOO_LARGE"]);
    // Shards run side by side, so how many invocations fall inside the window varies; at least one does.
    expect(report.consumer.partialFailures).toBeGreaterThanOrEqual(1);
    expect(report.consumer.recordsRetried).toBeGreaterThan(0);
    expect(report.billedBytesRatio).toBeGreaterThanOrEqual(1);
  });
});
