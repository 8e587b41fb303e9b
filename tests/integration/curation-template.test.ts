/**
 * The curation as deployed, checked on the consumer template as the SAM translator makes it and
 * resolved for a deployment (moto runs neither Athena SQL nor Step Functions' Athena integration,
 * so this, the access matrix and the local DuckDB runs are what prove it here): the schedules start
 * the state machine after Firehose's buffer interval; every step is an Athena query in the curation
 * workgroup through the optimized integration, with the statements generated from the contract and
 * each of their tokens filled; a merge is reconciled and fails on a difference; the table's location
 * is the one the roles are granted; a failed execution alarms.
 */
import { describe, expect, it } from "vitest";
import { CURATED_TABLE } from "../../tools/query/columns.ts";
import {
  ADD_COLUMNS_SQL,
  CURATED_PREFIX,
  columnDefinitions,
  createTableSql,
  MAINTENANCE_TOKENS,
  MERGE_TOKENS,
  mergeSql,
  optimizeSql,
  RECONCILIATION_COLUMNS,
  reconcileSql,
  vacuumSql,
} from "../../tools/query/curated.ts";
import { GET_QUERY_RESULTS, GLUE_GET_TABLE, START_QUERY_SYNC } from "../../tools/query/state-machine.ts";
import { deployBoth } from "../../tools/templates/two-accounts.ts";

const { consumer } = deployBoth();
const props = (id: string) => consumer.resources[id]?.properties ?? {};

interface State {
  readonly Type: string;
  readonly Resource?: string;
  readonly Next?: string;
  readonly Default?: string;
  readonly Choices?: readonly { readonly Condition: string; readonly Next: string }[];
  readonly Arguments?: Record<string, unknown>;
  readonly Assign?: Record<string, unknown>;
}
const definition = props("CurationStateMachine").Definition as { StartAt: string; States: Record<string, State> };
const states = definition.States;
const substitutions = props("CurationStateMachine").DefinitionSubstitutions as Record<string, string>;
/** A DefinitionSubstitutions placeholder as the definition writes it (Step Functions' `${name}`, not JavaScript's). */
const placeholder = (name: string) => `\${${name}}`;

/**
 * The states a run goes through from `from`, choosing at each Choice the branch whose condition
 * mentions `task`, or the one where all is well (the table has every column, nothing is missing).
 */
function path(task: string): string[] {
  const seen: string[] = [];
  let name: string | undefined = definition.StartAt;
  while (name !== undefined && !seen.includes(name)) {
    seen.push(name);
    const state: State | undefined = states[name];
    if (state?.Type === "Choice")
      name =
        state.Choices?.find((c) =>
          [`'${task}'`, "$missing = 0", "$columns_to_add = ''"].some((s) => c.Condition.includes(s)),
        )?.Next ?? state.Default;
    else name = state?.Next;
  }
  return seen;
}

describe("the curation schedules", () => {
  const buffer = (
    props("TelemetryDeliveryStream").ExtendedS3DestinationConfiguration as {
      BufferingHints: { IntervalInSeconds: number };
    }
  ).BufferingHints.IntervalInSeconds;

  it.each([
    ["CurationHourlySchedule", "merge", /^cron\((\d+) \* \* \* \? \*\)$/],
    ["CurationMaintenanceSchedule", "maintain", /^cron\((\d+) \d+ \* \* \? \*\)$/],
  ])(
    "%s starts the curation state machine as CurationSchedulerRole with task %s and its scheduled time",
    (id, task, cron) => {
      const schedule = props(id);
      const target = schedule.Target as { Arn: string; RoleArn: string; Input: string };

      expect(target.Arn).toBe(consumer.arnOf("CurationStateMachine"));
      expect(target.RoleArn).toBe(consumer.arnOf("CurationSchedulerRole"));
      expect(JSON.parse(target.Input)).toEqual({ task, scheduledTime: "<aws.scheduler.scheduled-time>" });
      expect(schedule.ScheduleExpressionTimezone).toBe("UTC");
      expect(String(schedule.ScheduleExpression)).toMatch(cron);
    },
  );

  it("runs the hourly merge after Firehose's buffer interval has passed, so the hour before is complete", () => {
    const minute = Number(/^cron\((\d+) /.exec(String(props("CurationHourlySchedule").ScheduleExpression))?.[1]);
    expect(minute * 60).toBeGreaterThan(buffer);
  });
});

describe("the curation state machine", () => {
  it("runs every statement as an Athena query through the optimized integration, in the curation workgroup only", () => {
    const tasks = Object.values(states).filter((s) => s.Type === "Task");

    expect(new Set(tasks.map((t) => t.Resource))).toEqual(
      new Set([START_QUERY_SYNC, GET_QUERY_RESULTS, GLUE_GET_TABLE]),
    );
    expect(tasks.filter((t) => t.Resource === GLUE_GET_TABLE).map((t) => t.Arguments)).toEqual([
      { DatabaseName: placeholder("Database"), Name: CURATED_TABLE },
    ]);
    for (const task of tasks.filter((t) => t.Resource === START_QUERY_SYNC))
      expect(task.Arguments).toMatchObject({
        WorkGroup: placeholder("WorkGroup"),
        QueryExecutionContext: { Database: placeholder("Database") },
      });
    expect(substitutions.WorkGroup).toBe(props("CurationWorkGroup").Name);
    expect(substitutions.WorkGroup).not.toBe(props("AnalystWorkGroup").Name);
    expect(props("CurationStateMachine").RoleArn).toBe(consumer.arnOf("CurationRole"));
  });

  it("merges: creates the table if need be, reads its columns, merges, reconciles, reads the reconciliation and judges it", () => {
    expect(path("merge")).toEqual([
      "Plan",
      "Range",
      "Tokens",
      "Task",
      "CreateTable",
      "ReadColumns",
      "Evolve",
      "Merge",
      "Reconcile",
      "ReadReconciliation",
      "Judge",
      "Reconciled",
    ]);
    expect(states.Judge?.Default).toBe("NotReconciled");
    expect(states.NotReconciled?.Type).toBe("Fail");
    expect(states.Task?.Default).toBe("Refused");
    expect(states.Evolve?.Default).toBe("AddColumns");
    expect(states.AddColumns?.Next).toBe("Merge");
  });

  it("maintains: compacts, then vacuums", () => {
    expect(path("maintain")).toEqual(["Plan", "Range", "Tokens", "Task", "Compact", "Vacuum", "Maintained"]);
  });

  it("holds the statements generated from the contract, the table at the location the roles are granted", () => {
    expect(states.Plan?.Assign).toMatchObject({
      create_sql: createTableSql(placeholder("CuratedLocation")),
      curated_columns: columnDefinitions(),
      add_columns_sql: ADD_COLUMNS_SQL,
      merge_sql: mergeSql(),
      reconcile_sql: reconcileSql(),
      optimize_sql: optimizeSql(),
      vacuum_sql: vacuumSql(),
    });
    const location = substitutions.CuratedLocation;
    expect(location).toBe(`s3://${consumer.arnOf("DataBucket").replace("arn:aws:s3:::", "")}/${CURATED_PREFIX}`);
    const granted = JSON.stringify(props("CurationPolicy").PolicyDocument);
    expect(granted).toContain(`${consumer.arnOf("DataBucket")}/${CURATED_PREFIX}*`);
    expect(granted).toContain(`/${CURATED_TABLE}"`);
    expect(JSON.stringify(props("AnalystPolicy").PolicyDocument)).toContain(`/${CURATED_TABLE}"`);
  });

  it("fills every token of each statement it runs, and no other", () => {
    const uses = (state: string) => String(states[state]?.Arguments?.QueryString);
    const tokensIn = (expression: string) => [...expression.matchAll(/'\{\{(\w+)\}\}'/g)].map((m) => m[1]);

    expect(uses("CreateTable")).toBe("{% $create_sql %}");
    expect(tokensIn(uses("Merge"))).toEqual([...MERGE_TOKENS]);
    expect(tokensIn(uses("Reconcile"))).toEqual([...MERGE_TOKENS]);
    expect(tokensIn(uses("Compact"))).toEqual([...MAINTENANCE_TOKENS]);
    expect(uses("Vacuum")).toBe("{% $vacuum_sql %}");
    const assigned = Object.keys(states.Tokens?.Assign ?? {});
    expect(assigned.sort()).toEqual([...MERGE_TOKENS, ...MAINTENANCE_TOKENS].sort());
  });

  it("reads the reconciliation's columns in the order the query answers them, and fails unless nothing is missing or doubled", () => {
    const finalSelect = reconcileSql().split("\nSELECT\n")[1]?.split("\nFROM ")[0] ?? "";
    const answered = [...finalSelect.matchAll(/ AS (\w+),?$/gm)].map((m) => m[1]);
    expect(answered).toEqual([...RECONCILIATION_COLUMNS]);
    const read = states.ReadReconciliation?.Assign ?? {};
    RECONCILIATION_COLUMNS.forEach((column, i) => {
      expect(read[column]).toBe(`{% $number($states.result.ResultSet.Rows[1].Data[${i}].VarCharValue) %}`);
    });
    expect(states.Judge?.Choices).toEqual([
      { Condition: "{% $missing = 0 and $duplicated = 0 %}", Next: "Reconciled" },
    ]);
  });
});

describe("CurationFailedAlarm", () => {
  it("counts the curation state machine's failed and timed-out executions and notifies the alarm topic", () => {
    const alarm = props("CurationFailedAlarm");
    const metrics = alarm.Metrics as {
      Id: string;
      MetricStat?: { Metric: { MetricName: string; Dimensions: unknown[] } };
    }[];

    expect(alarm.AlarmActions).toEqual([consumer.arnOf("AlarmTopic")]);
    expect(metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : []))).toEqual([
      "ExecutionsFailed",
      "ExecutionsTimedOut",
    ]);
    for (const m of metrics.filter((m) => m.MetricStat))
      expect(m.MetricStat?.Metric.Dimensions).toEqual([
        { Name: "StateMachineArn", Value: consumer.arnOf("CurationStateMachine") },
      ]);
  });
});
