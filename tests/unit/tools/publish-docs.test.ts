/**
 * The generated sections of the docs (scripts/publish-docs.ts): the committed pages equal what their
 * sources make (as `npm run docs:publish -- --check` checks), sections are replaced between their
 * markers and nowhere else, and each table says what its source says.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REJECTIONS } from "../../../shared/rejection.ts";
import { code, prose, table } from "../../../tools/docs/markdown.ts";
import { beginMarker, endMarker, GeneratedSectionError, sectionOf, withSections } from "../../../tools/docs/regions.ts";
import {
  alarmTable,
  changedFields,
  fieldTable,
  firesWhen,
  generatedSections,
  namedQueryTable,
  outputOrderTable,
  parameterTable,
  rejectionTable,
  schemasByVersion,
} from "../../../tools/docs/sections.ts";
import { type ConsumerTemplate, consumerTemplate } from "../../../tools/templates/consumer-template.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");

const region = (name: string, content: string) => `${beginMarker(name)}\n${content}\n${endMarker(name)}`;

describe("the committed pages", () => {
  const pages = generatedSections(consumerTemplate());

  it.each(Object.keys(pages))("%s holds what its sources generate", (page) => {
    const text = readFileSync(join(ROOT, page), "utf8");
    expect(withSections(page, text, pages[page] ?? {})).toBe(text);
  });

  it("generate a section for each contract version's input, the output order, the reasons, the alarms, the parameters and the named queries", () => {
    expect(Object.fromEntries(Object.entries(pages).map(([page, sections]) => [page, Object.keys(sections)]))).toEqual({
      "docs/contract.md": ["input-v1", "input-v2", "output-order", "rejection-reasons"],
      "docs/operations.md": ["alarms"],
      "docs/deploying.md": ["consumer-parameters"],
      "docs/querying.md": ["named-queries"],
    });
  });
});

describe("sections between markers", () => {
  const page = ["# Page", "", region("a", "old a"), "", "text", region("b", "old b"), "end", ""].join("\n");

  it("replaces each section's content and nothing else", () => {
    const out = withSections("p.md", page, { a: "new a\n\n", b: "| x |" });
    expect(out).toBe(["# Page", "", region("a", "new a"), "", "text", region("b", "| x |"), "end", ""].join("\n"));
    expect(sectionOf("p.md", out, "b")).toBe("| x |");
    expect(withSections("p.md", out, { a: "new a", b: "| x |" })).toBe(out);
  });

  it("refuses a page that lacks a section's markers, repeats them, swaps them, or has a section nothing makes", () => {
    expect(() => withSections("p.md", page, { a: "", b: "", c: "" })).toThrow(
      "p.md lacks the markers of the section c",
    );
    expect(() => withSections("p.md", page, { a: "" })).toThrow("p.md has markers of a section nothing generates: b");
    expect(() => withSections("p.md", `${page}${region("a", "")}`, { a: "", b: "" })).toThrow("more than once");
    const swapped = `${endMarker("a")}\n${beginMarker("a")}`;
    expect(() => withSections("p.md", swapped, { a: "" })).toThrow(GeneratedSectionError);
    expect(() => withSections("p.md", swapped, { a: "" })).toThrow("ends before it begins");
  });
});

describe("Markdown", () => {
  it("pads each column to its widest cell and escapes pipes and line breaks in cells", () => {
    expect(table(["A", "Long header"], [["`x|y`", "two\n  lines"]])).toBe(
      ["| A      | Long header |", "| ------ | ----------- |", "| `x\\|y` | two lines   |"].join("\n"),
    );
  });

  it("escapes angle brackets outside code spans only, and fences a backtick", () => {
    expect(prose("as <name>:<time>, `<stack>` kept")).toBe("as &lt;name&gt;:&lt;time&gt;, `<stack>` kept");
    expect(code("a`b")).toBe("`` a`b ``");
    expect(code(5)).toBe("`5`");
  });
});

describe("the contract's tables", () => {
  const schema = {
    type: "object",
    required: ["id", "box"],
    properties: {
      id: { type: "string", description: "The id." },
      when: {
        anyOf: [
          { type: "string", description: "ISO." },
          { type: "integer", description: "Epoch ms." },
        ],
      },
      box: {
        type: "object",
        required: ["w"],
        description: "A box.",
        properties: {
          w: { type: "number", description: "Width.", $comment: "Boxes are small." },
          h: { type: "number" },
        },
      },
      version: { const: 2, description: "Version." },
    },
  };

  it("lists each field, nested ones after their object, with whether it is required, its type, description and why", () => {
    expect(fieldTable(schema)).toBe(
      table(
        ["Field", "Required", "Type", "Description", "Why this range"],
        [
          ["`id`", "yes", "string", "The id.", ""],
          ["`when`", "no", "string or integer", "As string: ISO. As integer: Epoch ms.", ""],
          ["`box`", "yes", "object", "A box.", ""],
          ["`box.w`", "yes", "number", "Width.", "Boxes are small."],
          ["`box.h`", "no", "number", "", ""],
          ["`version`", "no", "`2`", "Version.", ""],
        ],
      ),
    );
  });

  it("leaves out the why column when no field says why, and lists only the fields asked for", () => {
    expect(fieldTable(schema, ["id"])).toBe(
      table(["Field", "Required", "Type", "Description"], [["`id`", "yes", "string", "The id."]]),
    );
  });

  it("finds the fields a version adds or declares otherwise", () => {
    const before = { properties: { a: { type: "string" }, v: { const: 1 } } };
    const after = { properties: { a: { type: "string" }, b: { type: "number" }, v: { const: 2 } } };
    expect(changedFields(before, after)).toEqual(["b", "v"]);
  });

  it("lists each version's output fields in order, versions oldest first", () => {
    expect(schemasByVersion("enriched-telemetry").map(([version]) => version)).toEqual([1, 2]);
    expect(schemasByVersion("telemetry").map(([version]) => version)).toEqual([1, 2]);
    expect(outputOrderTable([[1, { properties: { b: {}, a: {} } }]])).toBe(
      table(["Version", "Fields of an output line, in order"], [["1", "`b`, `a`"]]),
    );
  });

  it("lists the rejection reasons in their order, with when each applies", () => {
    const rows = rejectionTable(REJECTIONS).split("\n").slice(2);
    expect(rows.map((row) => /`([A-Z0-9_]+)`/.exec(row)?.[1])).toEqual(Object.keys(REJECTIONS));
    expect(rows[0]).toContain(REJECTIONS.BASE64_INVALID);
  });
});

describe("the named queries' table", () => {
  it("lists each query by name with what it answers, its header comment", () => {
    expect(namedQueryTable([{ name: "q", description: "Rows <now>.", sql: "SELECT 1" }])).toBe(
      table(["Name", "Answers"], [["`q`", "Rows &lt;now&gt;."]]),
    );
  });
});

describe("the template's tables", () => {
  const alarm = (properties: Record<string, unknown>, condition?: string) => ({
    Type: "AWS::CloudWatch::Alarm",
    ...(condition ? { Condition: condition } : {}),
    Properties: properties,
  });

  it("says when a metric alarm fires, with the periods it needs", () => {
    const a = alarm({
      Namespace: "AWS/Lambda",
      MetricName: "IteratorAge",
      Statistic: "Maximum",
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      Threshold: 60000,
      ComparisonOperator: "GreaterThanThreshold",
    });
    expect(firesWhen(a)).toBe("`AWS/Lambda` `IteratorAge` Maximum > 60000 in 3 of 5 periods of 60 s");
    const b = alarm({ ...a.Properties, EvaluationPeriods: { Ref: "Minutes" }, DatapointsToAlarm: undefined });
    expect(firesWhen({ ...b, Properties: { ...b.Properties, ComparisonOperator: "LessThanOrEqualToThreshold" } })).toBe(
      "`AWS/Lambda` `IteratorAge` Maximum ≤ 60000 in `Minutes` of `Minutes` periods of 60 s",
    );
  });

  it("names the slice of a metric an alarm watches (its Reason), not the dimensions every metric carries", () => {
    const a = alarm({
      Namespace: "VehicleTelemetry",
      MetricName: "RecordsQuarantined",
      Dimensions: [
        { Name: "service", Value: "telemetry-consumer" },
        { Name: "Reason", Value: "UNEXPECTED_ERROR" },
      ],
      Statistic: "Sum",
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
    });
    expect(firesWhen(a)).toBe(
      "`VehicleTelemetry` `RecordsQuarantined` (`Reason` = `UNEXPECTED_ERROR`) Sum > 0 in 1 of 1 periods of 300 s",
    );
  });

  it("says when a metric math alarm fires", () => {
    const stat = (name: string) => ({ Metric: { Namespace: "N", MetricName: name }, Period: 900, Stat: "Sum" });
    const a = alarm({
      Metrics: [
        { Id: "q", ReturnData: false, MetricStat: stat("Q") },
        { Id: "u", ReturnData: false, MetricStat: stat("U") },
        { Id: "rate", Expression: "100 * q / u", ReturnData: true },
      ],
      EvaluationPeriods: 1,
      Threshold: 5,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
    });
    expect(firesWhen(a)).toBe("`100 * q / u` (q: `N` `Q` Sum; u: `N` `U` Sum) ≥ 5 in 1 of 1 periods of 900 s");
  });

  it("lists each alarm with a link to its runbook entry, its meaning, how missing data counts and when it exists", () => {
    const template: ConsumerTemplate = {
      Parameters: {},
      Resources: {
        Topic: { Type: "AWS::SNS::Topic" },
        QuietAlarm: alarm(
          {
            AlarmDescription: { "Fn::Sub": `Nothing for \${Minutes} minutes <now>.` },
            Namespace: "N",
            MetricName: "M",
            Statistic: "Sum",
            Period: 60,
            EvaluationPeriods: 1,
            Threshold: 1,
            ComparisonOperator: "LessThanThreshold",
            TreatMissingData: "breaching",
          },
          "IsOn",
        ),
        LoudAlarm: alarm({
          AlarmDescription: "Loud.",
          Namespace: "N",
          MetricName: "M",
          Statistic: "Sum",
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: "GreaterThanThreshold",
        }),
      },
    };
    const rows = alarmTable(template).split("\n").slice(2);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(
      /^\| \[`QuietAlarm`\]\(#quietalarm\) +\| Nothing for `Minutes` minutes &lt;now&gt;\. +\|.*\| breaching +\| with `IsOn` \|$/,
    );
    expect(rows[1]).toMatch(/\| Loud\. +\|.*\| missing +\| always +\|$/);
  });

  it("lists each parameter with its default, what is allowed and its description", () => {
    const template: ConsumerTemplate = {
      Parameters: {
        Mode: { Type: "String", Default: "gzip", AllowedValues: ["none", "gzip"], Description: "How.\n" },
        Email: { Type: "String", Default: "", AllowedPattern: "^$|^.+@.+$", Description: "Who <ops>." },
        Size: { Type: "Number", Default: 10, MinValue: 1, MaxValue: 20 },
        Floor: { Type: "Number", Default: 10, MinValue: 5 },
        Ceiling: { Type: "Number", MaxValue: 5 },
        Years: { Type: "String", Default: "1,2", AllowedPattern: "^x$", ConstraintDescription: "two <years>" },
        Free: { Type: "String" },
      },
      Resources: {},
    };
    expect(parameterTable(template)).toBe(
      table(
        ["Parameter", "Default", "Allowed", "Description"],
        [
          ["`Mode`", "`gzip`", "`none`, `gzip`", "How."],
          ["`Email`", "empty", "`^$|^.+@.+$`", "Who &lt;ops&gt;."],
          ["`Size`", "`10`", "1 to 20", ""],
          ["`Floor`", "`10`", "≥ 5", ""],
          ["`Ceiling`", "none (required)", "≤ 5", ""],
          ["`Years`", "`1,2`", "two &lt;years&gt;", ""],
          ["`Free`", "none (required)", "any", ""],
        ],
      ),
    );
  });
});
