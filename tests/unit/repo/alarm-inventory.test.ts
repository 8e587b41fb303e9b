/**
 * The alarm inventory has one source, template.yaml: every alarm it declares has a runbook entry in
 * docs/operations.md (and no entry names an alarm that is not there), and the dashboard shows every
 * alarm that always exists. The table of alarms in that page is generated (scripts/publish-docs.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REJECTION_REASONS } from "../../../shared/rejection.ts";
import {
  alarmsOf,
  type ConsumerTemplate,
  consumerTemplate,
  dashboardAlarms,
  TemplateShapeError,
} from "../../../tools/templates/consumer-template.ts";

const OPERATIONS = readFileSync(join(import.meta.dirname, "..", "..", "..", "docs", "operations.md"), "utf8");

/** The runbook's entries: each `### <name>` under `## Alarms`, with the text up to the next heading. */
function runbookEntries(markdown: string): Map<string, string> {
  const section = markdown.split(/^## /m).find((part) => part.startsWith("Alarms\n")) ?? "";
  return new Map(
    section
      .split(/^### /m)
      .slice(1)
      .map((entry) => {
        const [heading = "", ...body] = entry.split("\n");
        return [heading.trim(), body.join("\n")] as const;
      }),
  );
}

/** What is wrong with the runbook against the template's alarms, one line each. */
function runbookProblems(markdown: string, template: ConsumerTemplate): string[] {
  const entries = runbookEntries(markdown);
  const alarms = alarmsOf(template).map(([id]) => id);
  return [
    ...alarms.filter((id) => !entries.has(id)).map((id) => `${id} has no runbook entry`),
    ...[...entries.keys()].filter((name) => !alarms.includes(name)).map((name) => `${name}: no such alarm`),
    ...[...entries]
      .filter(([, body]) => !(body.includes("**Means**") && body.includes("**First**")))
      .map(([name]) => `${name}: an entry says what it **Means** and what to do **First**`),
  ];
}

/** What is wrong with the dashboard: an alarm that always exists and is not shown, or one shown that may not exist. */
function dashboardProblems(template: ConsumerTemplate): string[] {
  const shown = dashboardAlarms(template);
  const alarms = alarmsOf(template);
  return [
    ...alarms
      .filter(([id, alarm]) => alarm.Condition === undefined && !shown.includes(id))
      .map(([id]) => `${id} is not on the dashboard`),
    ...alarms
      .filter(([id, alarm]) => alarm.Condition !== undefined && shown.includes(id))
      .map(([id, alarm]) => `${id} exists only with ${alarm.Condition}, so the dashboard cannot name it`),
    ...shown.filter((id) => !alarms.some(([alarm]) => alarm === id)).map((id) => `the dashboard shows ${id}, no alarm`),
    ...shown.filter((id, i) => shown.indexOf(id) !== i).map((id) => `the dashboard shows ${id} twice`),
  ];
}

/** The `Reason` each alarm on a metric of ours watches (the dimension `addBatchMetrics` publishes per reason). */
function reasonsWatched(template: ConsumerTemplate): string[] {
  return alarmsOf(template).flatMap(([, alarm]) =>
    ((alarm.Properties?.Dimensions ?? []) as { Name: string; Value: unknown }[])
      .filter((d) => d.Name === "Reason")
      .map((d) => String(d.Value)),
  );
}

describe("the alarm inventory of template.yaml", () => {
  const template = consumerTemplate();

  it("watches quarantine reasons by the names shared/rejection.ts gives them, UNEXPECTED_ERROR among them", () => {
    const watched = reasonsWatched(template);
    expect(watched).toContain("UNEXPECTED_ERROR");
    for (const reason of watched) expect(REJECTION_REASONS).toContain(reason);
    const [, alarm] = alarmsOf(template).find(([id]) => id === "UnexpectedErrorAlarm") ?? [];
    expect(alarm?.Properties).toMatchObject({
      Namespace: "VehicleTelemetry",
      MetricName: "RecordsQuarantined",
      Dimensions: [
        { Name: "service", Value: "telemetry-consumer" },
        { Name: "Reason", Value: "UNEXPECTED_ERROR" },
      ],
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
    });
  });

  it("has alarms", () => {
    expect(alarmsOf(template).length).toBeGreaterThan(0);
  });

  it("has a runbook entry for each alarm in docs/operations.md, and no entry for an alarm that is not there", () => {
    expect(runbookProblems(OPERATIONS, template)).toEqual([]);
  });

  it("shows on the dashboard every alarm that always exists, once, and none that exists only under a condition", () => {
    expect(dashboardProblems(template)).toEqual([]);
  });
});

describe("the checks can fail", () => {
  const alarm = (condition?: string) => ({
    Type: "AWS::CloudWatch::Alarm",
    ...(condition ? { Condition: condition } : {}),
    Properties: {},
  });
  /** `${Name.Arn}`, as the dashboard's Fn::Sub names an alarm. */
  const arnOf = (id: string) => `\${${id}.Arn}`;
  const dashboard = (alarms: readonly string[]) => ({
    Type: "AWS::CloudWatch::Dashboard",
    Properties: {
      DashboardBody: {
        "Fn::Sub": JSON.stringify({ widgets: [{ type: "alarm", properties: { alarms } }, { type: "metric" }] }),
      },
    },
  });
  const template = (resources: ConsumerTemplate["Resources"]): ConsumerTemplate => ({
    Parameters: {},
    Resources: resources,
  });

  it("finds an alarm without an entry, an entry without an alarm, and an entry that says too little", () => {
    const markdown = [
      "## Alarms",
      "### AAlarm",
      "**Means**: a. **First**: b.",
      "### GoneAlarm",
      "**Means**: x. **First**: y.",
      "### CAlarm",
      "Nothing.",
      "## Logs",
      "### BAlarm",
    ].join("\n");
    const t = template({ AAlarm: alarm(), BAlarm: alarm(), CAlarm: alarm() });

    expect(runbookProblems(markdown, t)).toEqual([
      "BAlarm has no runbook entry",
      "GoneAlarm: no such alarm",
      "CAlarm: an entry says what it **Means** and what to do **First**",
    ]);
  });

  it("finds an alarm missing from the dashboard, a conditional one on it, one that does not exist, and a repeat", () => {
    const t = template({
      AAlarm: alarm(),
      BAlarm: alarm(),
      CAlarm: alarm("IsSomething"),
      Board: dashboard(["AAlarm", "CAlarm", "GoneAlarm", "AAlarm"].map(arnOf)),
    });

    expect(dashboardProblems(t)).toEqual([
      "BAlarm is not on the dashboard",
      "CAlarm exists only with IsSomething, so the dashboard cannot name it",
      "the dashboard shows GoneAlarm, no alarm",
      "the dashboard shows AAlarm twice",
    ]);
  });

  it("refuses a dashboard it cannot read", () => {
    expect(() => dashboardAlarms(template({ Board: dashboard(["arn:aws:cloudwatch:x"]) }))).toThrow(TemplateShapeError);
    const notJson = { Type: "AWS::CloudWatch::Dashboard", Properties: { DashboardBody: { "Fn::Sub": "{" } } };
    expect(() => dashboardAlarms(template({ Board: notJson }))).toThrow("DashboardBody is not JSON");
    const notText = { Type: "AWS::CloudWatch::Dashboard", Properties: { DashboardBody: { "Fn::Join": [] } } };
    expect(() => dashboardAlarms(template({ Board: notText }))).toThrow(TemplateShapeError);
  });
});
