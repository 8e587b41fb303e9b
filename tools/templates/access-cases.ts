/**
 * The IAM access matrix of the two stacks as data: each case is one request (who, what action, on
 * which resource, with which policies and context) and the decision it must get, evaluated by one
 * function, `evaluateCases`, with the IAM simulator @cloud-copilot/iam-simulate (AGPL-3.0, a
 * devDependency used by tests and the mutation harness only). The requests are built from both
 * templates as the SAM translator makes them, resolved for one two-account deployment
 * (two-accounts.ts), so a mutated template yields mutated policies and the same cases judge it
 * (tests/integration/access-matrix.test.ts, tools/templates/mutations.ts).
 *
 * Every policy that applies is taken from the templates: each role's identity policies (the AWS
 * managed ones from their fixture documents, aws-policies.ts), the stream's and stream consumer's
 * resource policies, key policies, bucket policies, the topic policy, trust policies. A case that
 * needs a policy outside the stacks (an analyst's role, another key of the account, the other
 * account at its most permissive) says so in its name.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { awsManagedKeyPolicy, awsManagedPolicy } from "./aws-policies.ts";
import type { ResolvedTemplate, Template } from "./cfn-resolve.ts";
import {
  CONSUMER_ACCOUNT as CONSUMER,
  deployBoth,
  PRODUCER_ACCOUNT as PRODUCER,
  type TwoAccountOptions,
  type TwoAccounts,
} from "./two-accounts.ts";

/** The simulator's answer to one request. */
export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** One request and every policy that applies to it. */
export interface Ask {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly identityPolicies?: readonly { readonly name: string; readonly policy: unknown }[];
  readonly resourcePolicy?: unknown;
  /** Over `aws:SecureTransport: "true"`, which every request carries unless it says otherwise. */
  readonly context?: Readonly<Record<string, string>>;
  /**
   * Context keys the simulator is known to drop for this request (its case says why). Any other key
   * it drops is an error: a case whose context does not count would prove nothing.
   */
  readonly ignoredContext?: readonly string[];
}

/** Changes to the raw (translated) templates before they are resolved. */
export type Mutation = Pick<TwoAccountOptions, "mutateConsumer" | "mutateProducer">;

/** A hand-written mutation that must turn an allowed case into a denied one. */
export interface Break {
  readonly name: string;
  readonly mutation: Mutation;
}

export interface AccessCase {
  readonly name: string;
  /** The deployment it asks about: the three steps (default) or the same with enhanced fan-out. */
  readonly on?: "enhancedFanOut";
  readonly request: (d: TwoAccounts) => Ask;
  readonly expected: Decision;
  /** Each takes out what allows the case: the case must then be denied (access-matrix.test.ts). */
  readonly breaks?: readonly Break[];
}

// ---- Evaluation ----

/** The deployments one set of templates gives, each resolved once, when first asked for. */
export type Deployments = (on: AccessCase["on"]) => TwoAccounts;

/** Both deployments of the (possibly mutated) templates; throws as deployBoth does. */
export function deploymentsOf(mutation: Mutation = {}): Deployments {
  const made = new Map<string, TwoAccounts>();
  return (on) => {
    const key = on ?? "threeSteps";
    let d = made.get(key);
    if (d === undefined) {
      d = deployBoth({ ...mutation, enhancedFanOut: on === "enhancedFanOut" });
      made.set(key, d);
    }
    return d;
  };
}

/** A policy with no statement left is no policy (CloudFormation would refuse an empty one). */
const hasStatements = (policy: unknown) =>
  policy !== undefined && ((policy as { Statement?: unknown[] }).Statement ?? []).length > 0;

function simulation(ask: Ask) {
  return {
    request: {
      principal: ask.principal,
      action: ask.action,
      resource: { resource: ask.resource, accountId: ask.resourceAccount },
      contextVariables: { "aws:SecureTransport": "true", ...ask.context },
    },
    identityPolicies: (ask.identityPolicies ?? []).filter((p) => hasStatements(p.policy)),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: hasStatements(ask.resourcePolicy) ? ask.resourcePolicy : undefined,
  };
}

/** The simulator could not evaluate a request (a malformed policy, an unknown action). */
export class SimulationError extends Error {
  constructor(detail: string) {
    super(`the IAM simulator could not evaluate the request: ${detail}`);
    this.name = "SimulationError";
  }
}

interface Simulated {
  readonly decision: Decision;
  /** The context keys the simulator dropped as not applying to the action and resource. */
  readonly ignored: readonly string[];
}

/**
 * Remembered simulations, by the whole simulator input: a mutant that leaves a request's policies
 * as they were gets the decision already made, and is not simulated again (the simulator is pure).
 */
export type DecisionCache = Map<string, Promise<Simulated>>;

async function simulate(input: ReturnType<typeof simulation>): Promise<Simulated> {
  const result = await runSimulation(input as Parameters<typeof runSimulation>[0], {});
  if (result.resultType === "error") throw new SimulationError(JSON.stringify(result.errors));
  const analyses = result.resultType === "single" ? [result.result] : result.results;
  return {
    decision: result.overallResult as Decision,
    ignored: [...new Set(analyses.flatMap((a) => a.ignoredContextKeys ?? []))],
  };
}

/**
 * The simulator's decision on one request. Throws SimulationError when it cannot decide, or when it
 * drops a context key the request does not list in `ignoredContext`.
 */
export async function decide(ask: Ask, cache?: DecisionCache): Promise<Decision> {
  const input = simulation(ask);
  const key = cache && JSON.stringify(input);
  let simulated = key === undefined ? undefined : cache?.get(key);
  if (simulated === undefined) {
    simulated = simulate(input);
    if (key !== undefined) cache?.set(key, simulated);
  }
  const { decision, ignored } = await simulated;
  const unexpected = ignored.filter((k) => !(ask.ignoredContext ?? []).includes(k));
  if (unexpected.length > 0)
    throw new SimulationError(
      `context ${unexpected.join(", ")} does not apply to ${ask.action} on ${ask.resource} (the simulator drops it)`,
    );
  return decision;
}

export interface Outcome {
  readonly name: string;
  readonly expected: Decision;
  /** The decision, or the error that kept the case from one (building its request, or simulating it). */
  readonly decision?: Decision;
  readonly error?: string;
}

/** Every case's decision against the deployments of one set of templates. */
export async function evaluateCases(
  cases: readonly AccessCase[],
  deployments: Deployments,
  cache?: DecisionCache,
): Promise<Outcome[]> {
  return Promise.all(
    cases.map(async ({ name, on, request, expected }): Promise<Outcome> => {
      try {
        return { name, expected, decision: await decide(request(deployments(on)), cache) };
      } catch (error) {
        return { name, expected, error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
}

/** Whether an outcome is the expected decision. */
export const holds = (outcome: Outcome) => outcome.decision === outcome.expected;

// ---- The stacks' policies, from a resolved template ----

/** A resolved resource's properties; throws for a resource the template does not have. */
export function props(t: ResolvedTemplate, id: string): Record<string, unknown> {
  const resource = t.resources[id];
  if (!resource) throw new Error(`no resource ${id}`);
  return resource.properties;
}

/**
 * Every identity policy a role of the template holds: the managed policies its ManagedPolicyArns
 * name (AWS managed ones from their fixture documents; an unknown ARN throws), and the inline and
 * customer managed policies of the template attached to it.
 */
export function identityPolicies(t: ResolvedTemplate, roleId: string) {
  const roleName = t.arnOf(roleId).split("/").pop() as string;
  const ownManaged = new Map(
    Object.entries(t.resources)
      .filter(([, r]) => r.type === "AWS::IAM::ManagedPolicy")
      .map(([id, r]) => [t.arnOf(id), r.properties.PolicyDocument]),
  );
  const managed = ((props(t, roleId).ManagedPolicyArns as string[] | undefined) ?? []).map((arn) => ({
    name: arn,
    policy: ownManaged.get(arn) ?? awsManagedPolicy(arn),
  }));
  const inline = (
    (props(t, roleId).Policies as { PolicyName: string; PolicyDocument: unknown }[] | undefined) ?? []
  ).map((p) => ({ name: p.PolicyName, policy: p.PolicyDocument }));
  const attached = Object.entries(t.resources)
    .filter(
      ([, r]) =>
        (r.type === "AWS::IAM::Policy" || r.type === "AWS::IAM::ManagedPolicy") &&
        ((r.properties.Roles as string[] | undefined) ?? []).includes(roleName),
    )
    .map(([id, r]) => ({ name: id, policy: r.properties.PolicyDocument }));
  return [...managed, ...inline, ...attached];
}

/** The key that encrypts a topic, and its policy: one of the template's keys, or an AWS managed one. */
export function topicKey(t: ResolvedTemplate, topicId: string, accountId: string, region: string) {
  const keyId = String(props(t, topicId).KmsMasterKeyId);
  const managed = /^alias\/aws\/(\w+)$/.exec(keyId);
  if (managed)
    return {
      // The AWS managed key's own ARN (its alias only names it).
      arn: `arn:aws:kms:${region}:${accountId}:key/00000000-0000-4000-8000-0000000a11a5`,
      policy: awsManagedKeyPolicy(managed[1] as string, accountId, region),
    };
  const own = Object.keys(t.resources).find(
    (id) => t.resources[id]?.type === "AWS::KMS::Key" && [t.arnOf(id), t.arnOf(id).split("/")[1]].includes(keyId),
  );
  if (!own) throw new Error(`topic ${topicId} is encrypted with ${keyId}, which the matrix does not know`);
  return { arn: t.arnOf(own), policy: props(t, own).KeyPolicy };
}

/** The topic policy (AWS::SNS::TopicPolicy) that covers a topic, if any. */
export function topicPolicy(t: ResolvedTemplate, topicId: string): unknown {
  const arn = t.arnOf(topicId);
  return Object.values(t.resources).find(
    (r) => r.type === "AWS::SNS::TopicPolicy" && (r.properties.Topics as string[]).includes(arn),
  )?.properties.PolicyDocument;
}

// ---- Hand-written mutations of the raw templates (the breaks) ----

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

// ---- Who and what ----

/** A role of the consumer account that no policy of the stacks names. */
export const OTHER_ROLE = `arn:aws:iam::${CONSUMER}:role/some-other-function`;
/** The analysts' role: it holds AnalystPolicy (the stack only makes the policy; the role is the account's). */
export const ANALYST = `arn:aws:iam::${CONSUMER}:role/analyst`;
/** A producer-account role that holds VehicleGatewayPolicy. */
export const GATEWAY = `arn:aws:iam::${PRODUCER}:role/vehicle-gateway`;

const version = "2012-10-17";
/** An account's administrators: everything, as an identity policy. */
export const ADMINISTRATOR = {
  name: "an administrator's policy (Action and Resource *)",
  policy: { Version: version, Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
};
const admin = (account: string) => `arn:aws:iam::${account}:role/administrator`;

/**
 * Another key of an account, with the key policy AWS gives a key by default (the account's IAM
 * policies decide): an identity grant that reached past the stack's own key would reach it.
 */
export const otherKey = (account: string, region: string) => ({
  resource: `arn:aws:kms:${region}:${account}:key/00000000-0000-4000-8000-0000000beef0`,
  resourceAccount: account,
  resourcePolicy: {
    Version: version,
    Statement: [
      { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
    ],
  },
});

/**
 * The producer account at its most permissive towards the consumer role (a resource policy naming
 * it for everything): what the consumer's own policies still deny, they deny on their own.
 */
const producerAdmitsAll = (roleArn: string) => ({
  Version: version,
  Statement: [{ Effect: "Allow", Principal: { AWS: roleArn }, Action: "*", Resource: "*" }],
});

const role = (d: TwoAccounts) => d.consumer.arnOf("TelemetryConsumerRole");
const roleIdentity = (d: TwoAccounts) => identityPolicies(d.consumer, "TelemetryConsumerRole");
const firehoseRole = (d: TwoAccounts) => d.consumer.arnOf("FirehoseDeliveryRole");
const firehoseIdentity = (d: TwoAccounts) => identityPolicies(d.consumer, "FirehoseDeliveryRole");
const analystIdentity = (d: TwoAccounts) => [
  { name: d.consumer.arnOf("AnalystPolicy"), policy: props(d.consumer, "AnalystPolicy").PolicyDocument },
];
const gatewayIdentity = (d: TwoAccounts) => [
  { name: "VehicleGatewayPolicy", policy: props(d.producer, "VehicleGatewayPolicy").PolicyDocument },
];

export type Bucket = "DataBucket" | "QuarantineBucket" | "FailureBucket" | "QueryResultsBucket";
/** An object (or, without a key, the bucket itself) of one of the consumer's buckets, under its bucket policy. */
export const inBucket = (d: TwoAccounts, bucket: Bucket, key?: string) => ({
  resource: key === undefined ? d.consumer.arnOf(bucket) : `${d.consumer.arnOf(bucket)}/${key}`,
  resourceAccount: CONSUMER,
  resourcePolicy: props(d.consumer, `${bucket}Policy`).PolicyDocument,
});
export const dataKey = (d: TwoAccounts) => ({
  resource: d.consumer.arnOf("DataKey"),
  resourceAccount: CONSUMER,
  resourcePolicy: props(d.consumer, "DataKey").KeyPolicy,
});
const streamKey = (d: TwoAccounts) => ({
  resource: d.producer.arnOf("StreamKey"),
  resourceAccount: PRODUCER,
  resourcePolicy: props(d.producer, "StreamKey").KeyPolicy,
});
const stream = (d: TwoAccounts) => ({
  resource: d.producer.arnOf("TelemetryStream"),
  resourceAccount: PRODUCER,
  resourcePolicy: props(d.producer, "TelemetryStreamPolicy").ResourcePolicy,
});
const streamConsumer = (d: TwoAccounts) => ({
  resource: String(props(d.producer, "TelemetryStreamConsumerPolicy").ResourceArn),
  resourceAccount: PRODUCER,
  resourcePolicy: props(d.producer, "TelemetryStreamConsumerPolicy").ResourcePolicy,
});
export const viaS3 = (d: TwoAccounts) => ({ "kms:ViaService": `s3.${d.region}.amazonaws.com` });
const viaKinesis = (d: TwoAccounts) => ({ "kms:ViaService": `kinesis.${d.region}.amazonaws.com` });
const alarmContext = (d: TwoAccounts) => ({
  "aws:SourceAccount": CONSUMER,
  "aws:SourceArn": d.consumer.arnOf("IteratorAgeAlarm"),
});
const anotherStacksAlarm = (d: TwoAccounts) => `arn:aws:cloudwatch:${d.region}:${CONSUMER}:alarm:payments-ErrorsAlarm`;
/** A log stream of the function's own group, named the way Lambda names them. */
const ownLogStream = (d: TwoAccounts) =>
  `arn:aws:logs:${d.region}:${CONSUMER}:log-group:${String(
    (props(d.consumer, "TelemetryConsumerFunction").LoggingConfig as { LogGroup: string }).LogGroup,
  )}:log-stream:2026/11/22/[$LATEST]0123456789abcdef`;
const firehoseLogging = (d: TwoAccounts) =>
  (
    props(d.consumer, "TelemetryDeliveryStream").ExtendedS3DestinationConfiguration as {
      CloudWatchLoggingOptions: { LogGroupName: string; LogStreamName: string };
    }
  ).CloudWatchLoggingOptions;
const firehoseLogStream = (d: TwoAccounts) => {
  const logging = firehoseLogging(d);
  return `arn:aws:logs:${d.region}:${CONSUMER}:log-group:${logging.LogGroupName}:log-stream:${logging.LogStreamName}`;
};
const logGroupArn = (d: TwoAccounts, id: string) =>
  `arn:aws:logs:${d.region}:${CONSUMER}:log-group:${String(d.consumer.arnOf(id).split(":log-group:")[1]).replace(/:\*$/, "")}`;
const otherLogStream = (d: TwoAccounts) =>
  `arn:aws:logs:${d.region}:${CONSUMER}:log-group:/aws/lambda/payments:log-stream:x`;
const workgroup = (d: TwoAccounts, name: string) => `arn:aws:athena:${d.region}:${CONSUMER}:workgroup/${name}`;
const analystWorkgroup = (d: TwoAccounts) => workgroup(d, String(props(d.consumer, "AnalystWorkGroup").Name));
const database = (d: TwoAccounts) =>
  String((props(d.consumer, "TelemetryDatabase").DatabaseInput as { Name: string }).Name);
const glue = (d: TwoAccounts, path: string) => `arn:aws:glue:${d.region}:${CONSUMER}:${path}`;
const tableName = (d: TwoAccounts, id: string) => String((props(d.consumer, id).TableInput as { Name: string }).Name);
const TLS_OFF = { "aws:SecureTransport": "false" };

// ---- The cases ----

/** A request per principal: the function's role, Firehose's role, an analyst, a vehicle gateway. */
const asRole = (d: TwoAccounts) => ({ principal: role(d), identityPolicies: roleIdentity(d) });
const asFirehose = (d: TwoAccounts) => ({ principal: firehoseRole(d), identityPolicies: firehoseIdentity(d) });
const asAnalyst = (d: TwoAccounts) => ({ principal: ANALYST, identityPolicies: analystIdentity(d) });
const asGateway = (d: TwoAccounts) => ({ principal: GATEWAY, identityPolicies: gatewayIdentity(d) });

const STREAM_READ = [
  "kinesis:DescribeStream",
  "kinesis:DescribeStreamSummary",
  "kinesis:GetRecords",
  "kinesis:GetShardIterator",
  "kinesis:ListShards",
] as const;

/** What a vehicle gateway does to the stream (describe and write; it never reads records). */
const GATEWAY_WRITES = [
  "kinesis:DescribeStream",
  "kinesis:DescribeStreamSummary",
  "kinesis:ListShards",
  "kinesis:PutRecord",
  "kinesis:PutRecords",
] as const;

/** The service-to-service paths the stacks exist for: each allowed, each with a break. */
const PATHS: AccessCase[] = [
  {
    name: "CloudWatch alarms of this stack publish to the alarm topic",
    request: (d) => ({
      principal: "cloudwatch.amazonaws.com",
      action: "sns:Publish",
      resource: d.consumer.arnOf("AlarmTopic"),
      resourceAccount: CONSUMER,
      resourcePolicy: topicPolicy(d.consumer, "AlarmTopic"),
      context: alarmContext(d),
    }),
    expected: "Allowed",
    breaks: [
      {
        name: "the topic policy loses its CloudWatch statement",
        mutation: {
          mutateConsumer: (t) => dropStatement(t, "AlarmTopicPolicy", "PolicyDocument", "ThisStacksAlarmsPublish"),
        },
      },
    ],
  },
  ...["kms:GenerateDataKey", "kms:Decrypt"].map(
    (action): AccessCase => ({
      name: `CloudWatch alarms of this stack may ${action} with the alarm topic's key (to publish to it)`,
      request: (d) => {
        const key = topicKey(d.consumer, "AlarmTopic", CONSUMER, d.region);
        return {
          principal: "cloudwatch.amazonaws.com",
          action,
          resource: key.arn,
          resourceAccount: CONSUMER,
          resourcePolicy: key.policy,
          context: { ...alarmContext(d), "kms:ViaService": `sns.${d.region}.amazonaws.com` },
        };
      },
      expected: "Allowed",
      breaks: [
        {
          name: "the topic is encrypted with the AWS managed key alias/aws/sns",
          mutation: {
            mutateConsumer: (t) => {
              (t.Resources.AlarmTopic?.Properties as Record<string, unknown>).KmsMasterKeyId = "alias/aws/sns";
            },
          },
        },
        {
          name: "the key policy loses its CloudWatch statement",
          mutation: {
            mutateConsumer: (t) => dropStatement(t, "AlarmKey", "KeyPolicy", "ThisStacksAlarmsPublishToTheTopic"),
          },
        },
      ],
    }),
  ),
  {
    name: "Firehose writes its delivery errors to its log stream",
    request: (d) => ({
      ...asFirehose(d),
      action: "logs:PutLogEvents",
      resource: firehoseLogStream(d),
      resourceAccount: CONSUMER,
    }),
    expected: "Allowed",
    breaks: [
      {
        name: "the grant is built from the group's GetAtt Arn, which ends in ':*'",
        mutation: {
          mutateConsumer: (t) =>
            editStatement(t, "FirehoseDeliveryPolicy", "PolicyDocument", "LogDeliveryErrors", (s) => {
              // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub, not a JS template.
              s.Resource = { "Fn::Sub": "${FirehoseLogGroup.Arn}:log-stream:${FirehoseLogStream}" };
            }),
        },
      },
    ],
  },
  ...(
    [
      ["s3:PutObject", "data/year=2026/month=11/day=22/hour=21/part-1.gz"],
      ["s3:PutObject", "errors/processing-failed/2026/11/22/21/part-1"],
      ["s3:GetObject", "data/year=2026/month=11/day=22/hour=21/part-1.gz"],
      ["s3:AbortMultipartUpload", "data/year=2026/month=11/day=22/hour=21/part-1.gz"],
    ] as const
  ).map(
    ([action, key]): AccessCase => ({
      name: `Firehose may ${action} on the data bucket's ${key.split("/")[0]}/ prefix`,
      request: (d) => ({ ...asFirehose(d), action, ...inBucket(d, "DataBucket", key) }),
      expected: "Allowed",
      breaks: [
        {
          name: "Firehose's policy loses WriteDataAndErrorPrefixes",
          mutation: {
            mutateConsumer: (t) =>
              dropStatement(t, "FirehoseDeliveryPolicy", "PolicyDocument", "WriteDataAndErrorPrefixes"),
          },
        },
      ],
    }),
  ),
  ...["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"].map(
    (action): AccessCase => ({
      name: `Firehose may ${action} on the data bucket`,
      request: (d) => ({ ...asFirehose(d), action, ...inBucket(d, "DataBucket") }),
      expected: "Allowed",
      breaks: [
        {
          name: "Firehose's policy loses UseDataBucket",
          mutation: {
            mutateConsumer: (t) => dropStatement(t, "FirehoseDeliveryPolicy", "PolicyDocument", "UseDataBucket"),
          },
        },
      ],
    }),
  ),
  ...["kms:GenerateDataKey", "kms:Decrypt"].map(
    (action): AccessCase => ({
      name: `Firehose may ${action} with the data key through S3`,
      request: (d) => ({ ...asFirehose(d), action, ...dataKey(d), context: viaS3(d) }),
      expected: "Allowed",
      breaks: [
        {
          // Same account: the key policy names the role AND lets IAM grant; either grant alone allows.
          name: "both the key policy's and Firehose's policy's grant are gone",
          mutation: {
            mutateConsumer: (t) => {
              dropStatement(t, "DataKey", "KeyPolicy", "FirehoseEncryptsThroughS3");
              dropStatement(t, "FirehoseDeliveryPolicy", "PolicyDocument", "EncryptThroughS3Only");
            },
          },
        },
      ],
    }),
  ),
  {
    name: "the trigger (the function's role) writes a batch's record to the on-failure bucket",
    request: (d) => ({
      ...asRole(d),
      action: "s3:PutObject",
      ...inBucket(d, "FailureBucket", "aws/lambda/esm-uuid/shardId-000000000000/2026/11/22/21/x"),
    }),
    expected: "Allowed",
    breaks: [
      {
        name: "the function's policy loses TriggerWritesOnFailureRecords",
        mutation: {
          mutateConsumer: (t) =>
            dropStatement(t, "TelemetryConsumerPolicy", "PolicyDocument", "TriggerWritesOnFailureRecords"),
        },
      },
    ],
  },
  {
    name: "the trigger (the function's role) may list the on-failure bucket",
    request: (d) => ({ ...asRole(d), action: "s3:ListBucket", ...inBucket(d, "FailureBucket") }),
    expected: "Allowed",
    breaks: [
      {
        name: "the function's policy loses TriggerChecksOnFailureBucket",
        mutation: {
          mutateConsumer: (t) =>
            dropStatement(t, "TelemetryConsumerPolicy", "PolicyDocument", "TriggerChecksOnFailureBucket"),
        },
      },
    ],
  },
  {
    name: "the trigger encrypts the on-failure record with the data key through S3",
    request: (d) => ({ ...asRole(d), action: "kms:GenerateDataKey", ...dataKey(d), context: viaS3(d) }),
    expected: "Allowed",
    breaks: [
      {
        name: "both the key policy's and the function's policy's grant are gone",
        mutation: {
          mutateConsumer: (t) => {
            dropStatement(t, "DataKey", "KeyPolicy", "FunctionEncryptsThroughS3");
            dropStatement(t, "TelemetryConsumerPolicy", "PolicyDocument", "EncryptObjectsThroughS3Only");
          },
        },
      },
    ],
  },
  {
    name: "the function decrypts with the data key through S3 (completing a multipart quarantine upload)",
    request: (d) => ({ ...asRole(d), action: "kms:Decrypt", ...dataKey(d), context: viaS3(d) }),
    expected: "Allowed",
    breaks: [
      {
        name: "both the key policy's and the function's policy's grant are gone",
        mutation: {
          mutateConsumer: (t) => {
            dropStatement(t, "DataKey", "KeyPolicy", "FunctionEncryptsThroughS3");
            dropStatement(t, "TelemetryConsumerPolicy", "PolicyDocument", "EncryptObjectsThroughS3Only");
          },
        },
      },
    ],
  },
  {
    name: "the function aborts a multipart quarantine upload under the prefix",
    request: (d) => ({
      ...asRole(d),
      action: "s3:AbortMultipartUpload",
      ...inBucket(d, "QuarantineBucket", "quarantine/2026/11/21/x.ndjson"),
    }),
    expected: "Allowed",
    breaks: [
      {
        name: "the function's policy loses WriteQuarantinePrefixOnly",
        mutation: {
          mutateConsumer: (t) =>
            dropStatement(t, "TelemetryConsumerPolicy", "PolicyDocument", "WriteQuarantinePrefixOnly"),
        },
      },
    ],
  },
  {
    name: "the function puts to this stack's delivery stream",
    request: (d) => ({
      ...asRole(d),
      action: "firehose:PutRecordBatch",
      resource: d.consumer.arnOf("TelemetryDeliveryStream"),
      resourceAccount: CONSUMER,
    }),
    expected: "Allowed",
    breaks: [
      {
        name: "the function's policy loses DeliverToThisStackDeliveryStreamOnly",
        mutation: {
          mutateConsumer: (t) =>
            dropStatement(t, "TelemetryConsumerPolicy", "PolicyDocument", "DeliverToThisStackDeliveryStreamOnly"),
        },
      },
    ],
  },
  {
    name: "the function writes under the quarantine prefix",
    request: (d) => ({
      ...asRole(d),
      action: "s3:PutObject",
      ...inBucket(d, "QuarantineBucket", "quarantine/2026/11/21/x.ndjson"),
    }),
    expected: "Allowed",
    breaks: [
      {
        name: "the function's policy loses WriteQuarantinePrefixOnly",
        mutation: {
          mutateConsumer: (t) =>
            dropStatement(t, "TelemetryConsumerPolicy", "PolicyDocument", "WriteQuarantinePrefixOnly"),
        },
      },
    ],
  },
  ...STREAM_READ.map(
    (action): AccessCase => ({
      name: `the function's role may ${action} on the producer's stream, across accounts`,
      request: (d) => ({ ...asRole(d), action, ...stream(d) }),
      expected: "Allowed",
      breaks: [
        {
          name: "the stream's resource policy loses its statement",
          mutation: {
            mutateProducer: (t) =>
              dropStatement(t, "TelemetryStreamPolicy", "ResourcePolicy", "ConsumerRoleReadsStream"),
          },
        },
        {
          name: "the role no longer attaches AWSLambdaKinesisExecutionRole",
          mutation: { mutateConsumer: dropManagedPolicy("AWSLambdaKinesisExecutionRole") },
        },
      ],
    }),
  ),
  ...["kinesis:SubscribeToShard", "kinesis:DescribeStreamConsumer"].map(
    (action): AccessCase => ({
      name: `with enhanced fan-out, the function's role may ${action} on the producer's stream consumer`,
      on: "enhancedFanOut",
      request: (d) => ({ ...asRole(d), action, ...streamConsumer(d) }),
      expected: "Allowed",
      breaks: [
        {
          name: "the stream consumer's resource policy loses its statement",
          mutation: {
            mutateProducer: (t) =>
              dropStatement(
                t,
                "TelemetryStreamConsumerPolicy",
                "ResourcePolicy",
                "ConsumerRoleReadsThroughStreamConsumer",
              ),
          },
        },
        action === "kinesis:SubscribeToShard"
          ? {
              // AWSLambdaKinesisExecutionRole allows SubscribeToShard on "*" too: either identity grant allows.
              name: "the function's policy loses ReadThroughProducerStreamConsumer and the role AWSLambdaKinesisExecutionRole",
              mutation: {
                mutateConsumer: (t) => {
                  dropStatement(t, "TelemetryConsumerPolicy", "PolicyDocument", "ReadThroughProducerStreamConsumer");
                  dropManagedPolicy("AWSLambdaKinesisExecutionRole")(t);
                },
              },
            }
          : {
              name: "the function's policy loses ReadThroughProducerStreamConsumer",
              mutation: {
                mutateConsumer: (t) =>
                  dropStatement(t, "TelemetryConsumerPolicy", "PolicyDocument", "ReadThroughProducerStreamConsumer"),
              },
            },
      ],
    }),
  ),
  {
    name: "the function's role decrypts the producer's stream key through Kinesis",
    request: (d) => ({ ...asRole(d), action: "kms:Decrypt", ...streamKey(d), context: viaKinesis(d) }),
    expected: "Allowed",
    breaks: [
      {
        name: "the key policy loses ConsumerRoleDecryptsThroughKinesisOnly",
        mutation: {
          mutateProducer: (t) => dropStatement(t, "StreamKey", "KeyPolicy", "ConsumerRoleDecryptsThroughKinesisOnly"),
        },
      },
      {
        name: "the function's policy loses DecryptProducerStreamThroughKinesisOnly",
        mutation: {
          mutateConsumer: (t) =>
            dropStatement(t, "TelemetryConsumerPolicy", "PolicyDocument", "DecryptProducerStreamThroughKinesisOnly"),
        },
      },
    ],
  },
  ...["logs:PutLogEvents", "logs:CreateLogStream"].map(
    (action): AccessCase => ({
      name: `the function may ${action} in its own log group`,
      request: (d) => ({ ...asRole(d), action, resource: ownLogStream(d), resourceAccount: CONSUMER }),
      expected: "Allowed",
      breaks: [
        {
          name: "the role no longer attaches AWSLambdaKinesisExecutionRole",
          mutation: { mutateConsumer: dropManagedPolicy("AWSLambdaKinesisExecutionRole") },
        },
      ],
    }),
  ),
  ...["xray:PutTraceSegments", "xray:PutTelemetryRecords"].map(
    (action): AccessCase => ({
      name: `the function may ${action} (active tracing)`,
      request: (d) => ({ ...asRole(d), action, resource: "*", resourceAccount: CONSUMER }),
      expected: "Allowed",
      breaks: [
        {
          name: "the role no longer attaches AWSXRayDaemonWriteAccess",
          mutation: { mutateConsumer: dropManagedPolicy("AWSXRayDaemonWriteAccess") },
        },
      ],
    }),
  ),
  // CloudWatch Logs encrypting this stack's log groups with the data key has no allowed case: its
  // key-policy statement is conditioned on kms:EncryptionContext:aws:logs:arn, and the simulator
  // (0.1.173) ignores every kms:EncryptionContext:<key> context key (it matches variable keys
  // after a "/" only). Its boundaries below still hold; its survivors are listed in the notes.
  ...[
    ["DataKey", "consumer", CONSUMER],
    ["AlarmKey", "consumer", CONSUMER],
    ["StreamKey", "producer", PRODUCER],
  ].map(
    ([key, stack, account]): AccessCase => ({
      name: `the ${stack} account's administrators may administer ${key} through IAM (no lockout)`,
      request: (d) => ({
        principal: admin(account as string),
        identityPolicies: [ADMINISTRATOR],
        action: "kms:PutKeyPolicy",
        resource: (stack === "consumer" ? d.consumer : d.producer).arnOf(key as string),
        resourceAccount: account as string,
        resourcePolicy: props(stack === "consumer" ? d.consumer : d.producer, key as string).KeyPolicy,
      }),
      expected: "Allowed",
    }),
  ),
  ...GATEWAY_WRITES.map(
    (action): AccessCase => ({
      name: `a vehicle gateway with VehicleGatewayPolicy may ${action} on the stream`,
      request: (d) => ({ ...asGateway(d), action, ...stream(d) }),
      expected: "Allowed",
      breaks: [
        {
          name: `VehicleGatewayPolicy no longer lists ${action}`,
          mutation: {
            mutateProducer: (t) =>
              editStatement(t, "VehicleGatewayPolicy", "PolicyDocument", "WriteTelemetryStream", (s) => {
                s.Action = (s.Action as string[]).filter((a) => a !== action);
              }),
          },
        },
      ],
    }),
  ),
  {
    name: "a vehicle gateway with VehicleGatewayPolicy encrypts with the stream key through Kinesis",
    request: (d) => ({ ...asGateway(d), action: "kms:GenerateDataKey", ...streamKey(d), context: viaKinesis(d) }),
    expected: "Allowed",
    breaks: [
      {
        name: "VehicleGatewayPolicy loses EncryptThroughKinesisOnly",
        mutation: {
          mutateProducer: (t) =>
            dropStatement(t, "VehicleGatewayPolicy", "PolicyDocument", "EncryptThroughKinesisOnly"),
        },
      },
    ],
  },
  {
    name: "Lambda, acting for this account, may assume the function's role",
    request: (d) => ({
      principal: "lambda.amazonaws.com",
      action: "sts:AssumeRole",
      resource: role(d),
      resourceAccount: CONSUMER,
      resourcePolicy: props(d.consumer, "TelemetryConsumerRole").AssumeRolePolicyDocument,
      context: { "aws:SourceAccount": CONSUMER },
    }),
    expected: "Allowed",
  },
  {
    name: "Firehose, with this account as external id, may assume its role",
    request: (d) => ({
      principal: "firehose.amazonaws.com",
      action: "sts:AssumeRole",
      resource: firehoseRole(d),
      resourceAccount: CONSUMER,
      resourcePolicy: props(d.consumer, "FirehoseDeliveryRole").AssumeRolePolicyDocument,
      context: { "sts:ExternalId": CONSUMER },
    }),
    expected: "Allowed",
  },
];

/** What must stay denied: each boundary of an allowed path, so that widening it shows. */
const BOUNDARIES: AccessCase[] = [
  ...["kinesis:PutRecords", "kinesis:PutRecord", "kinesis:DeleteStream"].map(
    (action): AccessCase => ({
      name: `the function's role may not ${action} on the producer's stream`,
      request: (d) => ({ ...asRole(d), action, ...stream(d) }),
      expected: "ImplicitlyDenied",
    }),
  ),
  ...["kinesis:PutRecord", "kinesis:DeleteStream"].map(
    (action): AccessCase => ({
      name: `the function's role may not ${action} on the producer's stream even with every permission its own account could give it (the stream policy is the producer's half)`,
      request: (d) => ({ principal: role(d), identityPolicies: [ADMINISTRATOR], action, ...stream(d) }),
      expected: "ImplicitlyDenied",
    }),
  ),
  {
    name: "another role of the consumer account, with the same policies, may not read the stream",
    request: (d) => ({ ...asRole(d), principal: OTHER_ROLE, action: "kinesis:GetRecords", ...stream(d) }),
    expected: "ImplicitlyDenied",
  },
  ...(
    [
      ["kinesis:GetRecords", "payments"],
      ["kinesis:GetShardIterator", "payments"],
      ["kinesis:DescribeStream", "payments"],
      ["kinesis:ListShards", "payments"],
      ["kinesis:SubscribeToShard", "payments/consumer/audit:1700000000"],
    ] as const
  ).map(
    ([action, name]): AccessCase => ({
      name: `the function's role may not ${action} on another stream of its own account (the managed policy's * is denied)`,
      request: (d) => ({
        ...asRole(d),
        action,
        resource: `arn:aws:kinesis:${d.region}:${CONSUMER}:stream/${name}`,
        resourceAccount: CONSUMER,
      }),
      expected: "ExplicitlyDenied",
    }),
  ),
  {
    name: "the function's role may not list the account's streams",
    request: (d) => ({ ...asRole(d), action: "kinesis:ListStreams", resource: "*", resourceAccount: CONSUMER }),
    expected: "ExplicitlyDenied",
  },
  ...["payments", "producer-TelemetryStream"].map(
    (name): AccessCase => ({
      name: `before the producer's stream exists (step 1), the function's role may not read the stream ${name}`,
      request: (d) => ({
        principal: d.firstStep.arnOf("TelemetryConsumerRole"),
        identityPolicies: identityPolicies(d.firstStep, "TelemetryConsumerRole"),
        action: "kinesis:GetRecords",
        resource: `arn:aws:kinesis:${d.region}:${CONSUMER}:stream/${name}`,
        resourceAccount: CONSUMER,
      }),
      expected: "ExplicitlyDenied",
    }),
  ),
  ...["logs:PutLogEvents", "logs:CreateLogStream"].map(
    (action): AccessCase => ({
      name: `the function's role may not ${action} in another log group (the managed policy's * is denied)`,
      request: (d) => ({ ...asRole(d), action, resource: otherLogStream(d), resourceAccount: CONSUMER }),
      expected: "ExplicitlyDenied",
    }),
  ),
  {
    name: "the function's role may not create log groups",
    request: (d) => ({
      ...asRole(d),
      action: "logs:CreateLogGroup",
      resource: `arn:aws:logs:${d.region}:${CONSUMER}:log-group:/aws/lambda/anything`,
      resourceAccount: CONSUMER,
    }),
    expected: "ExplicitlyDenied",
  },
  {
    name: "the function's role may not decrypt the stream's key through S3",
    request: (d) => ({ ...asRole(d), action: "kms:Decrypt", ...streamKey(d), context: viaS3(d) }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "the function's role may not decrypt the stream's key directly (no kms:ViaService)",
    request: (d) => ({ ...asRole(d), action: "kms:Decrypt", ...streamKey(d) }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "the function's role may not decrypt the stream's key directly, even if the producer's key policy admitted it to everything (its own policy says through Kinesis)",
    request: (d) => ({
      ...asRole(d),
      action: "kms:Decrypt",
      ...streamKey(d),
      resourcePolicy: producerAdmitsAll(role(d)),
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "the function's role may not encrypt with the stream's key, even if the producer's key policy admitted it to everything",
    request: (d) => ({
      ...asRole(d),
      action: "kms:Encrypt",
      ...streamKey(d),
      resourcePolicy: producerAdmitsAll(role(d)),
      context: viaKinesis(d),
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "the function's role may not decrypt with another key of the producer account, even if that key admitted it to everything",
    request: (d) => ({
      ...asRole(d),
      action: "kms:Decrypt",
      ...otherKey(PRODUCER, d.region),
      resourcePolicy: producerAdmitsAll(role(d)),
      context: viaKinesis(d),
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "the function's role may not decrypt the stream's key directly, even with every permission its own account could give it (the key policy is the producer's half)",
    request: (d) => ({ principal: role(d), identityPolicies: [ADMINISTRATOR], action: "kms:Decrypt", ...streamKey(d) }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "the function's role may not encrypt with the stream's key, even with every permission its own account could give it",
    request: (d) => ({
      principal: role(d),
      identityPolicies: [ADMINISTRATOR],
      action: "kms:Encrypt",
      ...streamKey(d),
      context: viaKinesis(d),
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "with enhanced fan-out, the function's role may not deregister the stream consumer, even with every permission its own account could give it",
    on: "enhancedFanOut",
    request: (d) => ({
      principal: role(d),
      identityPolicies: [ADMINISTRATOR],
      action: "kinesis:DeregisterStreamConsumer",
      ...streamConsumer(d),
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "with enhanced fan-out, the function's role may not deregister the stream consumer, even if the producer admitted it to everything",
    on: "enhancedFanOut",
    request: (d) => ({
      ...asRole(d),
      action: "kinesis:DeregisterStreamConsumer",
      ...streamConsumer(d),
      resourcePolicy: producerAdmitsAll(role(d)),
    }),
    expected: "ImplicitlyDenied",
  },
  ...["kinesis:SubscribeToShard", "kinesis:DescribeStreamConsumer"].map(
    (action): AccessCase => ({
      name: `with enhanced fan-out, another role of the consumer account may not ${action} on the stream consumer`,
      on: "enhancedFanOut",
      request: (d) => ({ ...asRole(d), principal: OTHER_ROLE, action, ...streamConsumer(d) }),
      expected: "ImplicitlyDenied",
    }),
  ),
  {
    name: "the function's role may not put to another delivery stream",
    request: (d) => ({
      ...asRole(d),
      action: "firehose:PutRecordBatch",
      resource: `arn:aws:firehose:${d.region}:${CONSUMER}:deliverystream/another-stream`,
      resourceAccount: CONSUMER,
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "the function's role may not delete its delivery stream",
    request: (d) => ({
      ...asRole(d),
      action: "firehose:DeleteDeliveryStream",
      resource: d.consumer.arnOf("TelemetryDeliveryStream"),
      resourceAccount: CONSUMER,
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "the function's role may not write outside the quarantine prefix",
    request: (d) => ({
      ...asRole(d),
      action: "s3:PutObject",
      ...inBucket(d, "QuarantineBucket", "elsewhere/x.ndjson"),
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "the function's role may not abort uploads outside the quarantine prefix",
    request: (d) => ({
      ...asRole(d),
      action: "s3:AbortMultipartUpload",
      ...inBucket(d, "QuarantineBucket", "elsewhere/x.ndjson"),
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "the function's role may not decrypt with the data key outside S3",
    request: (d) => ({ ...asRole(d), action: "kms:Decrypt", ...dataKey(d) }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "the function's role may not delete quarantined records",
    request: (d) => ({ ...asRole(d), action: "s3:DeleteObject", ...inBucket(d, "QuarantineBucket", "quarantine/x") }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "the function's role may not write the data bucket",
    request: (d) => ({ ...asRole(d), action: "s3:PutObject", ...inBucket(d, "DataBucket", "data/x") }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "the function's role may not read the on-failure records",
    request: (d) => ({ ...asRole(d), action: "s3:GetObject", ...inBucket(d, "FailureBucket", "aws/lambda/x") }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "the function's role may not delete the on-failure bucket",
    request: (d) => ({ ...asRole(d), action: "s3:DeleteBucket", ...inBucket(d, "FailureBucket") }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "the function's role may not list the data bucket",
    request: (d) => ({ ...asRole(d), action: "s3:ListBucket", ...inBucket(d, "DataBucket") }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "the function's role may not grant others the data key, even through S3 (it only encrypts and decrypts)",
    request: (d) => ({ ...asRole(d), action: "kms:CreateGrant", ...dataKey(d), context: viaS3(d) }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "the function's role may not use the data key outside S3 (no kms:ViaService)",
    request: (d) => ({ ...asRole(d), action: "kms:GenerateDataKey", ...dataKey(d) }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "the function's role may not use another key of its account (whose policy lets IAM decide)",
    request: (d) => ({
      ...asRole(d),
      action: "kms:GenerateDataKey",
      ...otherKey(CONSUMER, d.region),
      context: viaS3(d),
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "Firehose's role may not write another bucket of the stack",
    request: (d) => ({ ...asFirehose(d), action: "s3:PutObject", ...inBucket(d, "QuarantineBucket", "quarantine/x") }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "Firehose's role may not write someone else's bucket",
    request: (d) => ({
      ...asFirehose(d),
      action: "s3:PutObject",
      resource: "arn:aws:s3:::someone-elses-bucket/x",
      resourceAccount: CONSUMER,
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "Firehose's role may not delete delivered objects",
    request: (d) => ({ ...asFirehose(d), action: "s3:DeleteObject", ...inBucket(d, "DataBucket", "data/x.gz") }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "Firehose's role may not change the data bucket's policy",
    request: (d) => ({ ...asFirehose(d), action: "s3:PutBucketPolicy", ...inBucket(d, "DataBucket") }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "Firehose's role may not list another bucket of the stack",
    request: (d) => ({ ...asFirehose(d), action: "s3:ListBucket", ...inBucket(d, "QuarantineBucket") }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "Firehose's role may not encrypt directly with the data key",
    request: (d) => ({ ...asFirehose(d), action: "kms:Encrypt", ...dataKey(d), context: viaS3(d) }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "Firehose's role may not decrypt with the data key outside S3 (no kms:ViaService)",
    request: (d) => ({ ...asFirehose(d), action: "kms:Decrypt", ...dataKey(d) }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "Firehose's role may not use another key of its account (whose policy lets IAM decide)",
    request: (d) => ({
      ...asFirehose(d),
      action: "kms:GenerateDataKey",
      ...otherKey(CONSUMER, d.region),
      context: viaS3(d),
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "Firehose's role may not write another log group's streams",
    request: (d) => ({
      ...asFirehose(d),
      action: "logs:PutLogEvents",
      resource: otherLogStream(d),
      resourceAccount: CONSUMER,
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "Firehose's role may not delete its own log stream",
    request: (d) => ({
      ...asFirehose(d),
      action: "logs:DeleteLogStream",
      resource: firehoseLogStream(d),
      resourceAccount: CONSUMER,
    }),
    expected: "ImplicitlyDenied",
  },
  ...(
    [
      ["DataBucket", "s3:PutObject", "data/x"],
      ["QuarantineBucket", "s3:PutObject", "data/x"],
      ["FailureBucket", "s3:PutObject", "data/x"],
    ] as const
  ).map(
    ([bucket, action, key]): AccessCase => ({
      name: `a request to ${bucket} without TLS is denied outright (Firehose's ${action})`,
      request: (d) => ({ ...asFirehose(d), action, ...inBucket(d, bucket, key), context: TLS_OFF }),
      expected: "ExplicitlyDenied",
    }),
  ),
  ...(
    [
      ["QuarantineBucket", "s3:PutObject", "quarantine/x"],
      ["QuarantineBucket", "s3:GetObject", "quarantine/x"],
      ["FailureBucket", "s3:ListBucket", undefined],
    ] as const
  ).map(
    ([bucket, action, key]): AccessCase => ({
      name: `a request to ${bucket} without TLS is denied outright (the function's role's ${action})`,
      request: (d) => ({ ...asRole(d), action, ...inBucket(d, bucket, key), context: TLS_OFF }),
      expected: "ExplicitlyDenied",
    }),
  ),
  {
    name: "CloudWatch may not publish to the alarm topic for another account's alarm",
    request: (d) => ({
      principal: "cloudwatch.amazonaws.com",
      action: "sns:Publish",
      resource: d.consumer.arnOf("AlarmTopic"),
      resourceAccount: CONSUMER,
      resourcePolicy: topicPolicy(d.consumer, "AlarmTopic"),
      context: {
        "aws:SourceAccount": PRODUCER,
        "aws:SourceArn": `arn:aws:cloudwatch:${d.region}:${PRODUCER}:alarm:consumer-IteratorAgeAlarm`,
      },
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "CloudWatch may not publish to the alarm topic for another stack's alarm",
    request: (d) => ({
      principal: "cloudwatch.amazonaws.com",
      action: "sns:Publish",
      resource: d.consumer.arnOf("AlarmTopic"),
      resourceAccount: CONSUMER,
      resourcePolicy: topicPolicy(d.consumer, "AlarmTopic"),
      context: { "aws:SourceAccount": CONSUMER, "aws:SourceArn": anotherStacksAlarm(d) },
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "CloudWatch may not publish to the alarm topic for no alarm at all",
    request: (d) => ({
      principal: "cloudwatch.amazonaws.com",
      action: "sns:Publish",
      resource: d.consumer.arnOf("AlarmTopic"),
      resourceAccount: CONSUMER,
      resourcePolicy: topicPolicy(d.consumer, "AlarmTopic"),
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "CloudWatch may not subscribe to the alarm topic, even for this stack's alarm",
    request: (d) => ({
      principal: "cloudwatch.amazonaws.com",
      action: "sns:Subscribe",
      resource: d.consumer.arnOf("AlarmTopic"),
      resourceAccount: CONSUMER,
      resourcePolicy: topicPolicy(d.consumer, "AlarmTopic"),
      context: alarmContext(d),
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "CloudWatch may not use the alarm key for another stack's alarm",
    request: (d) => {
      const key = topicKey(d.consumer, "AlarmTopic", CONSUMER, d.region);
      return {
        principal: "cloudwatch.amazonaws.com",
        action: "kms:GenerateDataKey",
        resource: key.arn,
        resourceAccount: CONSUMER,
        resourcePolicy: key.policy,
        context: { "aws:SourceAccount": CONSUMER, "aws:SourceArn": anotherStacksAlarm(d) },
      };
    },
    expected: "ImplicitlyDenied",
  },
  {
    name: "CloudWatch may not schedule the alarm key's deletion, even for this stack's alarm",
    request: (d) => {
      const key = topicKey(d.consumer, "AlarmTopic", CONSUMER, d.region);
      return {
        principal: "cloudwatch.amazonaws.com",
        action: "kms:ScheduleKeyDeletion",
        resource: key.arn,
        resourceAccount: CONSUMER,
        resourcePolicy: key.policy,
        context: alarmContext(d),
      };
    },
    expected: "ImplicitlyDenied",
  },
  {
    name: "CloudWatch Logs may not use the data key for another stack's log group",
    request: (d) => ({
      principal: `logs.${d.region}.amazonaws.com`,
      action: "kms:Encrypt",
      ...dataKey(d),
      context: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${d.region}:${CONSUMER}:log-group:payments-Logs` },
      // The simulator drops every kms:EncryptionContext:<key> (see above): denied for want of it.
      ignoredContext: ["kms:EncryptionContext:aws:logs:arn"],
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "CloudWatch Logs may not schedule the data key's deletion, even for this stack's log group",
    request: (d) => ({
      principal: `logs.${d.region}.amazonaws.com`,
      action: "kms:ScheduleKeyDeletion",
      ...dataKey(d),
      context: { "kms:EncryptionContext:aws:logs:arn": logGroupArn(d, "TelemetryConsumerLogGroup") },
      ignoredContext: ["kms:EncryptionContext:aws:logs:arn"],
    }),
    expected: "ImplicitlyDenied",
  },
  ...["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DeleteStream", "kinesis:AddTagsToStream"].map(
    (action): AccessCase => ({
      name: `a vehicle gateway with VehicleGatewayPolicy may not ${action}`,
      request: (d) => ({ ...asGateway(d), action, ...stream(d) }),
      expected: "ImplicitlyDenied",
    }),
  ),
  {
    name: "a vehicle gateway with VehicleGatewayPolicy may not write another stream of its account",
    request: (d) => ({
      ...asGateway(d),
      action: "kinesis:PutRecords",
      resource: `arn:aws:kinesis:${d.region}:${PRODUCER}:stream/payments`,
      resourceAccount: PRODUCER,
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "a vehicle gateway with VehicleGatewayPolicy may not decrypt with the stream key",
    request: (d) => ({ ...asGateway(d), action: "kms:Decrypt", ...streamKey(d), context: viaKinesis(d) }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "a vehicle gateway with VehicleGatewayPolicy may not use the stream key outside Kinesis (no kms:ViaService)",
    request: (d) => ({ ...asGateway(d), action: "kms:GenerateDataKey", ...streamKey(d) }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "a vehicle gateway with VehicleGatewayPolicy may not use another key of its account (whose policy lets IAM decide)",
    request: (d) => ({
      ...asGateway(d),
      action: "kms:GenerateDataKey",
      ...otherKey(PRODUCER, d.region),
      context: viaKinesis(d),
    }),
    expected: "ImplicitlyDenied",
  },
  ...(
    [
      [
        "firehose.amazonaws.com",
        { "sts:ExternalId": PRODUCER },
        "sts:AssumeRole",
        "with another account as external id",
      ],
      ["lambda.amazonaws.com", { "sts:ExternalId": CONSUMER }, "sts:AssumeRole", "(Lambda)"],
      ["firehose.amazonaws.com", { "sts:ExternalId": CONSUMER }, "sts:TagSession", "(tagging its session)"],
    ] as const
  ).map(
    ([principal, context, action, how]): AccessCase => ({
      name: `Firehose's role may not be assumed ${how}`,
      request: (d) => ({
        principal,
        action,
        resource: firehoseRole(d),
        resourceAccount: CONSUMER,
        resourcePolicy: props(d.consumer, "FirehoseDeliveryRole").AssumeRolePolicyDocument,
        context,
        // sts:ExternalId is AssumeRole's key only: any other STS action fails the trust condition.
        ...(action === "sts:AssumeRole" ? {} : { ignoredContext: ["sts:ExternalId"] }),
      }),
      expected: "ImplicitlyDenied",
    }),
  ),
  ...(
    [
      [{ "aws:SourceAccount": PRODUCER }, "sts:AssumeRole", "by Lambda acting for another account"],
      [{ "aws:SourceAccount": CONSUMER }, "sts:TagSession", "with a tagged session"],
    ] as const
  ).map(
    ([context, action, how]): AccessCase => ({
      name: `the function's role may not be assumed ${how}`,
      request: (d) => ({
        principal: "lambda.amazonaws.com",
        action,
        resource: role(d),
        resourceAccount: CONSUMER,
        resourcePolicy: props(d.consumer, "TelemetryConsumerRole").AssumeRolePolicyDocument,
        context,
      }),
      expected: "ImplicitlyDenied",
    }),
  ),
];

/**
 * Who each resource policy admits: nobody but the principals it names, even holding every
 * permission their own account could give them.
 */
const PRINCIPALS: AccessCase[] = [
  ...(
    [
      ["DataKey", "consumer", PRODUCER],
      ["AlarmKey", "consumer", PRODUCER],
      ["StreamKey", "producer", CONSUMER],
    ] as const
  ).map(
    ([key, stack, other]): AccessCase => ({
      name: `the other account's administrators may not use ${key} (its policy admits its own account only)`,
      request: (d) => {
        const t = stack === "consumer" ? d.consumer : d.producer;
        return {
          principal: admin(other),
          identityPolicies: [ADMINISTRATOR],
          action: "kms:Decrypt",
          resource: t.arnOf(key),
          resourceAccount: other === CONSUMER ? PRODUCER : CONSUMER,
          resourcePolicy: props(t, key).KeyPolicy,
        };
      },
      expected: "ImplicitlyDenied",
    }),
  ),
  ...["kms:GenerateDataKey", "kms:Decrypt"].map(
    (action): AccessCase => ({
      name: `another role of the consumer account, holding no policy, may not ${action} with the data key through S3 (its policy names the stack's roles)`,
      request: (d) => ({ principal: OTHER_ROLE, action, ...dataKey(d), context: viaS3(d) }),
      expected: "ImplicitlyDenied",
    }),
  ),
  {
    name: "another role of the consumer account, with the function's policies, may not decrypt the stream key through Kinesis",
    request: (d) => ({
      ...asRole(d),
      principal: OTHER_ROLE,
      action: "kms:Decrypt",
      ...streamKey(d),
      context: viaKinesis(d),
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "Firehose, acting for this account, may not assume the function's role",
    request: (d) => ({
      principal: "firehose.amazonaws.com",
      action: "sts:AssumeRole",
      resource: role(d),
      resourceAccount: CONSUMER,
      resourcePolicy: props(d.consumer, "TelemetryConsumerRole").AssumeRolePolicyDocument,
      context: { "aws:SourceAccount": CONSUMER },
    }),
    expected: "ImplicitlyDenied",
  },
];

/**
 * The analysts' access (issue 12): a role of the consumer account holding AnalystPolicy, under the
 * data, quarantine and results bucket policies and the data key's policy; TLS unless stated.
 */
const ANALYSTS: AccessCase[] = [
  ...(
    [
      ["athena:StartQueryExecution", (d: TwoAccounts) => analystWorkgroup(d), "the analysts' workgroup", "Allowed"],
      ["athena:GetQueryResults", (d: TwoAccounts) => analystWorkgroup(d), "the analysts' workgroup", "Allowed"],
      ["athena:ListWorkGroups", () => "*", "*", "Allowed"],
      [
        "athena:StartQueryExecution",
        (d: TwoAccounts) => workgroup(d, "primary"),
        "workgroup primary",
        "ImplicitlyDenied",
      ],
      [
        "athena:UpdateWorkGroup",
        (d: TwoAccounts) => analystWorkgroup(d),
        "the analysts' workgroup",
        "ImplicitlyDenied",
      ],
      [
        "glue:GetTable",
        (d: TwoAccounts) => glue(d, `table/${database(d)}/${tableName(d, "TelemetryRawTable")}`),
        "table telemetry_raw",
        "Allowed",
      ],
      [
        "glue:GetPartitions",
        (d: TwoAccounts) => glue(d, `table/${database(d)}/${tableName(d, "TelemetryRawTable")}`),
        "table telemetry_raw",
        "Allowed",
      ],
      [
        "glue:GetTable",
        (d: TwoAccounts) => glue(d, `table/${database(d)}/${tableName(d, "TelemetryView")}`),
        "view telemetry",
        "Allowed",
      ],
      [
        "glue:GetTable",
        (d: TwoAccounts) => glue(d, "table/other_db/secrets"),
        "table other_db/secrets",
        "ImplicitlyDenied",
      ],
      [
        "glue:CreateTable",
        (d: TwoAccounts) => glue(d, `database/${database(d)}`),
        "the telemetry database",
        "ImplicitlyDenied",
      ],
      [
        "glue:DeleteTable",
        (d: TwoAccounts) => glue(d, `table/${database(d)}/${tableName(d, "TelemetryRawTable")}`),
        "table telemetry_raw",
        "ImplicitlyDenied",
      ],
      [
        "firehose:PutRecordBatch",
        (d: TwoAccounts) => d.consumer.arnOf("TelemetryDeliveryStream"),
        "the delivery stream",
        "ImplicitlyDenied",
      ],
    ] as const
  ).map(
    ([action, resource, what, expected]): AccessCase => ({
      name: `an analyst ${expected === "Allowed" ? "may" : "may not"} ${action} on ${what}`,
      request: (d) => ({ ...asAnalyst(d), action, resource: resource(d), resourceAccount: CONSUMER }),
      expected,
    }),
  ),
  ...(
    [
      ["s3:GetObject", "DataBucket", "data/year=2026/month=11/day=22/hour=21/x.gz", {}, "Allowed"],
      ["s3:ListBucket", "DataBucket", undefined, { "s3:prefix": "data/year=2026/month=11/" }, "Allowed"],
      ["s3:GetBucketLocation", "DataBucket", undefined, {}, "Allowed"],
      ["s3:PutObject", "QueryResultsBucket", "results/q.csv", {}, "Allowed"],
      ["s3:GetObject", "QueryResultsBucket", "results/q.csv", {}, "Allowed"],
      ["s3:AbortMultipartUpload", "QueryResultsBucket", "results/q.csv", {}, "Allowed"],
      ["s3:ListMultipartUploadParts", "QueryResultsBucket", "results/q.csv", {}, "Allowed"],
      ["s3:ListBucket", "QueryResultsBucket", undefined, { "s3:prefix": "results/" }, "Allowed"],
      // No s3:prefix: S3 gives this action none (the simulator drops it, as AWS would).
      ["s3:ListBucketMultipartUploads", "QueryResultsBucket", undefined, {}, "Allowed"],
      ["s3:ListBucketMultipartUploads", "DataBucket", undefined, {}, "ImplicitlyDenied"],
      ["s3:GetBucketLocation", "QueryResultsBucket", undefined, {}, "Allowed"],
      ["s3:GetObject", "DataBucket", "data/year=2026/month=11/day=22/hour=21/x.gz", TLS_OFF, "ExplicitlyDenied"],
      ["s3:ListBucket", "DataBucket", undefined, { ...TLS_OFF, "s3:prefix": "data/" }, "ExplicitlyDenied"],
      ["s3:GetObject", "QueryResultsBucket", "results/q.csv", TLS_OFF, "ExplicitlyDenied"],
      ["s3:ListBucket", "QueryResultsBucket", undefined, { ...TLS_OFF, "s3:prefix": "results/" }, "ExplicitlyDenied"],
      ["s3:ListBucket", "DataBucket", undefined, { "s3:prefix": "errors/" }, "ImplicitlyDenied"],
      ["s3:ListBucketVersions", "DataBucket", undefined, { "s3:prefix": "data/" }, "ImplicitlyDenied"],
      ["s3:GetObject", "DataBucket", "errors/processing-failed/x", {}, "ImplicitlyDenied"],
      ["s3:PutObject", "DataBucket", "data/year=2026/x.gz", {}, "ImplicitlyDenied"],
      ["s3:DeleteObject", "DataBucket", "data/year=2026/x.gz", {}, "ImplicitlyDenied"],
      ["s3:PutBucketPolicy", "DataBucket", undefined, {}, "ImplicitlyDenied"],
      ["s3:GetObject", "QuarantineBucket", "quarantine/x", {}, "ImplicitlyDenied"],
      ["s3:ListBucket", "QuarantineBucket", undefined, { "s3:prefix": "quarantine/" }, "ImplicitlyDenied"],
      ["s3:ListBucket", "QuarantineBucket", undefined, { "s3:prefix": "data/" }, "ImplicitlyDenied"],
      ["s3:ListBucket", "QuarantineBucket", undefined, { "s3:prefix": "results/" }, "ImplicitlyDenied"],
      ["s3:GetBucketLocation", "QuarantineBucket", undefined, {}, "ImplicitlyDenied"],
      ["s3:PutObject", "QueryResultsBucket", "elsewhere/q.csv", {}, "ImplicitlyDenied"],
      ["s3:DeleteObject", "QueryResultsBucket", "results/q.csv", {}, "ImplicitlyDenied"],
      ["s3:ListBucket", "QueryResultsBucket", undefined, { "s3:prefix": "elsewhere/" }, "ImplicitlyDenied"],
      ["s3:ListBucketVersions", "QueryResultsBucket", undefined, { "s3:prefix": "results/" }, "ImplicitlyDenied"],
    ] as const
  ).map(
    ([action, bucket, key, context, expected]): AccessCase => ({
      name: `an analyst ${expected === "Allowed" ? "may" : "may not"} ${action} on ${bucket}${key === undefined ? "" : ` ${key}`}${
        Object.keys(context).length ? ` with ${JSON.stringify(context)}` : ""
      }`,
      request: (d) => ({ ...asAnalyst(d), action, ...inBucket(d, bucket, key), context }),
      expected,
    }),
  ),
  ...(
    [
      ["kms:Decrypt", true, "Allowed"],
      ["kms:GenerateDataKey", true, "Allowed"],
      ["kms:Decrypt", false, "ImplicitlyDenied"],
      ["kms:CreateGrant", true, "ImplicitlyDenied"],
    ] as const
  ).map(
    ([action, throughS3, expected]): AccessCase => ({
      name: `an analyst ${expected === "Allowed" ? "may" : "may not"} ${action} with the data key ${throughS3 ? "through S3" : "directly (no kms:ViaService)"}`,
      request: (d) => ({ ...asAnalyst(d), action, ...dataKey(d), context: throughS3 ? viaS3(d) : {} }),
      expected,
    }),
  ),
  {
    name: "an analyst may not decrypt with another key of the account (whose policy lets IAM decide)",
    request: (d) => ({ ...asAnalyst(d), action: "kms:Decrypt", ...otherKey(CONSUMER, d.region), context: viaS3(d) }),
    expected: "ImplicitlyDenied",
  },
];

/** The whole matrix: the paths the stacks exist for, their boundaries, who the resource policies admit, the analysts' access. */
export const ACCESS_CASES: readonly AccessCase[] = [...PATHS, ...BOUNDARIES, ...PRINCIPALS, ...ANALYSTS];
