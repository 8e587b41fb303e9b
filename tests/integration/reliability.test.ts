/**
 * Every fault scenario at small size through the whole pipeline (built bundle, moto, fault proxy,
 * local trigger), reconciled: nothing lost, duplicates only of produced records, no timeout overrun,
 * and the fault visibly happened.
 */
import { describe, expect, inject, it } from "vitest";
import { runScenario, type ScenarioResult } from "../../tools/pipeline/scenarios.ts";

const endpoint = inject("motoEndpoint");
const base = { endpoint, vehicles: 6, durationS: 60 };

function expectSound(r: ScenarioResult): void {
  expect(r.lost).toBe(0);
  expect(r.report.reconciliation.missing).toEqual([]);
  expect(r.identified).toBe(true);
  expect(r.functionTimeouts).toBe(0);
  expect(r.maxInvocationMs).toBeLessThan(r.functionTimeoutMs);
  expect(r.delivered + r.quarantined + r.toOnFailure).toBe(r.produced);
}

describe("fault scenarios (reconciled record by record)", () => {
  it("Firehose throttling, then recovery: retried inside the invocation, nothing lost", async () => {
    const r = await runScenario("throttling", base);
    expectSound(r);
    expect(r.faults.respond).toBe(6);
  });

  it("FailedPutCount > 0 for random entries: only those resent, no duplicates", async () => {
    const r = await runScenario("partial-failures", base);
    expectSound(r);
    expect(r.faults.partial).toBeGreaterThan(0);
    expect(r.duplicates).toBe(0);
  });

  it("connection resets and hung calls: abandoned after the attempt timeout and retried", async () => {
    const r = await runScenario("resets-and-timeouts", base);
    expectSound(r);
    expect((r.faults.reset ?? 0) + (r.faults.hang ?? 0)).toBeGreaterThan(0);
  });

  it("Firehose slower than the budget: the invocation reports and ends before its timeout", async () => {
    const r = await runScenario("slow-firehose", base);
    expectSound(r);
    expect(r.faults.delay).toBe(2);
    expect(r.reported).toBeGreaterThan(0);
  });

  it("quarantine write failing (500, then AccessDenied): those records come back and are quarantined", async () => {
    const r = await runScenario("quarantine-write-fails", base);
    expectSound(r);
    expect(r.faults.respond).toBe(6);
    expect(r.reported).toBeGreaterThan(0);
  });

  it("total Firehose outage over several invocations: the trigger's retries carry it through", async () => {
    const r = await runScenario("firehose-outage", base);
    expectSound(r);
    expect(r.report.consumer.partialFailures).toBeGreaterThanOrEqual(2);
  });

  it("corrupt and truncated aggregates: each quarantined whole, the good ones delivered", async () => {
    const r = await runScenario("corrupt-aggregates", base);
    expectSound(r);
    expect(r.report.reconciliation.quarantined.AGGREGATE_CORRUPT).toBeGreaterThan(0);
  });

  it("function killed mid-batch: the retry re-delivers, duplicates carry the same recordId", async () => {
    const r = await runScenario("crash-mid-batch", base);
    expectSound(r);
    expect(r.report.consumer.functionErrors).toBeGreaterThanOrEqual(1);
    expect(r.duplicates).toBeGreaterThan(0);
  });
});
