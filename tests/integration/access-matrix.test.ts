/**
 * The IAM access matrix of the two stacks, evaluated instead of trusted: both SAM templates as the
 * SAM translator makes them (scripts/check-templates.sh writes .tmp/cfn), resolved for one two-account
 * deployment, and every policy that applies (each role's identity policies, the AWS managed ones
 * taken from its ManagedPolicyArns; the stream's and the topic's resource policies, key policies,
 * bucket policies, trust policies) evaluated with the IAM simulator @cloud-copilot/iam-simulate
 * (AGPL-3.0, used by tests only).
 *
 * Every service-to-service path is proved both ways: allowed as deployed, and denied once the grant
 * that allows it is taken out of the template (a mutation of the translated template, in memory).
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { beforeAll, describe, expect, it } from "vitest";
import {
  awsManagedKeyPolicy,
  awsManagedPolicy,
  UnknownManagedPolicyError,
} from "../../tools/templates/aws-policies.ts";
import { type ResolvedTemplate, resolveTemplate, type Template } from "../../tools/templates/cfn-resolve.ts";
import {
  CONSUMER_ACCOUNT as CONSUMER,
  deployBoth,
  loadTranslated,
  PRODUCER_ACCOUNT as PRODUCER,
  REGION,
  type TwoAccountOptions,
  type TwoAccounts,
} from "../../tools/templates/two-accounts.ts";

const OTHER_ROLE = `arn:aws:iam::${CONSUMER}:role/some-other-function`;

let deployed: TwoAccounts;
let producer: ResolvedTemplate;
let consumer: ResolvedTemplate;

beforeAll(() => {
  deployed = deployBoth();
  ({ producer, consumer } = deployed);
});

const props = (t: ResolvedTemplate, id: string) => {
  const resource = t.resources[id];
  if (!resource) throw new Error(`no resource ${id}`);
  return resource.properties;
};

/**
 * Every identity policy a role of the template holds: the managed policies its ManagedPolicyArns
 * name (AWS managed ones from their fixture documents; an unknown ARN throws), and the inline and
 * customer managed policies of the template attached to it.
 */
function identityPolicies(t: ResolvedTemplate, roleId: string) {
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
  const attached = Object.entries(t.resources)
    .filter(
      ([, r]) =>
        (r.type === "AWS::IAM::Policy" || r.type === "AWS::IAM::ManagedPolicy") &&
        ((r.properties.Roles as string[] | undefined) ?? []).includes(roleName),
    )
    .map(([id, r]) => ({ name: id, policy: r.properties.PolicyDocument }));
  return [...managed, ...attached];
}

/** The key that encrypts a topic, and its policy: one of the template's keys, or an AWS managed one. */
function topicKey(t: ResolvedTemplate, topicId: string, accountId: string, region: string) {
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
function topicPolicy(t: ResolvedTemplate, topicId: string): unknown {
  const arn = t.arnOf(topicId);
  return Object.values(t.resources).find(
    (r) => r.type === "AWS::SNS::TopicPolicy" && (r.properties.Topics as string[]).includes(arn),
  )?.properties.PolicyDocument;
}

interface Ask {
  principal: string;
  action: string;
  resource: string;
  resourceAccount: string;
  identityPolicies?: { name: string; policy: unknown }[];
  resourcePolicy?: unknown;
  context?: Record<string, string>;
}

async function decide(ask: Ask): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal: ask.principal,
        action: ask.action,
        resource: { resource: ask.resource, accountId: ask.resourceAccount },
        contextVariables: { "aws:SecureTransport": "true", ...ask.context },
      },
      identityPolicies: ask.identityPolicies ?? [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: ask.resourcePolicy,
    },
    {},
  );
  if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

// ---- Mutations of the raw (translated) templates ----

type Mutation = Pick<TwoAccountOptions, "mutateConsumer" | "mutateProducer">;

const statementsOf = (template: Template, resourceId: string, documentProperty: string): unknown[] => {
  const document = template.Resources[resourceId]?.Properties?.[documentProperty] as { Statement: unknown[] };
  if (!document) throw new Error(`no ${resourceId}.${documentProperty} to mutate`);
  return document.Statement;
};

/** Whether a raw statement (possibly inside Fn::If) carries a Sid. */
const hasSid = (statement: unknown, sid: string): boolean => JSON.stringify(statement).includes(`"Sid":"${sid}"`);

/** Takes the statement with this Sid out of a policy document of the raw template; throws if none. */
function dropStatement(template: Template, resourceId: string, documentProperty: string, sid: string): void {
  const statements = statementsOf(template, resourceId, documentProperty);
  const index = statements.findIndex((s) => hasSid(s, sid));
  if (index < 0) throw new Error(`${resourceId} has no statement ${sid}`);
  statements.splice(index, 1);
}

/** Replaces a property of the named statement (top-level statements only). */
function editStatement(
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
const roleProperties = (template: Template) =>
  template.Resources.TelemetryConsumerRole?.Properties as unknown as { ManagedPolicyArns: unknown[] };

const dropManagedPolicy = (name: string) => (template: Template) => {
  const role = roleProperties(template);
  const before = role.ManagedPolicyArns.length;
  role.ManagedPolicyArns = role.ManagedPolicyArns.filter((arn) => !JSON.stringify(arn).includes(name));
  if (role.ManagedPolicyArns.length === before) throw new Error(`the role has no managed policy ${name}`);
};

// ---- The service-to-service paths ----

interface Path {
  readonly name: string;
  readonly options?: Pick<TwoAccountOptions, "enhancedFanOut">;
  readonly ask: (d: TwoAccounts) => Ask;
  /** Each takes out what allows the path; the path must then be denied. */
  readonly breaks: readonly { readonly name: string; readonly mutation: Mutation }[];
}

const alarmArn = (d: TwoAccounts, alarmId = "IteratorAgeAlarm") => d.consumer.arnOf(alarmId);
const alarmContext = (d: TwoAccounts) => ({
  "aws:SourceAccount": CONSUMER,
  "aws:SourceArn": alarmArn(d),
});
const role = (d: TwoAccounts) => d.consumer.arnOf("TelemetryConsumerRole");
const firehoseRole = (d: TwoAccounts) => d.consumer.arnOf("FirehoseDeliveryRole");
const gateway = `arn:aws:iam::${PRODUCER}:role/vehicle-gateway`;
const gatewayPolicy = (d: TwoAccounts) => [
  { name: "VehicleGatewayPolicy", policy: props(d.producer, "VehicleGatewayPolicy").PolicyDocument },
];
const streamAsk = (d: TwoAccounts) => ({
  resource: d.producer.arnOf("TelemetryStream"),
  resourceAccount: PRODUCER,
  resourcePolicy: props(d.producer, "TelemetryStreamPolicy").ResourcePolicy,
});
/** A log stream of the function's own group, named the way Lambda names them. */
const ownLogStream = (d: TwoAccounts) =>
  `arn:aws:logs:${d.region}:${CONSUMER}:log-group:${String(
    (props(d.consumer, "TelemetryConsumerFunction").LoggingConfig as { LogGroup: string }).LogGroup,
  )}:log-stream:2026/11/22/[$LATEST]0123456789abcdef`;

const paths: Path[] = [
  {
    name: "CloudWatch alarms of this stack publish to the alarm topic",
    ask: (d) => ({
      principal: "cloudwatch.amazonaws.com",
      action: "sns:Publish",
      resource: d.consumer.arnOf("AlarmTopic"),
      resourceAccount: CONSUMER,
      resourcePolicy: topicPolicy(d.consumer, "AlarmTopic"),
      context: alarmContext(d),
    }),
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
    (action): Path => ({
      name: `CloudWatch alarms of this stack may ${action} with the alarm topic's key (to publish to it)`,
      ask: (d) => {
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
    ask: (d) => {
      const logging = (
        props(d.consumer, "TelemetryDeliveryStream").ExtendedS3DestinationConfiguration as {
          CloudWatchLoggingOptions: { LogGroupName: string; LogStreamName: string };
        }
      ).CloudWatchLoggingOptions;
      return {
        principal: firehoseRole(d),
        action: "logs:PutLogEvents",
        resource: `arn:aws:logs:${d.region}:${CONSUMER}:log-group:${logging.LogGroupName}:log-stream:${logging.LogStreamName}`,
        resourceAccount: CONSUMER,
        identityPolicies: identityPolicies(d.consumer, "FirehoseDeliveryRole"),
      };
    },
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
  {
    name: "Firehose writes the data bucket's data/ prefix",
    ask: (d) => ({
      principal: firehoseRole(d),
      action: "s3:PutObject",
      resource: `${d.consumer.arnOf("DataBucket")}/data/year=2026/month=11/day=22/hour=21/part-1.gz`,
      resourceAccount: CONSUMER,
      identityPolicies: identityPolicies(d.consumer, "FirehoseDeliveryRole"),
      resourcePolicy: props(d.consumer, "DataBucketPolicy").PolicyDocument,
    }),
    breaks: [
      {
        name: "Firehose's policy loses WriteDataAndErrorPrefixes",
        mutation: {
          mutateConsumer: (t) =>
            dropStatement(t, "FirehoseDeliveryPolicy", "PolicyDocument", "WriteDataAndErrorPrefixes"),
        },
      },
    ],
  },
  ...["kms:GenerateDataKey", "kms:Decrypt"].map(
    (action): Path => ({
      name: `Firehose may ${action} with the data key through S3`,
      ask: (d) => ({
        principal: firehoseRole(d),
        action,
        resource: d.consumer.arnOf("DataKey"),
        resourceAccount: CONSUMER,
        identityPolicies: identityPolicies(d.consumer, "FirehoseDeliveryRole"),
        resourcePolicy: props(d.consumer, "DataKey").KeyPolicy,
        context: { "kms:ViaService": `s3.${d.region}.amazonaws.com` },
      }),
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
    ask: (d) => ({
      principal: role(d),
      action: "s3:PutObject",
      resource: `${d.consumer.arnOf("FailureBucket")}/aws/lambda/esm-uuid/shardId-000000000000/2026/11/22/21/x`,
      resourceAccount: CONSUMER,
      identityPolicies: identityPolicies(d.consumer, "TelemetryConsumerRole"),
      resourcePolicy: props(d.consumer, "FailureBucketPolicy").PolicyDocument,
    }),
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
    name: "the trigger encrypts the on-failure record with the data key through S3",
    ask: (d) => ({
      principal: role(d),
      action: "kms:GenerateDataKey",
      resource: d.consumer.arnOf("DataKey"),
      resourceAccount: CONSUMER,
      identityPolicies: identityPolicies(d.consumer, "TelemetryConsumerRole"),
      resourcePolicy: props(d.consumer, "DataKey").KeyPolicy,
      context: { "kms:ViaService": `s3.${d.region}.amazonaws.com` },
    }),
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
  ...[
    "kinesis:DescribeStream",
    "kinesis:DescribeStreamSummary",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:ListShards",
  ].map(
    (action): Path => ({
      name: `the function's role may ${action} on the producer's stream, across accounts`,
      ask: (d) => ({
        principal: role(d),
        action,
        identityPolicies: identityPolicies(d.consumer, "TelemetryConsumerRole"),
        ...streamAsk(d),
      }),
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
    (action): Path => ({
      name: `with enhanced fan-out, the function's role may ${action} on the producer's stream consumer`,
      options: { enhancedFanOut: true },
      ask: (d) => ({
        principal: role(d),
        action,
        resource: String(props(d.producer, "TelemetryStreamConsumerPolicy").ResourceArn),
        resourceAccount: PRODUCER,
        identityPolicies: identityPolicies(d.consumer, "TelemetryConsumerRole"),
        resourcePolicy: props(d.producer, "TelemetryStreamConsumerPolicy").ResourcePolicy,
      }),
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
    ask: (d) => ({
      principal: role(d),
      action: "kms:Decrypt",
      resource: d.producer.arnOf("StreamKey"),
      resourceAccount: PRODUCER,
      identityPolicies: identityPolicies(d.consumer, "TelemetryConsumerRole"),
      resourcePolicy: props(d.producer, "StreamKey").KeyPolicy,
      context: { "kms:ViaService": `kinesis.${d.region}.amazonaws.com` },
    }),
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
  {
    name: "the function writes its own log group",
    ask: (d) => ({
      principal: role(d),
      action: "logs:PutLogEvents",
      resource: ownLogStream(d),
      resourceAccount: CONSUMER,
      identityPolicies: identityPolicies(d.consumer, "TelemetryConsumerRole"),
    }),
    breaks: [
      {
        name: "the role no longer attaches AWSLambdaKinesisExecutionRole",
        mutation: { mutateConsumer: dropManagedPolicy("AWSLambdaKinesisExecutionRole") },
      },
    ],
  },
  ...["kinesis:PutRecord", "kinesis:PutRecords", "kinesis:ListShards", "kinesis:DescribeStreamSummary"].map(
    (action): Path => ({
      name: `a vehicle gateway with VehicleGatewayPolicy may ${action} on the stream`,
      ask: (d) => ({
        principal: gateway,
        action,
        resource: d.producer.arnOf("TelemetryStream"),
        resourceAccount: PRODUCER,
        identityPolicies: gatewayPolicy(d),
        resourcePolicy: props(d.producer, "TelemetryStreamPolicy").ResourcePolicy,
      }),
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
    ask: (d) => ({
      principal: gateway,
      action: "kms:GenerateDataKey",
      resource: d.producer.arnOf("StreamKey"),
      resourceAccount: PRODUCER,
      identityPolicies: gatewayPolicy(d),
      resourcePolicy: props(d.producer, "StreamKey").KeyPolicy,
      context: { "kms:ViaService": `kinesis.${d.region}.amazonaws.com` },
    }),
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
];

describe("IAM access matrix: service-to-service paths", () => {
  describe.each(paths)("$name", (path) => {
    it("is allowed as deployed", async () => {
      expect(await decide(path.ask(deployBoth(path.options)))).toBe("Allowed");
    });

    it.each(path.breaks)("is denied when $name", async ({ mutation }) => {
      expect(await decide(path.ask(deployBoth({ ...path.options, ...mutation })))).not.toBe("Allowed");
    });
  });
});

describe("IAM access matrix: what stays denied", () => {
  const roleIdentity = () => identityPolicies(consumer, "TelemetryConsumerRole");

  it.each(["kinesis:PutRecords", "kinesis:PutRecord", "kinesis:DeleteStream"])(
    "the function's role may not %s on the producer's stream",
    async (action) => {
      expect(
        await decide({ principal: role(deployed), action, identityPolicies: roleIdentity(), ...streamAsk(deployed) }),
      ).not.toBe("Allowed");
    },
  );

  it("another role of the consumer account, with the same policies, may not read the stream", async () => {
    expect(
      await decide({
        principal: OTHER_ROLE,
        action: "kinesis:GetRecords",
        identityPolicies: roleIdentity(),
        ...streamAsk(deployed),
      }),
    ).not.toBe("Allowed");
  });

  it.each([
    ["kinesis:GetRecords", "payments"],
    ["kinesis:GetShardIterator", "payments"],
    ["kinesis:DescribeStream", "payments"],
    ["kinesis:ListShards", "payments"],
    ["kinesis:SubscribeToShard", "payments/consumer/audit:1700000000"],
  ])(
    "the function's role may not %s on another stream of its own account (the managed policy's * is denied)",
    async (action, stream) => {
      const decision = await decide({
        principal: role(deployed),
        action,
        resource: `arn:aws:kinesis:${REGION}:${CONSUMER}:stream/${stream}`,
        resourceAccount: CONSUMER,
        identityPolicies: roleIdentity(),
      });
      expect(decision).toBe("ExplicitlyDenied");
    },
  );

  it("the function's role may not list the account's streams", async () => {
    const decision = await decide({
      principal: role(deployed),
      action: "kinesis:ListStreams",
      resource: "*",
      resourceAccount: CONSUMER,
      identityPolicies: roleIdentity(),
    });
    expect(decision).toBe("ExplicitlyDenied");
  });

  it("before the producer's stream exists (step 1), the function's role may read no stream at all", async () => {
    const step1 = resolveTemplate(loadTranslated("consumer"), {
      accountId: CONSUMER,
      region: REGION,
      stackName: "consumer",
      parameters: {},
    });
    expect(step1.resources.TelemetryStreamTrigger).toBeUndefined();
    const decision = await decide({
      principal: step1.arnOf("TelemetryConsumerRole"),
      action: "kinesis:GetRecords",
      resource: `arn:aws:kinesis:${REGION}:${CONSUMER}:stream/payments`,
      resourceAccount: CONSUMER,
      identityPolicies: identityPolicies(step1, "TelemetryConsumerRole"),
    });
    expect(decision).toBe("ExplicitlyDenied");
  });

  it.each(["logs:PutLogEvents", "logs:CreateLogStream"])(
    "the function's role may not %s in another log group (the managed policy's * is denied)",
    async (action) => {
      const decision = await decide({
        principal: role(deployed),
        action,
        resource: `arn:aws:logs:${REGION}:${CONSUMER}:log-group:/aws/lambda/payments:log-stream:x`,
        resourceAccount: CONSUMER,
        identityPolicies: roleIdentity(),
      });
      expect(decision).toBe("ExplicitlyDenied");
    },
  );

  it("the function's role may not create log groups", async () => {
    const decision = await decide({
      principal: role(deployed),
      action: "logs:CreateLogGroup",
      resource: `arn:aws:logs:${REGION}:${CONSUMER}:log-group:/aws/lambda/anything`,
      resourceAccount: CONSUMER,
      identityPolicies: roleIdentity(),
    });
    expect(decision).toBe("ExplicitlyDenied");
  });

  it("the function's role may decrypt the stream's key through Kinesis only", async () => {
    const key = {
      principal: role(deployed),
      action: "kms:Decrypt",
      resource: producer.arnOf("StreamKey"),
      resourceAccount: PRODUCER,
      identityPolicies: roleIdentity(),
      resourcePolicy: props(producer, "StreamKey").KeyPolicy,
    };
    expect(await decide({ ...key, context: { "kms:ViaService": `s3.${REGION}.amazonaws.com` } })).not.toBe("Allowed");
    expect(await decide(key)).not.toBe("Allowed");
  });

  it("the function's role may put to this stack's delivery stream and to no other", async () => {
    const ask = {
      principal: role(deployed),
      action: "firehose:PutRecordBatch",
      resourceAccount: CONSUMER,
      identityPolicies: roleIdentity(),
    };
    expect(await decide({ ...ask, resource: consumer.arnOf("TelemetryDeliveryStream") })).toBe("Allowed");
    expect(
      await decide({ ...ask, resource: `arn:aws:firehose:${REGION}:${CONSUMER}:deliverystream/another-stream` }),
    ).not.toBe("Allowed");
    expect(
      await decide({
        ...ask,
        action: "firehose:DeleteDeliveryStream",
        resource: consumer.arnOf("TelemetryDeliveryStream"),
      }),
    ).not.toBe("Allowed");
  });

  it("the function's role may write under the quarantine prefix only", async () => {
    const quarantine = consumer.arnOf("QuarantineBucket");
    const ask = {
      principal: role(deployed),
      action: "s3:PutObject",
      resourceAccount: CONSUMER,
      identityPolicies: roleIdentity(),
      resourcePolicy: props(consumer, "QuarantineBucketPolicy").PolicyDocument,
    };
    expect(await decide({ ...ask, resource: `${quarantine}/quarantine/2026/11/21/x.ndjson` })).toBe("Allowed");
    expect(await decide({ ...ask, resource: `${quarantine}/elsewhere/x.ndjson` })).not.toBe("Allowed");
    expect(
      await decide({
        ...ask,
        resource: `${consumer.arnOf("DataBucket")}/data/x`,
        resourcePolicy: props(consumer, "DataBucketPolicy").PolicyDocument,
      }),
    ).not.toBe("Allowed");
  });

  it("the consumer role may finish a multipart quarantine upload: abort under the prefix, use the data key through S3 only", async () => {
    const quarantine = consumer.arnOf("QuarantineBucket");
    const abort = {
      principal: role(deployed),
      action: "s3:AbortMultipartUpload",
      resourceAccount: CONSUMER,
      identityPolicies: roleIdentity(),
      resourcePolicy: props(consumer, "QuarantineBucketPolicy").PolicyDocument,
    };
    expect(await decide({ ...abort, resource: `${quarantine}/quarantine/2026/11/21/x.ndjson` })).toBe("Allowed");
    expect(await decide({ ...abort, resource: `${quarantine}/elsewhere/x.ndjson` })).not.toBe("Allowed");
    for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
      const key = {
        principal: role(deployed),
        action,
        resource: consumer.arnOf("DataKey"),
        resourceAccount: CONSUMER,
        identityPolicies: roleIdentity(),
        resourcePolicy: props(consumer, "DataKey").KeyPolicy,
      };
      expect(await decide({ ...key, context: { "kms:ViaService": `s3.${REGION}.amazonaws.com` } })).toBe("Allowed");
      expect(await decide(key)).not.toBe("Allowed");
    }
  });
  const firehoseWrite = () => ({
    principal: firehoseRole(deployed),
    action: "s3:PutObject",
    resourceAccount: CONSUMER,
    identityPolicies: identityPolicies(consumer, "FirehoseDeliveryRole"),
    resourcePolicy: props(consumer, "DataBucketPolicy").PolicyDocument,
  });

  it("Firehose's role may not write another bucket", async () => {
    expect(
      await decide({
        ...firehoseWrite(),
        resource: `${consumer.arnOf("QuarantineBucket")}/quarantine/x`,
        resourcePolicy: undefined,
      }),
    ).not.toBe("Allowed");
    expect(
      await decide({ ...firehoseWrite(), resource: "arn:aws:s3:::someone-elses-bucket/x", resourcePolicy: undefined }),
    ).not.toBe("Allowed");
  });

  it("Firehose's role may not write another log group's streams", async () => {
    const decision = await decide({
      principal: firehoseRole(deployed),
      action: "logs:PutLogEvents",
      resource: `arn:aws:logs:${REGION}:${CONSUMER}:log-group:/aws/lambda/payments:log-stream:x`,
      resourceAccount: CONSUMER,
      identityPolicies: identityPolicies(consumer, "FirehoseDeliveryRole"),
    });
    expect(decision).not.toBe("Allowed");
  });

  it.each(["DataBucket", "QuarantineBucket", "FailureBucket"])(
    "a request to %s without TLS is denied outright",
    async (bucket) => {
      const decision = await decide({
        ...firehoseWrite(),
        resource: `${consumer.arnOf(bucket)}/data/x`,
        resourcePolicy: props(consumer, `${bucket}Policy`).PolicyDocument,
        context: { "aws:SecureTransport": "false" },
      });
      expect(decision).toBe("ExplicitlyDenied");
    },
  );

  it("CloudWatch may not publish to the alarm topic for another account's or another stack's alarm", async () => {
    const ask = {
      principal: "cloudwatch.amazonaws.com",
      action: "sns:Publish",
      resource: consumer.arnOf("AlarmTopic"),
      resourceAccount: CONSUMER,
      resourcePolicy: topicPolicy(consumer, "AlarmTopic"),
    };
    const otherAccount = `arn:aws:cloudwatch:${REGION}:${PRODUCER}:alarm:consumer-IteratorAgeAlarm`;
    const otherStack = `arn:aws:cloudwatch:${REGION}:${CONSUMER}:alarm:payments-ErrorsAlarm`;
    expect(
      await decide({ ...ask, context: { "aws:SourceAccount": PRODUCER, "aws:SourceArn": otherAccount } }),
    ).not.toBe("Allowed");
    expect(await decide({ ...ask, context: { "aws:SourceAccount": CONSUMER, "aws:SourceArn": otherStack } })).not.toBe(
      "Allowed",
    );
    expect(await decide(ask)).not.toBe("Allowed");
  });

  it("CloudWatch may not use the alarm key for another stack's alarm", async () => {
    const key = topicKey(consumer, "AlarmTopic", CONSUMER, REGION);
    const decision = await decide({
      principal: "cloudwatch.amazonaws.com",
      action: "kms:GenerateDataKey",
      resource: key.arn,
      resourceAccount: CONSUMER,
      resourcePolicy: key.policy,
      context: {
        "aws:SourceAccount": CONSUMER,
        "aws:SourceArn": `arn:aws:cloudwatch:${REGION}:${CONSUMER}:alarm:payments-ErrorsAlarm`,
      },
    });
    expect(decision).not.toBe("Allowed");
  });

  it.each(["kinesis:GetRecords", "kinesis:DeleteStream", "kinesis:AddTagsToStream"])(
    "a vehicle gateway with VehicleGatewayPolicy may not %s",
    async (action) => {
      const decision = await decide({
        principal: gateway,
        action,
        resource: producer.arnOf("TelemetryStream"),
        resourceAccount: PRODUCER,
        identityPolicies: gatewayPolicy(deployed),
        resourcePolicy: props(producer, "TelemetryStreamPolicy").ResourcePolicy,
      });
      expect(decision).not.toBe("Allowed");
    },
  );

  it("a vehicle gateway with VehicleGatewayPolicy may not decrypt with the stream key", async () => {
    const decision = await decide({
      principal: gateway,
      action: "kms:Decrypt",
      resource: producer.arnOf("StreamKey"),
      resourceAccount: PRODUCER,
      identityPolicies: gatewayPolicy(deployed),
      resourcePolicy: props(producer, "StreamKey").KeyPolicy,
      context: { "kms:ViaService": `kinesis.${REGION}.amazonaws.com` },
    });
    expect(decision).not.toBe("Allowed");
  });

  it("Firehose's role admits only Firehose acting for this account", async () => {
    const trust = {
      action: "sts:AssumeRole",
      resource: firehoseRole(deployed),
      resourceAccount: CONSUMER,
      resourcePolicy: props(consumer, "FirehoseDeliveryRole").AssumeRolePolicyDocument,
    };
    expect(
      await decide({ ...trust, principal: "firehose.amazonaws.com", context: { "sts:ExternalId": CONSUMER } }),
    ).toBe("Allowed");
    expect(
      await decide({ ...trust, principal: "firehose.amazonaws.com", context: { "sts:ExternalId": PRODUCER } }),
    ).not.toBe("Allowed");
    expect(
      await decide({ ...trust, principal: "lambda.amazonaws.com", context: { "sts:ExternalId": CONSUMER } }),
    ).not.toBe("Allowed");
  });

  it("with enhanced fan-out, the trigger reads through the registered stream consumer, and no other role may", async () => {
    const efo = deployBoth({ enhancedFanOut: true });
    const consumerArn = String(props(efo.producer, "TelemetryStreamConsumerPolicy").ResourceArn);
    expect(consumerArn).toMatch(/:stream\/producer-TelemetryStream\/consumer\/.+:\d+$/);
    expect(props(efo.consumer, "TelemetryStreamTrigger").EventSourceArn).toBe(consumerArn);
    for (const action of ["kinesis:SubscribeToShard", "kinesis:DescribeStreamConsumer"]) {
      const decision = await decide({
        principal: OTHER_ROLE,
        action,
        resource: consumerArn,
        resourceAccount: PRODUCER,
        identityPolicies: identityPolicies(efo.consumer, "TelemetryConsumerRole"),
        resourcePolicy: props(efo.producer, "TelemetryStreamConsumerPolicy").ResourcePolicy,
      });
      expect(decision).not.toBe("Allowed");
    }
  });

  it("the function's role admits only Lambda acting for this account", async () => {
    const trust = {
      action: "sts:AssumeRole",
      resource: role(deployed),
      resourceAccount: CONSUMER,
      resourcePolicy: props(consumer, "TelemetryConsumerRole").AssumeRolePolicyDocument,
    };
    expect(
      await decide({ ...trust, principal: "lambda.amazonaws.com", context: { "aws:SourceAccount": CONSUMER } }),
    ).toBe("Allowed");
    expect(
      await decide({ ...trust, principal: "lambda.amazonaws.com", context: { "aws:SourceAccount": PRODUCER } }),
    ).not.toBe("Allowed");
  });
});

describe("IAM access matrix: managed policies come from the template", () => {
  it("a role's AWS managed policies are the ones its ManagedPolicyArns name, and no others", () => {
    const names = identityPolicies(consumer, "TelemetryConsumerRole").map((p) => p.name);
    expect(names).toEqual([
      "arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole",
      "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
      "TelemetryConsumerPolicy",
    ]);
    const without = deployBoth({ mutateConsumer: dropManagedPolicy("AWSLambdaKinesisExecutionRole") }).consumer;
    expect(identityPolicies(without, "TelemetryConsumerRole").map((p) => p.name)).not.toContain(
      "arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole",
    );
  });

  it("a managed policy ARN without a fixture document fails loudly", () => {
    const unknown = deployBoth({
      mutateConsumer: (t) => {
        roleProperties(t).ManagedPolicyArns.push("arn:aws:iam::aws:policy/AdministratorAccess");
      },
    }).consumer;
    expect(() => identityPolicies(unknown, "TelemetryConsumerRole")).toThrow(UnknownManagedPolicyError);
  });
});
