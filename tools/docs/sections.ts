/**
 * The generated sections of the docs, each made from the one source of its facts: the contract's
 * fields and the order of an output line (shared/contract/), the rejection reasons
 * (shared/rejection.ts), the consumer stack's alarms and parameters (template.yaml), and the named
 * queries (queries/*.sql).
 */
import { REJECTIONS } from "../../shared/rejection.ts";
import { PUBLISHED_SCHEMAS } from "../fixtures/schemas.ts";
import { type NamedQuery, namedQueries } from "../query/queries.ts";
import { alarmsOf, type ConsumerTemplate, type ResourceDeclaration } from "../templates/consumer-template.ts";
import { code, prose, table } from "./markdown.ts";

/** The parts of a contract's JSON Schema the tables show. */
export interface SchemaNode {
  readonly type?: string;
  readonly description?: string;
  /** Why a range is what it is: shown beside the field. */
  readonly $comment?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly anyOf?: readonly SchemaNode[];
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
}

const schemaOf = (schema: object) => schema as SchemaNode;

/** What a field holds: its JSON type, a literal, or the types of a union. */
function typeText(node: SchemaNode): string {
  if ("const" in node) return code(JSON.stringify(node.const));
  if (node.anyOf) return node.anyOf.map(typeText).join(" or ");
  return node.type ?? "any";
}

/** The description, and for a union each member's own (a timestamp's string and number forms). */
function descriptionText(node: SchemaNode): string {
  const members = (node.anyOf ?? []).filter((member) => member.description !== undefined);
  return [node.description ?? "", ...members.map((member) => `As ${typeText(member)}: ${member.description}`)]
    .filter((text) => text !== "")
    .join(" ");
}

/** One row per field, nested fields after their object as `object.field`. */
function fieldRows(schema: SchemaNode, keys: readonly string[], prefix = ""): string[][] {
  const required = new Set(schema.required ?? []);
  return keys.flatMap((key) => {
    const node = schema.properties?.[key] ?? {};
    const row = [code(`${prefix}${key}`), required.has(key) ? "yes" : "no", typeText(node), descriptionText(node)];
    const nested =
      node.type === "object" ? fieldRows(node, Object.keys(node.properties ?? {}), `${prefix}${key}.`) : [];
    return [[...row, node.$comment ?? ""], ...nested];
  });
}

/**
 * A table of `keys` of an input schema (every key by default): field, whether it is required (within
 * its object), type and description, and why its range is what it is where the contract says.
 */
export function fieldTable(schemaObject: object, keys?: readonly string[]): string {
  const schema = schemaOf(schemaObject);
  const rows = fieldRows(schema, keys ?? Object.keys(schema.properties ?? {}));
  const withWhy = rows.some((row) => row[4] !== "");
  const header = ["Field", "Required", "Type", "Description", ...(withWhy ? ["Why this range"] : [])];
  return table(
    header,
    rows.map((row) => row.slice(0, header.length)),
  );
}

/** The fields `next` declares that `previous` does not, or declares otherwise, in `next`'s order. */
export function changedFields(previous: object, next: object): string[] {
  const before = schemaOf(previous).properties ?? {};
  return Object.entries(schemaOf(next).properties ?? {})
    .filter(([key, node]) => JSON.stringify(before[key]) !== JSON.stringify(node))
    .map(([key]) => key);
}

/** Each version's output line: its fields, in the order a line holds them. */
export function outputOrderTable(outputs: readonly (readonly [number, object])[]): string {
  return table(
    ["Version", "Fields of an output line, in order"],
    outputs.map(([version, schema]) => [
      String(version),
      Object.keys(schemaOf(schema).properties ?? {})
        .map((key) => code(key))
        .join(", "),
    ]),
  );
}

/** The rejection reasons, in the order records meet the checks, and when each applies. */
export function rejectionTable(reasons: Readonly<Record<string, string>>): string {
  return table(
    ["Reason", "When"],
    Object.entries(reasons).map(([reason, when]) => [code(reason), when]),
  );
}

/** A template value as text: a string as it is, a `Ref` or `Fn::Sub` by the names it reads. */
function templateText(value: unknown): string {
  if (typeof value === "string" || typeof value === "number") return String(value);
  const ref = (value as { Ref?: unknown } | undefined)?.Ref;
  if (typeof ref === "string") return code(ref);
  const sub = (value as { "Fn::Sub"?: unknown } | undefined)?.["Fn::Sub"];
  if (typeof sub === "string") return sub.replace(/\$\{([^}]+)\}/g, (_, name: string) => code(name));
  return code(JSON.stringify(value));
}

const COMPARISONS: Readonly<Record<string, string>> = {
  GreaterThanThreshold: ">",
  GreaterThanOrEqualToThreshold: "≥",
  LessThanThreshold: "<",
  LessThanOrEqualToThreshold: "≤",
};

interface MetricStat {
  readonly Metric?: { readonly Namespace?: string; readonly MetricName?: string };
  readonly Period?: number;
  readonly Stat?: string;
}
interface MetricQuery {
  readonly Id: string;
  readonly Expression?: string;
  readonly MetricStat?: MetricStat;
  readonly ReturnData?: boolean;
}

/**
 * Dimensions that say which slice of a metric an alarm watches, shown beside the metric (the others
 * name the stack's own function, stream or bucket, or the service every metric of ours carries).
 */
const SLICING_DIMENSIONS: readonly string[] = ["Reason"];

/** What an alarm watches: a metric and its statistic, or a metric math expression over metrics. */
function watched(p: Readonly<Record<string, unknown>>): { what: string; period: unknown } {
  const metrics = p.Metrics as readonly MetricQuery[] | undefined;
  if (metrics === undefined) {
    const slices = ((p.Dimensions ?? []) as readonly { Name: string; Value: unknown }[])
      .filter((d) => SLICING_DIMENSIONS.includes(d.Name))
      .map((d) => ` (${code(d.Name)} = ${typeof d.Value === "string" ? code(d.Value) : templateText(d.Value)})`)
      .join("");
    return {
      what: `${code(String(p.Namespace))} ${code(String(p.MetricName))}${slices} ${String(p.Statistic ?? p.ExtendedStatistic)}`,
      period: p.Period,
    };
  }
  const inputs = metrics.filter((m) => m.MetricStat !== undefined);
  const result = metrics.find((m) => m.ReturnData !== false && m.Expression !== undefined);
  const named = inputs.map(
    (m) =>
      `${m.Id}: ${code(String(m.MetricStat?.Metric?.Namespace))} ${code(String(m.MetricStat?.Metric?.MetricName))} ${m.MetricStat?.Stat}`,
  );
  return { what: `${code(String(result?.Expression))} (${named.join("; ")})`, period: inputs[0]?.MetricStat?.Period };
}

/** When an alarm fires, as CloudWatch evaluates it: the metric, the comparison, and the periods. */
export function firesWhen(alarm: ResourceDeclaration): string {
  const p = alarm.Properties ?? {};
  const { what, period } = watched(p);
  const comparison = COMPARISONS[String(p.ComparisonOperator)] ?? String(p.ComparisonOperator);
  const periods = templateText(p.EvaluationPeriods);
  const datapoints = p.DatapointsToAlarm === undefined ? periods : templateText(p.DatapointsToAlarm);
  return `${what} ${comparison} ${templateText(p.Threshold)} in ${datapoints} of ${periods} periods of ${templateText(period)} s`;
}

/**
 * The alarm inventory: each alarm (linked to its runbook entry on the same page), what it means (its
 * AlarmDescription), when it fires, how missing data counts, and whether it always exists.
 */
export function alarmTable(template: ConsumerTemplate): string {
  return table(
    ["Alarm", "Means", "Fires when", "Missing data", "Exists"],
    alarmsOf(template).map(([id, alarm]) => [
      `[${code(id)}](#${id.toLowerCase()})`,
      prose(templateText(alarm.Properties?.AlarmDescription)),
      firesWhen(alarm),
      String(alarm.Properties?.TreatMissingData ?? "missing"),
      alarm.Condition === undefined ? "always" : `with ${code(alarm.Condition)}`,
    ]),
  );
}

/** The stack's parameters: default, what is allowed, and the description, as the template declares them. */
export function parameterTable(template: ConsumerTemplate): string {
  return table(
    ["Parameter", "Default", "Allowed", "Description"],
    Object.entries(template.Parameters).map(([name, p]) => {
      const allowed = p.AllowedValues
        ? p.AllowedValues.map((value) => code(value)).join(", ")
        : p.MinValue !== undefined && p.MaxValue !== undefined
          ? `${p.MinValue} to ${p.MaxValue}`
          : p.MinValue !== undefined
            ? `≥ ${p.MinValue}`
            : p.MaxValue !== undefined
              ? `≤ ${p.MaxValue}`
              : p.ConstraintDescription !== undefined
                ? prose(p.ConstraintDescription)
                : p.AllowedPattern === undefined
                  ? "any"
                  : code(p.AllowedPattern);
      const fallback = p.Default === undefined ? "none (required)" : p.Default === "" ? "empty" : code(p.Default);
      return [code(name), fallback, allowed, prose((p.Description ?? "").trim())];
    }),
  );
}

/** The published schemas of one kind (`telemetry` in, `enriched-telemetry` out), by version, oldest first. */
export function schemasByVersion(kind: "telemetry" | "enriched-telemetry"): [number, object][] {
  return Object.entries(PUBLISHED_SCHEMAS)
    .map(([file, schema]) => [new RegExp(`^${kind}-v(\\d+)\\.schema\\.json$`).exec(file)?.[1], schema] as const)
    .filter((entry): entry is readonly [string, (typeof entry)[1]] => entry[0] !== undefined)
    .map(([version, schema]): [number, object] => [Number(version), schema])
    .sort(([a], [b]) => a - b);
}

/**
 * The contract's sections: the first version's input fields whole, then for each later version the
 * fields it adds or changes; the fields of each version's output line, in order.
 */
function contractSections(): Record<string, string> {
  const inputs = schemasByVersion("telemetry");
  const sections: Record<string, string> = {};
  inputs.forEach(([version, schema], i) => {
    const previous = inputs[i - 1]?.[1];
    sections[`input-v${version}`] = fieldTable(schema, previous && changedFields(previous, schema));
  });
  sections["output-order"] = outputOrderTable(schemasByVersion("enriched-telemetry"));
  sections["rejection-reasons"] = rejectionTable(REJECTIONS);
  return sections;
}

/** The named queries, one per queries/*.sql, and what each answers (its header comment). */
export function namedQueryTable(queries: readonly NamedQuery[]): string {
  return table(
    ["Name", "Answers"],
    queries.map((query) => [code(query.name), prose(query.description)]),
  );
}

/** Every generated section, by page and name. */
export function generatedSections(template: ConsumerTemplate): Record<string, Record<string, string>> {
  return {
    "docs/contract.md": contractSections(),
    "docs/operations.md": { alarms: alarmTable(template) },
    "docs/deploying.md": { "consumer-parameters": parameterTable(template) },
    "docs/querying.md": { "named-queries": namedQueryTable(namedQueries()) },
  };
}
