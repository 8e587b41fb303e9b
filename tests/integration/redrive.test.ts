/**
 * Redrive end to end on the local pipeline at small size (tools/pipeline/redrive-scenarios.ts):
 * the pipeline leaves records out of the data bucket (v2 held back; a Firehose outage longer than
 * the retries), then RedriveFunction's built bundle runs chunk by chunk against moto until its
 * continuation is empty, and a second run delivers nothing (the manifest). Reconciled after: no
 * record unaccounted for, the redriven recordIds exactly the originals.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { BUILT_BUNDLE, BUILT_REDRIVE_BUNDLE, requireBuilt } from "../../tools/lambda/invoke.ts";
import { bundleEnv, DELIVERY_STREAM, QUARANTINE_BUCKET, REGION } from "../../tools/pipeline/emulator.ts";
import { redriveProblems, runRedriveScenario } from "../../tools/pipeline/redrive-scenarios.ts";
import { DEFAULTS, runPipeline } from "../../tools/pipeline/run.ts";

const endpoint = inject("motoEndpoint");
const SMALL = { ...DEFAULTS, vehicles: 10, durationS: 60, badFraction: 0.05, kplShare: 0.3, batchSize: 50 };

describe("redrive on the local pipeline", () => {
  requireBuilt(BUILT_BUNDLE, BUILT_REDRIVE_BUNDLE);

  it("brings back the v2 readings quarantined while v2 was held back, once, with their recordIds", async () => {
    const report = await runRedriveScenario("redrive-versions", SMALL, { endpoint, chunkRecords: 40 });
    const before = report.pipeline.reconciliation;
    expect(before.missing).toEqual([]);
    expect(before.misrouted).toEqual([]);
    expect(before.quarantined.SCHEMA_UNSUPPORTED).toBeGreaterThan(40);

    expect(report.chunks).toBeGreaterThan(1);
    expect([...report.redrivenIds].sort()).toEqual(report.expectedIds);
    expect(report.summary).toMatchObject({ delivered: report.expectedIds.length, failed: 0, malformed: [] });
    expect(report.again).toMatchObject({
      delivered: 0,
      alreadyRedriven: report.summary.read - report.summary.skipped,
    });

    const after = report.after;
    expect(after.missing).toEqual([]);
    expect(after.unexpected).toEqual([]);
    expect(after.misrouted).toEqual([]);
    expect(after.duplicates).toBe(before.duplicates);
    expect(after.quarantined.SCHEMA_UNSUPPORTED ?? 0).toBe(0);
    expect(after.delivered).toBe(before.delivered + report.expectedIds.length);
    expect(redriveProblems(report)).toEqual([]);
  });

  it("brings back the batches a Firehose outage sent to the on-failure destination, reading them from the stream", async () => {
    const report = await runRedriveScenario("redrive-on-failure", SMALL, { endpoint, chunkRecords: 100 });
    const before = report.pipeline.reconciliation;
    expect(before.toOnFailure).toBeGreaterThan(0);
    expect(report.summary.ranges.length).toBe(report.pipeline.onFailure.length);
    expect(report.summary.ranges.every((r) => r.status === "stream")).toBe(true);
    expect(report.summary.expired).toBe(0);

    const redriven = new Set(report.redrivenIds);
    expect(report.expectedIds.filter((id) => !redriven.has(id))).toEqual([]);
    expect(report.again.delivered).toBe(0);
    const after = report.after;
    expect(after.missing).toEqual([]);
    expect(after.unexpected).toEqual([]);
    expect(after.misrouted).toEqual([]);
    expect(after.toOnFailure).toBe(0);
    expect(redriveProblems(report)).toEqual([]);
  });

  it("npm run redrive does the same with an operator's credentials: a dry run by reason, then the redrive, then nothing again", async () => {
    const pipeline = await runPipeline({ ...SMALL, endpoint, v2Share: 0.3, acceptedSchemaVersions: "1" });
    const held = pipeline.reconciliation.quarantined.SCHEMA_UNSUPPORTED ?? 0;
    expect(held).toBeGreaterThan(0);
    const redrive = (...extra: string[]) => {
      const run = spawnSync(
        process.execPath,
        [
          join(import.meta.dirname, "..", "..", "scripts", "redrive.ts"),
          ...["--endpoint", endpoint, "--region", REGION, "--quarantine-bucket", QUARANTINE_BUCKET],
          ...["--delivery-stream", DELIVERY_STREAM, "--reason", "SCHEMA_UNSUPPORTED", "--max-records", "50", "--json"],
          ...extra,
        ],
        { env: { ...process.env, ...bundleEnv(endpoint) }, encoding: "utf8" },
      );
      expect(run.stderr).not.toMatch(/Error/);
      return { status: run.status, summary: JSON.parse(run.stdout) };
    };
    const dry = redrive("--dry-run");
    expect(dry).toMatchObject({ status: 0, summary: { wouldRedrive: { SCHEMA_UNSUPPORTED: held }, delivered: 0 } });
    const real = redrive();
    expect(real.status).toBe(0);
    expect(real.summary.delivered).toBeGreaterThan(0);
    expect(real.summary.delivered + (real.summary.quarantinedAgain.SCHEMA_INVALID ?? 0)).toBe(held);
    expect(redrive()).toMatchObject({ status: 0, summary: { delivered: 0, alreadyRedriven: held } });
  });
});
