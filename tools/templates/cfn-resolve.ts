/**
 * Resolves a translated (plain CloudFormation) template for one deployment: parameters (checked the
 * way CloudFormation checks them), pseudo parameters, conditions, rules and the intrinsics the
 * project's templates use (Ref, Fn::GetAtt, Fn::Sub, Fn::If, Fn::Join, Fn::Equals, Fn::Not, Fn::And,
 * Fn::Or, Fn::Contains), with physical names and ARNs made up the way CloudFormation would (a log
 * group's GetAtt Arn ends in ":*", as CloudFormation returns it), so that the policies in it can be
 * evaluated. Throws on anything else.
 * Resolves a translated (plain CloudFormation) template for one deployment: parameters, pseudo
 * parameters, conditions and the intrinsics the project's templates use (Ref, Fn::GetAtt, Fn::Sub,
 * Fn::If, Fn::Join, Fn::Equals, Fn::Not, Fn::Base64), with physical names and ARNs made up the way
 * CloudFormation would, so that the policies in it can be evaluated. Throws on anything else.
 */

export interface Deployment {
  readonly accountId: string;
  readonly region: string;
  readonly stackName: string;
  readonly parameters: Readonly<Record<string, string>>;
  /** The AWS partition (`aws` unless said): `aws-cn`, `aws-us-gov`. */
  readonly partition?: string;
}

/** A parameter as the template declares it: what the resolver checks a value against. */
export interface ParameterDeclaration {
  Type?: string;
  Default?: string | number;
  AllowedPattern?: string;
  AllowedValues?: (string | number)[];
  MinValue?: number;
  MaxValue?: number;
}

/** A template as the SAM translator leaves it (plain JSON): what the resolver reads of it. */
export interface Template {
  Parameters?: Record<string, ParameterDeclaration>;
  Conditions?: Record<string, unknown>;
  Rules?: Record<string, { RuleCondition?: unknown; Assertions: { Assert: unknown; AssertDescription?: string }[] }>;
  Resources: Record<string, { Type: string; Condition?: string; Properties?: Record<string, unknown> }>;
  Outputs?: Record<string, { Condition?: string; Description?: string; Value: unknown }>;
}

/** A parameter value CloudFormation would refuse before creating anything. */
export class ParameterValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ParameterValueError";
  }
}

/** Checks the deployment's parameter values as CloudFormation does: declared, allowed pattern, values and range. */
function checkParameters(template: Template, values: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(values)) {
    const declared = template.Parameters?.[name];
    if (!declared) throw new ParameterValueError(`parameter ${name} is not declared by the template`);
    if (declared.AllowedPattern !== undefined && !new RegExp(`^(?:${declared.AllowedPattern})$`).test(value))
      throw new ParameterValueError(`parameter ${name}=${value} does not match ${declared.AllowedPattern}`);
    if (declared.AllowedValues && !declared.AllowedValues.map(String).includes(value))
      throw new ParameterValueError(`parameter ${name}=${value} is not one of ${declared.AllowedValues.join(", ")}`);
    if (declared.Type === "Number") {
      const n = Number(value);
      if (value.trim() === "" || Number.isNaN(n))
        throw new ParameterValueError(`parameter ${name}=${value} is no number`);
      if (
        (declared.MinValue !== undefined && n < declared.MinValue) ||
        (declared.MaxValue !== undefined && n > declared.MaxValue)
      )
        throw new ParameterValueError(
          `parameter ${name}=${value} is outside ${declared.MinValue}..${declared.MaxValue}`,
        );
    }
  }
}

const NO_VALUE = Symbol("AWS::NoValue");

export interface ResolvedTemplate {
  /** The resources whose condition holds, with properties resolved. */
  readonly resources: Record<string, { type: string; properties: Record<string, unknown> }>;
  /** ARN (or physical id) of a resource, as Fn::GetAtt Arn / Ref would give it. */
  arnOf(logicalId: string): string;
  /** The AssertDescription of every rule assertion that fails (CloudFormation refuses the deployment). */
  readonly failedRules: readonly string[];
  /** An output's value, resolved when asked for (undefined when its condition does not hold); throws for an unknown output. */
  output(name: string): unknown;
}

export function resolveTemplate(template: Template, deployment: Deployment): ResolvedTemplate {
  const partition = deployment.partition ?? "aws";
  const { accountId, region, stackName } = deployment;
  checkParameters(template, deployment.parameters);
  const parameter = (name: string): string => {
    const value = deployment.parameters[name] ?? template.Parameters?.[name]?.Default;
    if (value === undefined) throw new Error(`parameter ${name} has no value`);
    return String(value);
  };
  const physicalName = (id: string) => `${stackName}-${id}`;
  const arnOf = (id: string): string => {
    const resource = template.Resources[id];
    if (!resource) throw new Error(`no resource ${id}`);
    const name = physicalName(id);
    switch (resource.Type) {
      case "AWS::IAM::Role":
        return `arn:${partition}:iam::${accountId}:role/${name}`;
      case "AWS::IAM::ManagedPolicy":
        return `arn:${partition}:iam::${accountId}:policy/${name}`;
      case "AWS::S3::Bucket":
        return `arn:${partition}:s3:::${name.toLowerCase()}`;
      case "AWS::KMS::Key":
        return `arn:${partition}:kms:${region}:${accountId}:key/00000000-0000-4000-8000-${hex12(id)}`;
      case "AWS::Kinesis::Stream":
        return `arn:${partition}:kinesis:${region}:${accountId}:stream/${name}`;
      case "AWS::KinesisFirehose::DeliveryStream":
        return `arn:${partition}:firehose:${region}:${accountId}:deliverystream/${name}`;
      case "AWS::Logs::LogGroup":
        return `arn:${partition}:logs:${region}:${accountId}:log-group:${name}:*`;
      case "AWS::Lambda::Function":
        return `arn:${partition}:lambda:${region}:${accountId}:function:${name}`;
      case "AWS::SNS::Topic":
        return `arn:${partition}:sns:${region}:${accountId}:${name}`;
      case "AWS::CloudWatch::Alarm":
        return `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:${name}`;
      case "AWS::StepFunctions::StateMachine":
        return `arn:${partition}:states:${region}:${accountId}:stateMachine:${String(resolve(resource.Properties?.StateMachineName ?? name))}`;
      case "AWS::Scheduler::Schedule":
        return `arn:${partition}:scheduler:${region}:${accountId}:schedule/default/${String(resolve(resource.Properties?.Name ?? name))}`;
      default:
        return name;
    }
  };
  const ref = (id: string): unknown => {
    switch (id) {
      case "AWS::Partition":
        return partition;
      case "AWS::Region":
        return region;
      case "AWS::AccountId":
        return accountId;
      case "AWS::StackName":
        return stackName;
      case "AWS::URLSuffix":
        return "amazonaws.com";
      case "AWS::NoValue":
        return NO_VALUE;
    }
    if (template.Parameters && id in template.Parameters) return parameter(id);
    const resource = template.Resources[id];
    if (!resource) throw new Error(`Ref to unknown ${id}`);
    // Ref of these is the name their properties give (the Glue catalog's and Athena's own names).
    const named: Record<string, (p: Record<string, unknown>) => unknown> = {
      "AWS::Athena::WorkGroup": (p) => p.Name,
      "AWS::Glue::Database": (p) => (p.DatabaseInput as Record<string, unknown> | undefined)?.Name,
      "AWS::Glue::Table": (p) => (p.TableInput as Record<string, unknown> | undefined)?.Name,
    };
    const nameOf = named[resource.Type];
    if (nameOf) return resolve(nameOf(resource.Properties ?? {}));
    const byArn = ["AWS::IAM::ManagedPolicy", "AWS::SNS::Topic", "AWS::KMS::Key", "AWS::StepFunctions::StateMachine"];
    if (resource.Type === "AWS::KMS::Key") return arnOf(id).split("/")[1];
    if (byArn.includes(resource.Type)) return arnOf(id);
    if (resource.Type === "AWS::S3::Bucket") return arnOf(id).split(":::")[1];
    if (resource.Type === "AWS::Logs::LogStream" && resource.Properties?.LogStreamName !== undefined)
      return String(resolve(resource.Properties.LogStreamName));
    return physicalName(id);
  };
  const getAtt = (id: string, attribute: string): string => {
    if (attribute === "Arn") return arnOf(id);
    if (attribute === "ConsumerARN") {
      const streamArn = String(resolve(template.Resources[id]?.Properties?.StreamARN));
      return `${streamArn}/consumer/${String(resolve(template.Resources[id]?.Properties?.ConsumerName))}:1700000000`;
    }
    throw new Error(`Fn::GetAtt ${id}.${attribute} is not supported`);
  };
  const conditionHolds = (name: string): boolean => Boolean(resolve(template.Conditions?.[name]));

  function resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(resolve).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== "object") return value;
    const entries = Object.entries(value);
    const [key, arg] = entries[0] ?? [];
    if (entries.length === 1 && key !== undefined) {
      switch (key) {
        case "Ref":
          return ref(arg as string);
        case "Fn::GetAtt": {
          const [id, attribute] = Array.isArray(arg) ? (arg as string[]) : String(arg).split(".");
          return getAtt(id as string, attribute as string);
        }
        case "Fn::Sub": {
          const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [arg as string, {}];
          return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
            if (name in vars) return String(resolve(vars[name]));
            if (name.includes(".") && !name.startsWith("AWS::")) {
              const [id, attribute] = name.split(".") as [string, string];
              return getAtt(id, attribute);
            }
            return String(ref(name));
          });
        }
        case "Fn::If": {
          const [condition, whenTrue, whenFalse] = arg as [string, unknown, unknown];
          return resolve(conditionHolds(condition) ? whenTrue : whenFalse);
        }
        case "Fn::Join": {
          const [separator, parts] = arg as [string, unknown[]];
          return (resolve(parts) as unknown[]).join(separator);
        }
        case "Fn::Equals": {
          const [a, b] = resolve(arg) as [unknown, unknown];
          return String(a) === String(b);
        }
        case "Fn::Not":
          return !(resolve(arg) as unknown[])[0];
        case "Fn::And":
          return (resolve(arg) as unknown[]).every(Boolean);
        case "Fn::Or":
          return (resolve(arg) as unknown[]).some(Boolean);
        case "Fn::Contains": {
          const [list, item] = resolve(arg) as [unknown[], unknown];
          return list.map(String).includes(String(item));
        }
        case "Fn::Base64":
          return Buffer.from(String(resolve(arg))).toString("base64");
        case "Condition":
          return conditionHolds(arg as string);
      }
      if (key.startsWith("Fn::")) throw new Error(`${key} is not supported`);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const resolved = resolve(v);
      if (resolved !== NO_VALUE) out[k] = resolved;
    }
    return out;
  }

  const resources: ResolvedTemplate["resources"] = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Condition && !conditionHolds(resource.Condition)) continue;
    resources[id] = {
      type: resource.Type,
      properties: (resolve(resource.Properties ?? {}) as Record<string, unknown>) ?? {},
    };
  }
  const failedRules: string[] = [];
  for (const [name, rule] of Object.entries(template.Rules ?? {})) {
    if (rule.RuleCondition !== undefined && !resolve(rule.RuleCondition)) continue;
    for (const { Assert, AssertDescription } of rule.Assertions)
      if (!resolve(Assert)) failedRules.push(AssertDescription ?? `rule ${name}`);
  }
  const output = (name: string): unknown => {
    const declared = template.Outputs?.[name];
    if (!declared) throw new Error(`no output ${name}`);
    return declared.Condition && !conditionHolds(declared.Condition) ? undefined : resolve(declared.Value);
  };
  return { resources, arnOf, failedRules, output };
}

function hex12(text: string): string {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash.toString(16).padStart(12, "0").slice(-12);
}
