/**
 * Hand-written mutations of the raw (translated) templates, the cases' breaks: each takes out one
 * grant by name, and throws when the template has no such grant, so a renamed statement cannot
 * leave a break that breaks nothing.
 */
import type { Template } from "../cfn-resolve.ts";

const statementsOf = (template: Template, resourceId: string, documentProperty: string): unknown[] => {
  const document = template.Resources[resourceId]?.Properties?.[documentProperty] as { Statement: unknown[] };
  if (!document) throw new Error(`no ${resourceId}.${documentProperty} to mutate`);
  return document.Statement;
};

/** Whether a raw statement (possibly inside Fn::If) carries a Sid. */
const hasSid = (statement: unknown, sid: string): boolean => JSON.stringify(statement).includes(`"Sid":"${sid}"`);

/** Takes the statement with this Sid out of a policy document of the raw template; throws if none. */
export function dropStatement(template: Template, resourceId: string, documentProperty: string, sid: string): void {
  const statements = statementsOf(template, resourceId, documentProperty);
  const index = statements.findIndex((s) => hasSid(s, sid));
  if (index < 0) throw new Error(`${resourceId} has no statement ${sid}`);
  statements.splice(index, 1);
}

/** Changes the named statement (top-level statements only); throws if none. */
export function editStatement(
  template: Template,
  resourceId: string,
  documentProperty: string,
  sid: string,
  edit: (statement: Record<string, unknown>) => void,
): void {
  const statement = statementsOf(template, resourceId, documentProperty).find(
    (s) => (s as { Sid?: string }).Sid === sid,
  );
  if (!statement) throw new Error(`${resourceId} has no top-level statement ${sid}`);
  edit(statement as Record<string, unknown>);
}

/** The raw ManagedPolicyArns list of the function's role. */
export const roleProperties = (template: Template) =>
  template.Resources.TelemetryConsumerRole?.Properties as unknown as { ManagedPolicyArns: unknown[] };

/** Takes the managed policy whose ARN contains `name` off the function's role; throws if none. */
export const dropManagedPolicy = (name: string) => (template: Template) => {
  const role = roleProperties(template);
  const before = role.ManagedPolicyArns.length;
  role.ManagedPolicyArns = role.ManagedPolicyArns.filter((arn) => !JSON.stringify(arn).includes(name));
  if (role.ManagedPolicyArns.length === before) throw new Error(`the role has no managed policy ${name}`);
};
