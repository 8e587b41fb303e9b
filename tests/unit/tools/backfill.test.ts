/**
 * The curate command's backfill (tools/query/backfill.ts): a range of arrival hours is cut into
 * arrival days, each one execution of the curation state machine whose merge stays within Athena's
 * 100 partitions; the executions run one after the other, a failed day is reported and the others
 * still run. Step Functions is mocked here (moto's Step Functions never ends an execution): the
 * starter's requests are asserted as sent.
 */
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import {
  backfillSteps,
  type ExecutionResult,
  POLL,
  runBackfill,
  stepFunctionsStarter,
  summaryLines,
} from "../../../tools/query/backfill.ts";
import { EVENT_DAY_WINDOW } from "../../../tools/query/curated.ts";

const at = (iso: string) => Date.parse(`${iso}:00:00Z`);
const DAY = 86_400_000;

describe("backfillSteps", () => {
  it("cuts the range into arrival days, the first and last partial, each the state machine's input", () => {
    const steps = backfillSteps(at("2026-11-20T05"), at("2026-11-22T03"));

    expect(steps.map((s) => s.input)).toEqual([
      { task: "merge", from: "2026-11-20T05:00:00.000Z", to: "2026-11-20T23:00:00.000Z" },
      { task: "merge", from: "2026-11-21T00:00:00.000Z", to: "2026-11-21T23:00:00.000Z" },
      { task: "merge", from: "2026-11-22T00:00:00.000Z", to: "2026-11-22T03:00:00.000Z" },
    ]);
    expect(steps[1]?.window).toEqual({ firstDay: "2026-08-24", lastDay: "2026-11-22" });
  });

  it("never gives one execution an event-day window of more than 100 partitions", () => {
    for (const step of backfillSteps(at("2026-01-01T00"), at("2026-03-31T23"))) {
      const days = (Date.parse(step.window.lastDay) - Date.parse(step.window.firstDay)) / DAY + 1;
      expect(days).toBe(EVENT_DAY_WINDOW.daysBefore + EVENT_DAY_WINDOW.daysAfter + 1);
      expect(days).toBeLessThanOrEqual(100);
      expect(step.to - step.from).toBeLessThan(DAY);
    }
  });

  it("takes a single hour as one execution", () => {
    expect(backfillSteps(at("2026-11-20T05"), at("2026-11-20T05")).map((s) => [s.from, s.to])).toEqual([
      [at("2026-11-20T05"), at("2026-11-20T05")],
    ]);
  });
});

describe("runBackfill", () => {
  const reconciled = (n: number): ExecutionResult => ({
    status: "SUCCEEDED",
    seconds: 1,
    reconciliation: { raw_records: n, in_window: n - 1, out_of_window: 1, missing: 0, duplicated: 0 },
  });

  it("starts one execution per day in order, each named for its hours, and sums what they reconciled", async () => {
    const started: string[] = [];
    const summary = await runBackfill(
      backfillSteps(at("2026-11-20T22"), at("2026-11-21T01")),
      async (input, name) => {
        started.push(`${name} ${input.from}`);
        return reconciled(10);
      },
      undefined,
      "20261206",
    );

    expect(started).toEqual([
      "backfill-2026112022-2026112023-20261206 2026-11-20T22:00:00.000Z",
      "backfill-2026112100-2026112101-20261206 2026-11-21T00:00:00.000Z",
    ]);
    expect(summary).toMatchObject({ steps: 2, succeeded: 2, failed: [] });
    expect(summary.totals).toEqual({ raw_records: 20, in_window: 18, out_of_window: 2, missing: 0, duplicated: 0 });
  });

  it("goes on after a failed day and names it in the summary", async () => {
    let call = 0;
    const summary = await runBackfill(backfillSteps(at("2026-11-20T00"), at("2026-11-22T23")), async () =>
      ++call === 2 ? { status: "FAILED", seconds: 3, error: "CurationNotReconciled: missing 4" } : reconciled(5),
    );

    expect(call).toBe(3);
    expect(summary.succeeded).toBe(2);
    expect(summaryLines(summary)).toEqual([
      "2 of 3 arrival days merged and reconciled, 1 failed; 10 distinct raw records, 2 outside the event-day window (left in raw), 0 missing, 0 duplicated",
      "failed: 2026-11-21T00..2026-11-21T23: FAILED: CurationNotReconciled: missing 4",
    ]);
  });
});

describe("stepFunctionsStarter", () => {
  const sfn = mockClient(SFNClient);
  const ARN = "arn:aws:states:eu-west-1:111122223333:stateMachine:consumer-curation";
  const EXECUTION = "arn:aws:states:eu-west-1:111122223333:execution:consumer-curation:backfill-1";
  const input = { task: "merge", from: "2026-11-20T00:00:00.000Z", to: "2026-11-20T23:00:00.000Z" } as const;
  let slept: number[];
  const start = () =>
    stepFunctionsStarter(new SFNClient({ region: "eu-west-1" }), ARN, async (ms) => {
      slept.push(ms);
    });

  beforeEach(() => {
    sfn.reset();
    slept = [];
  });

  it("starts the execution with its name and input, polls until it ends, and reads the reconciliation", async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION });
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: "RUNNING" })
      .resolvesOnce({ status: "RUNNING" })
      .resolvesOnce({ status: "RUNNING" })
      .resolves({
        status: "SUCCEEDED",
        output: JSON.stringify({ raw_records: 12, in_window: 11, out_of_window: 1, missing: 0, duplicated: 0 }),
      });

    const result = await start()(input, "backfill-1");

    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: ARN, name: "backfill-1", input: JSON.stringify(input) },
    ]);
    expect(sfn.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input)).toEqual(
      Array(4).fill({ executionArn: EXECUTION }),
    );
    expect(slept).toEqual([POLL.firstMs, POLL.firstMs * POLL.factor, POLL.firstMs * POLL.factor ** 2]);
    expect(result).toMatchObject({
      status: "SUCCEEDED",
      reconciliation: { raw_records: 12, in_window: 11, out_of_window: 1, missing: 0, duplicated: 0 },
    });
  });

  it("waits at most POLL.maxMs between two polls", async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION });
    const running = sfn.on(DescribeExecutionCommand);
    for (let i = 0; i < 12; i++) running.resolvesOnce({ status: "RUNNING" });
    running.resolves({ status: "SUCCEEDED", output: "{}" });

    await start()(input, "backfill-1");

    expect(Math.max(...slept)).toBe(POLL.maxMs);
  });

  it("reports a failed execution with its error and cause", async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION });
    sfn.on(DescribeExecutionCommand).resolves({ status: "FAILED", error: "CurationNotReconciled", cause: "missing 4" });

    expect(await start()(input, "backfill-1")).toMatchObject({
      status: "FAILED",
      error: "CurationNotReconciled: missing 4",
    });
  });

  it("reports an execution it could not start, with the SDK's error, and never throws", async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }));

    expect(await start()(input, "backfill-1")).toMatchObject({
      status: "NOT_STARTED",
      error: "AccessDeniedException: not authorized",
    });
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  it("reports an execution whose state it could not read as UNKNOWN, naming it", async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION });
    sfn.on(DescribeExecutionCommand).rejects(Object.assign(new Error("slow down"), { name: "ThrottlingException" }));

    expect(await start()(input, "backfill-1")).toMatchObject({
      status: "UNKNOWN",
      error: `${EXECUTION}: ThrottlingException: slow down`,
    });
  });

  it("counts nothing from a successful execution whose output is not JSON", async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION });
    sfn.on(DescribeExecutionCommand).resolves({ status: "SUCCEEDED", output: "not json" });

    expect((await start()(input, "backfill-1")).reconciliation).toEqual({
      raw_records: 0,
      in_window: 0,
      out_of_window: 0,
      missing: 0,
      duplicated: 0,
    });
  });
});
