/**
 * Backfill of the curated table for a range of arrival hours (scripts/curate.ts): the range cut
 * into arrival days, each merged and reconciled by one execution of the stack's curation state
 * machine (the statements the schedule runs, so no statement of a backfill crosses Athena's 100
 * partitions: a day's merge takes at most 91 event days), one after the other.
 */
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  StartExecutionCommand,
  type StartExecutionCommandOutput,
} from "@aws-sdk/client-sfn";
import {
  hourOf,
  isoHour,
  mergeTokens,
  RECONCILIATION_COLUMNS,
  type Reconciliation,
  reconciliationFrom,
} from "./curated.ts";

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

/** The part of a Step Functions client the backfill uses (an `SFNClient`). */
export interface StepFunctionsSender {
  send(command: StartExecutionCommand): Promise<StartExecutionCommandOutput>;
  send(command: DescribeExecutionCommand): Promise<DescribeExecutionCommandOutput>;
}

/** How often an execution's end is polled for: 2 s, growing by half each time, at most 20 s apart. */
export const POLL = { firstMs: 2_000, factor: 1.5, maxMs: 20_000 } as const;

/**
 * A StartExecution with the caller's AWS credentials (the SDK's default chain): starts the
 * execution, then describes it until it is no longer running (polled as `POLL` says). A start or
 * describe that fails is an outcome, `NOT_STARTED` or `UNKNOWN` with the SDK's error, never a throw:
 * the backfill goes on with the next day. Retries are the SDK's standard ones.
 */
export function stepFunctionsStarter(
  client: StepFunctionsSender,
  stateMachineArn: string,
  sleep: (ms: number) => Promise<void>,
  now: () => number = Date.now,
): StartExecution {
  return async (input, name) => {
    const started = now();
    const seconds = () => Math.round((now() - started) / 100) / 10;
    let executionArn: string | undefined;
    try {
      const out = await client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
      executionArn = out.executionArn;
    } catch (err) {
      return { status: "NOT_STARTED", error: describe(err), seconds: seconds() };
    }
    if (executionArn === undefined)
      return { status: "NOT_STARTED", error: "StartExecution returned no executionArn", seconds: seconds() };
    for (let delay: number = POLL.firstMs; ; delay = Math.min(delay * POLL.factor, POLL.maxMs)) {
      let described: DescribeExecutionCommandOutput;
      try {
        described = await client.send(new DescribeExecutionCommand({ executionArn }));
      } catch (err) {
        return { status: "UNKNOWN", error: `${executionArn}: ${describe(err)}`, seconds: seconds() };
      }
      const status = described.status ?? "UNKNOWN";
      if (status === "SUCCEEDED")
        return { status, reconciliation: reconciliationOf(described.output), seconds: seconds() };
      if (status !== "RUNNING" && status !== "PENDING_REDRIVE") {
        const error = [described.error, described.cause].filter((part) => part).join(": ");
        return { status, error, seconds: seconds() };
      }
      await sleep(delay);
    }
  };
}

/** A successful execution's output: the hour's reconciliation counts (a missing count is 0). */
function reconciliationOf(output: string | undefined): Reconciliation {
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(output ?? "{}");
    if (typeof value === "object" && value !== null) parsed = value as Record<string, unknown>;
  } catch {
    // An output that is not JSON counts nothing; the execution itself succeeded.
  }
  return reconciliationFrom(parsed);
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
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
