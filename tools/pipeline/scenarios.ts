/**
 * The fault scenarios: each a run of the whole local pipeline (tools/pipeline/run.ts) with faults
 * injected between the function and AWS, reconciled record by record.
 */

import type { FaultRule } from "../faults/fault-proxy.ts";
import { DEFAULTS, type PipelineOptions, type PipelineReport, runPipeline } from "./run.ts";

/** A count a scenario claims: exactly this many, none, or at least one. */
export type Expected = number | "some";

/**
 * What a scenario's title promises, as figures a run must show. Every scenario claims nothing lost,
 * nothing misrouted and nothing left to the on-failure destination (recovery), so those are not
 * repeated here.
 */
export interface Claim {
  /** Kinesis records handed over again by the trigger: 0 where retries happen inside the invocation. */
  readonly reported: Expected;
  /** Lines delivered twice (same recordId). */
  readonly duplicates?: Expected;
  /** What the fault proxy did, by kind (respond, partial, reset, hang, delay, killed). */
  readonly faults?: Readonly<Record<string, Expected>>;
  /** Invocations that ended in a function error (a crashed runtime, a timeout). */
  readonly functionErrors?: Expected;
  /** Invocations that returned a partial failure. */
  readonly partialFailures?: Expected;
  /** Quarantined records by reason. */
  readonly quarantined?: Readonly<Record<string, Expected>>;
}

export interface Scenario {
  readonly title: string;
  readonly options: Partial<PipelineOptions>;
  readonly claim: Claim;
}

/** Firehose PutRecordBatch calls from `from` (inclusive) to `to` (exclusive) answer 503. */
function firehoseDownFor(from: number, to: number): FaultRule {
  return (req) =>
    req.service === "firehose" && req.index >= from && req.index < to
      ? { kind: "respond", status: 503, errorType: "ServiceUnavailableException", message: "Slow down." }
      : { kind: "forward" };
}

export const SCENARIOS: Record<string, Scenario> = {
  throttling: {
    title: "Firehose throttling (503 ServiceUnavailableException), then recovery",
    claim: { reported: 0, duplicates: 0, faults: { respond: 6 }, functionErrors: 0 },
    options: { faults: { rule: () => firehoseDownFor(0, 6) } },
  },
  "partial-failures": {
    title: "PutRecordBatch 200 with FailedPutCount > 0 for a random 30 % of entries",
    claim: { reported: 0, duplicates: 0, faults: { partial: "some" }, functionErrors: 0 },
    options: {
      faults: {
        rule: (random) => (req) =>
          req.service === "firehose" ? { kind: "partial", fails: () => random() < 0.3 } : { kind: "forward" },
      },
    },
  },
  "resets-and-timeouts": {
    title: "Connection resets (25 %) and hung calls (15 %) on Firehose; 500 ms attempt timeout",
    claim: { reported: 0, faults: { reset: "some", hang: "some" }, functionErrors: 0 },
    options: {
      faults: {
        functionEnv: { FIREHOSE_ATTEMPT_TIMEOUT_MS: "500" },
        rule: (random) => (req) => {
          if (req.service !== "firehose") return { kind: "forward" };
          const roll = random();
          return roll < 0.25 ? { kind: "reset" } : roll < 0.4 ? { kind: "hang" } : { kind: "forward" };
        },
      },
    },
  },
  "slow-firehose": {
    title: "Firehose answering after 4 s, past a 3 s function's budget (first 2 calls)",
    claim: { reported: "some", faults: { delay: 2 } },
    options: {
      functionTimeoutMs: 3_000,
      faults: {
        rule: () => (req) =>
          req.service === "firehose" && req.index < 2 ? { kind: "delay", ms: 4_000 } : { kind: "forward" },
      },
    },
  },
  "quarantine-write-fails": {
    title: "Quarantine PutObject failing: 500 (first 4 calls), then AccessDenied (next 2)",
    claim: { reported: "some", faults: { respond: 6 }, functionErrors: 0 },
    options: {
      badFraction: 0.2,
      faults: {
        rule: () => (req) => {
          if (req.service !== "s3" || req.operation !== "PUT") return { kind: "forward" };
          if (req.index < 4)
            return {
              kind: "respond",
              status: 500,
              errorType: "InternalError",
              message: "We encountered an internal error.",
            };
          if (req.index < 6)
            return { kind: "respond", status: 403, errorType: "AccessDenied", message: "Access Denied" };
          return { kind: "forward" };
        },
      },
    },
  },
  "firehose-outage": {
    title: "Total Firehose outage over several invocations (the trigger's retries)",
    claim: { reported: "some", partialFailures: "some", faults: { respond: 24 }, functionErrors: 0 },
    options: { faults: { rule: () => firehoseDownFor(1, 25) } },
  },
  "corrupt-aggregates": {
    title: "Corrupt and truncated KPL aggregates (40 % of aggregates) among good ones",
    claim: { reported: 0, duplicates: 0, quarantined: { AGGREGATE_CORRUPT: "some" }, functionErrors: 0 },
    options: { kplShare: 0.5, corruptAggregateShare: 0.4 },
  },
  "crash-mid-batch": {
    title: "Function's runtime process killed (SIGKILL) right after Firehose accepted its first PutRecordBatch",
    // Lambda answers the killed invocation with Runtime.ExitError; its batch is handed over again
    // (retried, or bisected when it has several) to a runtime initialised afresh.
    claim: { reported: "some", duplicates: "some", functionErrors: 1, faults: { killed: 1 } },
    options: { faults: { crashAfterAcceptedPuts: 1 } },
  },
};

export interface ScenarioResult {
  readonly scenario: string;
  readonly produced: number;
  readonly delivered: number;
  readonly quarantined: number;
  readonly toOnFailure: number;
  /** Kinesis records the trigger handed over again (rewinds and retries). */
  readonly reported: number;
  /** Produced but found nowhere (must be 0). */
  readonly lost: number;
  readonly duplicates: number;
  /** True when every record seen was produced and went where its intent says: duplicates are identifiable by recordId. */
  readonly identified: boolean;
  readonly functionTimeouts: number;
  readonly maxInvocationMs: number;
  readonly functionTimeoutMs: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly report: PipelineReport;
}

/**
 * Where a run breaks its scenario's claim (or the promise every scenario makes: nothing lost or
 * misrouted, nothing to the on-failure destination), one message per figure; empty when it holds.
 */
export function brokenClaims(result: ScenarioResult): string[] {
  const claim = SCENARIOS[result.scenario]?.claim;
  if (!claim) return [`unknown scenario ${result.scenario}`];
  const broken: string[] = [];
  const check = (what: string, actual: number, expected: Expected | undefined) => {
    if (expected === undefined) return;
    if (expected === "some" ? actual < 1 : actual !== expected)
      broken.push(`${what}: ${actual}, claimed ${expected === "some" ? "at least 1" : expected}`);
  };
  const r = result.report.reconciliation;
  check("lost", result.lost, 0);
  check("unexpected or misrouted", r.unexpected.length + r.misrouted.length, 0);
  check("sent to the on-failure destination", result.toOnFailure, 0);
  check("reported for retry", result.reported, claim.reported);
  check("duplicates", result.duplicates, claim.duplicates);
  const errors = result.report.consumer;
  check(
    `function errors${errors.errorMessages.length > 0 ? ` (${errors.errorMessages.join("; ")})` : ""}`,
    errors.functionErrors,
    claim.functionErrors,
  );
  check("partial failures", result.report.consumer.partialFailures, claim.partialFailures);
  for (const [kind, expected] of Object.entries(claim.faults ?? {}))
    check(`faults injected (${kind})`, result.faults[kind] ?? 0, expected);
  for (const [reason, expected] of Object.entries(claim.quarantined ?? {}))
    check(`quarantined ${reason}`, r.quarantined[reason] ?? 0, expected);
  return broken;
}

/** Runs one scenario on top of `base` (size, seed, emulator). */
export async function runScenario(name: string, base: Partial<PipelineOptions> = {}): Promise<ScenarioResult> {
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`unknown scenario ${name}; one of ${Object.keys(SCENARIOS).join(", ")}`);
  const options: PipelineOptions = {
    ...DEFAULTS,
    vehicles: 10,
    durationS: 120,
    batchSize: 100,
    maximumRetryAttempts: 20,
    ...base,
    ...scenario.options,
  };
  const report = await runPipeline(options);
  const r = report.reconciliation;
  return {
    scenario: name,
    produced: r.produced,
    delivered: r.delivered,
    quarantined: Object.values(r.quarantined).reduce((a, b) => a + b, 0),
    toOnFailure: r.toOnFailure,
    reported: report.consumer.recordsRetried,
    lost: r.missing.length,
    duplicates: r.duplicates,
    identified: r.unexpected.length === 0 && r.misrouted.length === 0,
    functionTimeouts: report.consumer.timeouts,
    maxInvocationMs: Math.round(report.consumer.maxInvocationMs),
    functionTimeoutMs: report.functionTimeoutMs,
    faults: report.faultCounts,
    report,
  };
}
