/**
 * What the consumer stack's template declares, read from it (as the SAM translator makes it, kept in
 * step by translated.ts) rather than restated: its parameters and their defaults, its alarms, and the
 * alarms its dashboard shows. The generated sections of the docs, the tests and the benchmark read
 * these facts here; template.yaml is their only source.
 */
import type { ParameterDeclaration as ResolvedParameter } from "./cfn-resolve.ts";
import { loadTranslated } from "./two-accounts.ts";

/** A parameter as the template declares it: what the resolver checks values against, and its texts. */
export interface ParameterDeclaration extends Readonly<ResolvedParameter> {
  readonly Type: string;
  readonly Description?: string;
  readonly ConstraintDescription?: string;
}

/** A resource as the template declares it: its properties as written (intrinsics unresolved). */
export interface ResourceDeclaration {
  readonly Type: string;
  readonly Condition?: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
}

export interface ConsumerTemplate {
  readonly Parameters: Readonly<Record<string, ParameterDeclaration>>;
  readonly Resources: Readonly<Record<string, ResourceDeclaration>>;
}

/** The template says something other than what a reader here expects of it. */
export class TemplateShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TemplateShapeError";
  }
}

/**
 * The consumer stack's template, a fresh copy: two-accounts.ts's `loadTranslated("consumer")`, as
 * what it declares. Throws StaleTranslationError (tools/templates/translated.ts) when the translation
 * is stale and no translator is at hand ($SAM_PYTHON, set by scripts/setup.sh).
 */
export function consumerTemplate(): ConsumerTemplate {
  return loadTranslated("consumer") as ConsumerTemplate;
}

/** A parameter's default, as text; throws a TemplateShapeError if it has none. */
export function parameterDefault(template: ConsumerTemplate, name: string): string {
  const declared = template.Parameters[name]?.Default;
  if (declared === undefined) throw new TemplateShapeError(`template.yaml: the parameter ${name} has no Default`);
  return String(declared);
}

/** The template's CloudWatch alarms by logical id, in the template's order. */
export function alarmsOf(template: ConsumerTemplate): [string, ResourceDeclaration][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === "AWS::CloudWatch::Alarm");
}

interface DashboardWidget {
  readonly type?: string;
  readonly properties?: { readonly alarms?: readonly string[] };
}

/**
 * The logical ids of the alarms the dashboards' alarm widgets show (`${Name.Arn}` in the body's
 * `Fn::Sub`), in the order shown. Throws a TemplateShapeError for a body that is not JSON under its
 * substitutions, or an alarm entry that is not an alarm's ARN.
 */
export function dashboardAlarms(template: ConsumerTemplate): string[] {
  const shown: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== "AWS::CloudWatch::Dashboard") continue;
    const body = resource.Properties?.DashboardBody as { "Fn::Sub"?: unknown } | string | undefined;
    const text = typeof body === "string" ? body : body?.["Fn::Sub"];
    if (typeof text !== "string")
      throw new TemplateShapeError(`${id}: DashboardBody is neither text nor an Fn::Sub of text`);
    let widgets: readonly DashboardWidget[];
    try {
      widgets = (JSON.parse(text) as { widgets?: DashboardWidget[] }).widgets ?? [];
    } catch (error) {
      throw new TemplateShapeError(`${id}: DashboardBody is not JSON: ${(error as Error).message}`);
    }
    for (const widget of widgets) {
      if (widget.type !== "alarm") continue;
      for (const arn of widget.properties?.alarms ?? []) {
        const match = /^\$\{([A-Za-z0-9]+)\.Arn\}$/.exec(arn);
        if (!match) throw new TemplateShapeError(`${id}: the alarm widget lists ${arn}, not an alarm's \${Name.Arn}`);
        shown.push(match[1] as string);
      }
    }
  }
  return shown;
}
