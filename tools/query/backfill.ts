/**
 * Backfill of the curated table for a range of arrival hours (scripts/curate.ts): the range cut
 * into arrival days, each merged and reconciled by one execution of the stack's curation state
 * machine (the statements the schedule runs, so no statement of a backfill crosses Athena's 100
 * partitions: a day's merge takes at most 91 event days), one after the other.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { hourOf, isoHour, mergeTokens, RECONCILIATION_COLUMNS, type Reconciliation } from "./curated.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** One execution of a backfill: its arrival hours (starts, UTC ms) and the state machine's input. */
export interface BackfillStep {
  readonly from: number;
  readonly to: number;
  readonly input: { readonly task: "merge"; readonly from: string; readonly to: string };
  /** The event days its merge takes (first and last, inclusive). */
  readonly window: { readonly firstDay: string; readonly lastDay: string };
}

/** The range cut into arrival days (the first and last may be partial), in order. */
export function backfillSteps(from: number, to: number): BackfillStep[] {
  const steps: BackfillStep[] = [];
  for (let start = hourOf(from); start <= hourOf(to); ) {
    const end = Math.min(Math.floor(start / DAY_MS) * DAY_MS + DAY_MS - HOUR_MS, hourOf(to));
    const tokens = mergeTokens(start, end);
    steps.push({
      from: start,
      to: end,
      input: { task: "merge", from: new Date(start).toISOString(), to: new Date(end).toISOString() },
      window: { firstDay: tokens.first_day, lastDay: tokens.last_day },
    });
    start = end + HOUR_MS;
  }
  return steps;
}

/** What an execution came to: its status, and the reconciliation it output (when it succeeded). */
export interface ExecutionResult {
  readonly status: string;
  readonly reconciliation?: Reconciliation;
  /** The error and cause of a failed execution, or why it could not be started. */
  readonly error?: string;
  readonly seconds: number;
}

/** Starts one execution of the state machine and waits for its end. */
export type StartExecution = (input: BackfillStep["input"], name: string) => Promise<ExecutionResult>;

export interface BackfillSummary {
  readonly steps: number;
  readonly succeeded: number;
  readonly failed: readonly { readonly step: BackfillStep; readonly result: ExecutionResult }[];
  readonly totals: Reconciliation;
}

/** Runs the steps one after the other, reporting each; never stops at a failure (each day stands alone). */
export async function runBackfill(
  steps: readonly BackfillStep[],
  start: StartExecution,
  onStep: (index: number, step: BackfillStep, result: ExecutionResult) => void = () => {},
  runId = new Date()
    .toISOString()
    .replace(/[^0-9]/g, "")
    .slice(0, 14),
): Promise<BackfillSummary> {
  const failed: { step: BackfillStep; result: ExecutionResult }[] = [];
  const totals = Object.fromEntries(RECONCILIATION_COLUMNS.map((c) => [c, 0])) as Record<keyof Reconciliation, number>;
  let succeeded = 0;
  for (const [index, step] of steps.entries()) {
    const name = `backfill-${isoHour(step.from).replace(/[^0-9]/g, "")}-${isoHour(step.to).replace(/[^0-9]/g, "")}-${runId}`;
    const result = await start(step.input, name);
    onStep(index, step, result);
    if (result.status === "SUCCEEDED") {
      succeeded++;
      for (const c of RECONCILIATION_COLUMNS) totals[c] += result.reconciliation?.[c] ?? 0;
    } else failed.push({ step, result });
  }
  return { steps: steps.length, succeeded, failed, totals };
}

/** A StartExecution through boto3 in the project's virtualenv (tools/query/start_execution.py). */
export function botoStarter(stateMachineArn: string, python = process.env.SAM_PYTHON): StartExecution {
  const script = join(import.meta.dirname, "start_execution.py");
  return async (input, name) => {
    if (!python) return { status: "NOT_STARTED", error: "SAM_PYTHON is not set: source scripts/setup.sh", seconds: 0 };
    const run = spawnSync(python, [script], {
      input: JSON.stringify({ stateMachineArn, name, input }),
      encoding: "utf8",
      maxBuffer: 16 * 1024 * 1024,
    });
    if (run.status !== 0)
      return { status: "NOT_STARTED", error: run.stderr.trim().split("\n").pop() ?? "", seconds: 0 };
    return JSON.parse(run.stdout) as ExecutionResult;
  };
}

/** The days the command could not merge, one line each, and a closing line; for the command to print. */
export function summaryLines(summary: BackfillSummary): string[] {
  const t = summary.totals;
  const n = (x: number) => x.toLocaleString("en-US");
  return [
    `${summary.succeeded} of ${summary.steps} arrival days merged and reconciled, ${summary.failed.length} failed; ` +
      `${n(t.raw_records)} distinct raw records, ${n(t.out_of_window)} outside the event-day window (left in raw), ` +
      `${n(t.missing)} missing, ${n(t.duplicated)} duplicated`,
    ...summary.failed.map(
      ({ step, result }) =>
        `failed: ${isoHour(step.from)}..${isoHour(step.to)}: ${result.status}: ${result.error ?? ""}`,
    ),
  ];
}
