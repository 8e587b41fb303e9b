/**
 * Mutation testing of the access matrix: every policy document of both translated templates is
 * weakened (or broken) one way at a time, systematically, and the matrix's cases (access/cases/)
 * are run against each mutant. A mutant is caught when at least one case no longer gets its
 * expected decision; a survivor is a change to the policies that no case notices.
 *
 * The operators, on every policy document (a role's trust policy and inline policies,
 * AWS::IAM::Policy, AWS::IAM::ManagedPolicy, bucket, key, stream, stream consumer and topic policies),
 * statements inside Fn::If counted branch by branch:
 *  - drop each statement (Allow: what it grants must be needed; Deny: what it denies must be tried);
 *  - widen an Allow's actions of one service to `service:*`;
 *  - widen an Allow's Resource to `*`, and a Deny's NotResource to `*` (the deny then covers nothing);
 *  - drop each condition: each key of each operator alone, and each operator whole;
 *  - narrow a Deny's action list to its first action (where it has several);
 *  - widen a Deny's NotAction (what it spares) to `service:*`, one service at a time;
 *  - remove each managed policy ARN from each role;
 * plus the audit's own mutations the operators do not make (AUDIT_MUTANTS).
 */
import { type DecisionCache, deploymentsOf, evaluateCases, holds } from "./access/engine.ts";
import type { AccessCase, Mutation } from "./access/types.ts";
import type { Template } from "./cfn-resolve.ts";
import type { StackName } from "./translated.ts";

/** One change to one stack's raw template. */
export interface Mutant {
  /** Stack, resource, document and statement, then what is done to it: stable, so survivors can be listed. */
  readonly id: string;
  readonly stack: StackName;
  readonly apply: (template: Template) => void;
}

/** A policy document the operators cannot read (not an object with a Statement list). */
export class UnsupportedPolicyError extends Error {
  constructor(where: string) {
    super(`${where} is not a policy document with a Statement list: teach tools/templates/mutations.ts its form`);
    this.name = "UnsupportedPolicyError";
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const NO_VALUE = { Ref: "AWS::NoValue" };
const isNoValue = (v: unknown) => isObject(v) && v.Ref === "AWS::NoValue";

/** The properties that hold a whole policy document, by resource type where it matters. */
const DOCUMENT_PROPERTIES = ["PolicyDocument", "KeyPolicy", "ResourcePolicy", "AssumeRolePolicyDocument"];

/** Where a statement sits: a document (a path of properties) and an index, and the Fn::If branch if any. */
interface Slot {
  readonly resource: string;
  readonly path: readonly (string | number)[];
  readonly index: number;
  /** 1: the branch taken when the condition holds; 2: when it does not. */
  readonly branch?: 1 | 2;
}

function documentAt(template: Template, resource: string, path: readonly (string | number)[]): Json {
  let node: unknown = template.Resources[resource]?.Properties;
  for (const step of path) node = (node as Record<string | number, unknown> | undefined)?.[step];
  if (!isObject(node) || !Array.isArray(node.Statement))
    throw new UnsupportedPolicyError(`${resource}.${path.join(".")}`);
  return node;
}

/** Replaces the statement in its slot by what `edit` makes of a copy of it (undefined: takes it out). */
function rewrite(template: Template, slot: Slot, edit: (statement: Json) => Json | undefined): void {
  const statements = documentAt(template, slot.resource, slot.path).Statement as unknown[];
  const holder = slot.branch === undefined ? statements : ((statements[slot.index] as Json)["Fn::If"] as unknown[]);
  const at = slot.branch ?? slot.index;
  const edited = edit(structuredClone(holder[at]) as Json);
  if (edited !== undefined) holder[at] = edited;
  else if (slot.branch === undefined) holder.splice(at, 1);
  else holder[at] = NO_VALUE;
}

/** Every policy document of a raw template: resource, property path, and the document. */
function documents(template: Template): { resource: string; path: (string | number)[]; document: unknown }[] {
  const found: { resource: string; path: (string | number)[]; document: unknown }[] = [];
  for (const [resource, { Properties: properties = {} }] of Object.entries(template.Resources)) {
    for (const property of DOCUMENT_PROPERTIES)
      if (property in properties) found.push({ resource, path: [property], document: properties[property] });
    const inline = properties.Policies;
    if (Array.isArray(inline))
      inline.forEach((p, i) => {
        found.push({ resource, path: ["Policies", i, "PolicyDocument"], document: (p as Json).PolicyDocument });
      });
  }
  return found;
}

/** The plain statements of a document with their slots (both branches of a statement in Fn::If). */
function statements(resource: string, path: (string | number)[], document: unknown) {
  if (!isObject(document) || !Array.isArray(document.Statement))
    throw new UnsupportedPolicyError(`${resource}.${path.join(".")}`);
  const found: { slot: Slot; statement: Json; label: string }[] = [];
  document.Statement.forEach((entry, index) => {
    const conditional = isObject(entry) ? (entry["Fn::If"] as [string, unknown, unknown] | undefined) : undefined;
    if (conditional === undefined) {
      if (!isObject(entry)) throw new UnsupportedPolicyError(`${resource}.${path.join(".")}.Statement[${index}]`);
      found.push({ slot: { resource, path, index }, statement: entry, label: String(entry.Sid ?? `#${index}`) });
      return;
    }
    for (const branch of [1, 2] as const) {
      const statement = conditional[branch];
      if (isNoValue(statement)) continue;
      if (!isObject(statement))
        throw new UnsupportedPolicyError(`${resource}.${path.join(".")}.Statement[${index}] (Fn::If)`);
      const when = `${branch === 1 ? "if" : "unless"} ${conditional[0]}`;
      found.push({
        slot: { resource, path, index, branch },
        statement,
        label: `${statement.Sid ?? `#${index}`} (${when})`,
      });
    }
  });
  return found;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** What each operator makes of one statement: a label and the edit, for every mutant it yields. */
function statementMutations(statement: Json): { what: string; edit: (s: Json) => Json | undefined }[] {
  const out: { what: string; edit: (s: Json) => Json | undefined }[] = [];
  const allow = statement.Effect === "Allow";
  out.push({ what: `drop the ${allow ? "Allow" : "Deny"} statement`, edit: () => undefined });
  const actions = list(statement.Action);
  if (allow && actions.every((a) => typeof a === "string")) {
    const services = [...new Set((actions as string[]).map((a) => a.split(":")[0] as string))];
    for (const service of services) {
      const own = (actions as string[]).filter((a) => a.split(":")[0] === service);
      if (own.length === 1 && own[0] === `${service}:*`) continue;
      if (service === "*") continue;
      out.push({
        what: `widen the ${service} actions to ${service}:*`,
        edit: (s) => ({ ...s, Action: [...list(s.Action).filter((a) => !own.includes(a as string)), `${service}:*`] }),
      });
    }
  }
  if (allow && statement.Resource !== undefined && JSON.stringify(list(statement.Resource)) !== '["*"]')
    out.push({ what: "widen the Resource to *", edit: (s) => ({ ...s, Resource: "*" }) });
  if (!allow && statement.NotResource !== undefined)
    out.push({
      what: "widen the NotResource to * (the deny covers nothing)",
      edit: (s) => ({ ...s, NotResource: "*" }),
    });
  if (isObject(statement.Condition)) {
    for (const [operator, keys] of Object.entries(statement.Condition)) {
      const names = isObject(keys) ? Object.keys(keys) : [];
      if (names.length > 1)
        for (const key of names)
          out.push({
            what: `drop the condition ${operator} ${key}`,
            edit: (s) => {
              const condition = s.Condition as Record<string, Json>;
              delete condition[operator]?.[key];
              return s;
            },
          });
      out.push({
        what: `drop the condition ${operator}${names.length === 1 ? ` ${names[0]}` : " (whole)"}`,
        edit: (s) => {
          const condition = s.Condition as Json;
          delete condition[operator];
          if (Object.keys(condition).length === 0) delete s.Condition;
          return s;
        },
      });
    }
  }
  if (!allow && actions.length > 1)
    out.push({
      what: `narrow the Deny to its first action ${String(actions[0])}`,
      edit: (s) => ({ ...s, Action: actions[0] }),
    });
  // A Deny's NotAction lists what it spares: widening one service's spared actions to `service:*`
  // spares more, which a case of a spared service's other action must notice.
  const spared = list(statement.NotAction);
  if (!allow && spared.every((a) => typeof a === "string"))
    for (const service of [...new Set((spared as string[]).map((a) => a.split(":")[0] as string))]) {
      const own = (spared as string[]).filter((a) => a.split(":")[0] === service);
      if (own.length === 1 && own[0] === `${service}:*`) continue;
      out.push({
        what: `widen the NotAction's ${service} actions to ${service}:* (the deny spares them all)`,
        edit: (s) => ({
          ...s,
          NotAction: [...list(s.NotAction).filter((a) => !own.includes(a as string)), `${service}:*`],
        }),
      });
    }
  return out;
}

/** The last part of a managed policy ARN as the raw template writes it (a string or a Fn::Sub). */
function policyName(arn: unknown): string {
  const text = isObject(arn) && "Fn::Sub" in arn ? JSON.stringify(arn["Fn::Sub"]) : JSON.stringify(arn);
  return (/([\w+=,.@-]+)"?\]?$/.exec(text)?.[1] ?? text).replace(/"$/, "");
}

/** Every systematic mutant of one raw template, in template order. */
export function templateMutants(stack: StackName, template: Template): Mutant[] {
  const mutants: Mutant[] = [];
  for (const { resource, path, document } of documents(template)) {
    for (const { slot, statement, label } of statements(resource, path, document)) {
      for (const { what, edit } of statementMutations(statement))
        mutants.push({
          id: `${stack} ${resource}.${path.join(".")} ${label}: ${what}`,
          stack,
          apply: (t) => rewrite(t, slot, edit),
        });
    }
  }
  for (const [resource, { Type, Properties }] of Object.entries(template.Resources)) {
    if (Type !== "AWS::IAM::Role" || !Array.isArray(Properties?.ManagedPolicyArns)) continue;
    Properties.ManagedPolicyArns.forEach((arn, index) => {
      mutants.push({
        id: `${stack} ${resource}.ManagedPolicyArns: remove ${policyName(arn)}`,
        stack,
        apply: (t) => {
          const arns = t.Resources[resource]?.Properties?.ManagedPolicyArns;
          if (!Array.isArray(arns)) throw new Error(`${resource} has no ManagedPolicyArns`);
          arns.splice(index, 1);
        },
      });
    });
  }
  return mutants;
}

/**
 * Mutations an audit of the matrix tried that no operator above makes: a TLS deny narrowed from
 * s3:* to s3:PutObject (so only a PutObject case would notice), on each bucket policy.
 */
export function auditMutants(templates: Readonly<Record<StackName, Template>>): Mutant[] {
  return Object.entries(templates.consumer.Resources)
    .filter(([, r]) => r.Type === "AWS::S3::BucketPolicy")
    .map(([resource]) => ({
      id: `consumer ${resource}.PolicyDocument DenyInsecureTransport: narrow the Deny from s3:* to s3:PutObject (audit)`,
      stack: "consumer" as const,
      apply: (t: Template) => {
        const document = documentAt(t, resource, ["PolicyDocument"]);
        const statement = (document.Statement as Json[]).find((s) => s.Sid === "DenyInsecureTransport");
        if (!statement) throw new Error(`${resource} has no DenyInsecureTransport statement`);
        statement.Action = "s3:PutObject";
      },
    }));
}

/** Every mutant of both templates: the systematic ones, then the audit's. */
export function allMutants(templates: Readonly<Record<StackName, Template>>): Mutant[] {
  return [
    ...templateMutants("consumer", templates.consumer),
    ...templateMutants("producer", templates.producer),
    ...auditMutants(templates),
  ];
}

/** The matrix fails on the templates as they are: mutation scores would mean nothing. */
export class BaselineError extends Error {
  constructor(failing: readonly string[]) {
    super(`the access matrix does not hold on the unmutated templates: ${failing.join("; ")}`);
    this.name = "BaselineError";
  }
}

export interface MutantResult {
  readonly id: string;
  readonly caught: boolean;
  /** The cases whose decision changed. */
  readonly caughtBy: readonly string[];
  /**
   * Why cases could not be evaluated, or the mutant not applied (a request that cannot be built, a
   * policy the simulator refuses, an operator that breaks): never a catch, and a failure of the gate.
   */
  readonly error?: string;
}

export interface MutationReport {
  readonly cases: number;
  readonly results: readonly MutantResult[];
  readonly caught: number;
  /** Not caught, and evaluated without error. */
  readonly survivors: readonly string[];
  /** Mutants with an error: neither caught nor survivors, until the harness or the case is mended. */
  readonly errored: readonly string[];
  /** Distinct requests the simulator evaluated (a mutant's unchanged requests are not re-run). */
  readonly simulations: number;
  readonly seconds: number;
}

/**
 * Runs the cases against the unmutated templates (all must hold, else BaselineError), then against
 * each mutant: its templates resolved once per deployment, only the cases evaluated, a request
 * whose policies the mutant left as they were answered from the baseline's decision.
 */
export async function runMutations(
  cases: readonly AccessCase[],
  mutants: readonly Mutant[],
  onResult?: (result: MutantResult, done: number) => void,
): Promise<MutationReport> {
  const started = performance.now();
  const cache: DecisionCache = new Map();
  const baseline = await evaluateCases(cases, deploymentsOf(), cache);
  const failing = baseline.filter((o) => !holds(o)).map((o) => `${o.name}: ${o.decision ?? o.error}`);
  if (failing.length > 0) throw new BaselineError(failing);
  const results: MutantResult[] = [];
  for (const mutant of mutants) {
    const mutation: Mutation =
      mutant.stack === "consumer" ? { mutateConsumer: mutant.apply } : { mutateProducer: mutant.apply };
    let result: MutantResult;
    try {
      const outcomes = await evaluateCases(cases, deploymentsOf(mutation), cache);
      const caughtBy = outcomes.filter((o) => o.error === undefined && !holds(o)).map((o) => o.name);
      const errors = outcomes.flatMap((o) => (o.error === undefined ? [] : [`${o.name}: ${o.error}`]));
      result = {
        id: mutant.id,
        caught: caughtBy.length > 0,
        caughtBy,
        ...(errors.length ? { error: errors.join("; ") } : {}),
      };
    } catch (error) {
      result = {
        id: mutant.id,
        caught: false,
        caughtBy: [],
        error: error instanceof Error ? error.message : String(error),
      };
    }
    results.push(result);
    onResult?.(result, results.length);
  }
  return {
    cases: cases.length,
    results,
    caught: results.filter((r) => r.caught).length,
    survivors: results.filter((r) => !r.caught && r.error === undefined).map((r) => r.id),
    errored: results.filter((r) => r.error !== undefined).map((r) => r.id),
    simulations: cache.size,
    seconds: (performance.now() - started) / 1000,
  };
}
