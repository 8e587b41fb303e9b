/**
 * The curation state machine's JSONata, evaluated by the JSONata engine Step Functions implements
 * (tests/support/jsonata-states.ts): the statements each run sends Athena are exactly those the curate
 * command and the local pipeline fill in TypeScript (tools/query/curated.ts), for the schedules'
 * input and an operator's; a table deployed before a contract field was added gets that column
 * before the merge names it; a reconciliation with a difference fails the execution.
 */
import { describe, expect, it } from "vitest";
import {
  ADD_COLUMNS_SQL,
  columnDefinitions,
  createTableSql,
  fill,
  hourOf,
  maintenanceTokens,
  mergeSql,
  mergeTokens,
  optimizeSql,
  RECONCILIATION_COLUMNS,
  reconcileSql,
  vacuumSql,
} from "../../../tools/query/curated.ts";
import { definition, GET_QUERY_RESULTS, GLUE_GET_TABLE, START_QUERY_SYNC } from "../../../tools/query/state-machine.ts";
import { type Definition, run, type TaskCall } from "../../support/jsonata-states.ts";

const HOUR_MS = 3_600_000;
const machine = definition() as unknown as Definition;
/** A DefinitionSubstitutions placeholder as the definition writes it (Step Functions' `${name}`, not JavaScript's). */
const placeholder = (name: string) => `\${${name}}`;
const allColumns = columnDefinitions().map((c) => c.name);

/** Glue's GetTable answer for the curated table holding `names` (the catalog stores them in lower case). */
const getTable = (names: readonly string[]) => ({
  Table: { Name: "telemetry_curated", StorageDescriptor: { Columns: names.map((Name) => ({ Name, Type: "string" })) } },
});

/** Athena's GetQueryResults answer for the reconciliation: the header row, then the values. */
const reconciliationRows = (values: Record<(typeof RECONCILIATION_COLUMNS)[number], number>) => ({
  ResultSet: {
    Rows: [
      { Data: RECONCILIATION_COLUMNS.map((c) => ({ VarCharValue: c })) },
      { Data: RECONCILIATION_COLUMNS.map((c) => ({ VarCharValue: String(values[c]) })) },
    ],
  },
});

const reconciled = { raw_records: 10, in_window: 9, out_of_window: 1, missing: 0, duplicated: 0 };

/** Answers each integration as the service would, the catalog holding `catalogColumns`. */
function services(catalogColumns: readonly string[] = allColumns, reconciliation = reconciled) {
  return (call: TaskCall) => {
    const resource = (machine.States[call.state] as { Resource: string }).Resource;
    if (resource === GLUE_GET_TABLE) return getTable(catalogColumns);
    if (resource === GET_QUERY_RESULTS) return reconciliationRows(reconciliation);
    if (resource === START_QUERY_SYNC)
      return { QueryExecution: { QueryExecutionId: `q-${call.state}`, Status: { State: "SUCCEEDED" } } };
    throw new Error(`unexpected resource ${resource}`);
  };
}

const queries = (tasks: readonly TaskCall[]) =>
  tasks.filter((t) => "QueryString" in t.arguments).map((t) => [t.state, t.arguments.QueryString]);

describe("the curation state machine, run on its JSONata", () => {
  it("the hourly merge sends the statements the curate command fills for the hour before the scheduled one", async () => {
    const scheduledTime = "2026-12-06T05:10:00Z";
    const hour = hourOf(new Date(scheduledTime)) - HOUR_MS;
    const tokens = mergeTokens(hour, hour);

    const execution = await run(machine, { task: "merge", scheduledTime }, services());

    expect(execution.status).toBe("SUCCEEDED");
    expect(queries(execution.tasks)).toEqual([
      ["CreateTable", createTableSql(placeholder("CuratedLocation"))],
      ["Merge", fill(mergeSql(), tokens)],
      ["Reconcile", fill(reconcileSql(), tokens)],
    ]);
    expect(execution.tasks.find((t) => t.state === "ReadColumns")?.arguments).toEqual({
      DatabaseName: placeholder("Database"),
      Name: "telemetry_curated",
    });
    expect(execution.tasks.find((t) => t.state === "ReadReconciliation")?.arguments).toEqual({
      QueryExecutionId: "q-Reconcile",
      MaxResults: 2,
    });
    expect(execution.output).toEqual({ from_hour: tokens.from_hour, to_hour: tokens.to_hour, ...reconciled });
  });

  it("an operator's range of arrival hours is merged and reconciled as the curate command fills it", async () => {
    const [from, to] = ["2026-11-30T00:00:00Z", "2026-11-30T23:00:00Z"];
    const tokens = mergeTokens(new Date(from), new Date(to));

    const execution = await run(machine, { task: "merge", from, to }, services());

    expect(queries(execution.tasks).slice(1)).toEqual([
      ["Merge", fill(mergeSql(), tokens)],
      ["Reconcile", fill(reconcileSql(), tokens)],
    ]);
  });

  it("adds the columns a table deployed before a contract field lacks, before the merge names them", async () => {
    const lacking = ["estimatedrangekm", "tyrepressureskpa"];
    const added = columnDefinitions()
      .filter((c) => lacking.includes(c.name))
      .map((c) => c.ddl);

    const execution = await run(
      machine,
      { task: "merge", scheduledTime: "2026-12-06T05:10:00Z" },
      services(allColumns.filter((c) => !lacking.includes(c))),
    );

    expect(added).toHaveLength(2);
    expect(execution.path.slice(4, 9)).toEqual(["CreateTable", "ReadColumns", "Evolve", "AddColumns", "Merge"]);
    expect(queries(execution.tasks)[1]).toEqual([
      "AddColumns",
      ADD_COLUMNS_SQL.replace("{{columns}}", added.join(", ")),
    ]);
    expect(execution.status).toBe("SUCCEEDED");
  });

  it("adds nothing when the catalog has every column, whatever their case", async () => {
    const execution = await run(
      machine,
      { scheduledTime: "2026-12-06T05:10:00Z" },
      services(allColumns.map((c) => c.toUpperCase())),
    );

    expect(execution.path).not.toContain("AddColumns");
    expect(execution.path).toContain("Merge");
  });

  it("fails, naming the hours and the counts, when the reconciliation finds a reading missing or doubled", async () => {
    const execution = await run(
      machine,
      { task: "merge", from: "2026-11-30T04:00:00Z" },
      services(allColumns, { ...reconciled, missing: 2, duplicated: 1 }),
    );

    expect(execution).toMatchObject({ status: "FAILED", error: "CurationNotReconciled" });
    expect(execution.cause).toBe(
      "arrival hours 2026113004..2026113004: raw_records 10, in_window 9, out_of_window 1, missing 2, duplicated 1",
    );
  });

  it.each([
    [{ task: "merge", from: "2026-11-30T00:00:00Z", to: "2026-12-01T00:00:00Z" }, "from 2026-11-30T00:00:00Z"],
    [{ task: "merge", from: "2026-11-30T05:00:00Z", to: "2026-11-30T04:00:00Z" }, "to 2026-11-30T04:00:00Z"],
    [{ task: "rebuild" }, "task rebuild"],
  ])("refuses %j before running anything", async (input, named) => {
    const execution = await run(machine, input, services());

    expect(execution).toMatchObject({ status: "FAILED", error: "CurationInputRefused", tasks: [] });
    expect(execution.cause).toContain(named);
  });

  it("maintenance compacts the two whole days before the scheduled one, then vacuums", async () => {
    const scheduledTime = "2026-12-06T03:30:00Z";

    const execution = await run(machine, { task: "maintain", scheduledTime }, services());

    expect(execution.status).toBe("SUCCEEDED");
    expect(queries(execution.tasks)).toEqual([
      ["Compact", fill(optimizeSql(), maintenanceTokens(new Date(scheduledTime)))],
      ["Vacuum", vacuumSql()],
    ]);
  });

  it("without a scheduled time, merges the hour before the execution's start", async () => {
    const tokens = mergeTokens(new Date("2026-12-06T11:00:00Z"), new Date("2026-12-06T11:00:00Z"));

    const execution = await run(machine, {}, services(), "2026-12-06T12:34:56.789Z");

    expect(queries(execution.tasks)[1]).toEqual(["Merge", fill(mergeSql(), tokens)]);
  });
});
