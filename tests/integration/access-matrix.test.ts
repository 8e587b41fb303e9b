/**
 * The IAM access matrix of the two stacks, evaluated instead of trusted: both SAM templates as the
 * SAM translator makes them (scripts/check-templates.sh writes .tmp/cfn), resolved for one two-account
 * deployment, and every policy that applies (identity policies with the managed Kinesis execution
 * policy's document, the stream's resource policy, key policies, bucket policies, trust policies)
 * evaluated with the IAM simulator @cloud-copilot/iam-simulate (AGPL-3.0, used by tests only).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { beforeAll, describe, expect, it } from "vitest";
import { type ResolvedTemplate, resolveTemplate } from "../../tools/templates/cfn-resolve.ts";

const CONSUMER = "222222222222";
const PRODUCER = "111111111111";
const REGION = "eu-west-1";
const CFN = join(import.meta.dirname, "..", "..", ".tmp", "cfn");

/** AWSLambdaKinesisExecutionRole, policy version v2 (AWS managed policy reference, edited 2018-11-19). */
const AWS_LAMBDA_KINESIS_EXECUTION_ROLE = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: [
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:ListShards",
        "kinesis:ListStreams",
        "kinesis:SubscribeToShard",
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
      ],
      Resource: "*",
    },
  ],
};

let consumer: ResolvedTemplate;
let producer: ResolvedTemplate;

function load(name: string): never {
  const path = join(CFN, `${name}.json`);
  if (!existsSync(path))
    throw new Error(`${path} is missing: run scripts/check-templates.sh (it translates the templates)`);
  return JSON.parse(readFileSync(path, "utf8")) as never;
}

/**
 * Both stacks resolved as the three deploy steps leave them: the consumer's role ARN feeds the
 * producer stack, whose stream, key and (with enhanced fan-out) stream consumer feed the consumer's.
 */
function deployBoth(options: { enhancedFanOut: boolean }): { producer: ResolvedTemplate; consumer: ResolvedTemplate } {
  const producerRaw = load("producer");
  const consumerRaw = load("consumer");
  const at = (accountId: string, stackName: string, parameters: Record<string, string>) => ({
    accountId,
    region: REGION,
    stackName,
    parameters,
  });
  const bootstrap = resolveTemplate(consumerRaw, at(CONSUMER, "consumer", {}));
  const producer = resolveTemplate(
    producerRaw,
    at(PRODUCER, "producer", {
      ConsumerRoleArn: bootstrap.arnOf("TelemetryConsumerRole"),
      EnhancedFanOut: String(options.enhancedFanOut),
    }),
  );
  const streamConsumerArn = producer.resources.TelemetryStreamConsumerPolicy?.properties.ResourceArn;
  const consumer = resolveTemplate(
    consumerRaw,
    at(CONSUMER, "consumer", {
      ProducerStreamArn: producer.arnOf("TelemetryStream"),
      ProducerStreamKeyArn: producer.arnOf("StreamKey"),
      ...(typeof streamConsumerArn === "string" ? { ProducerStreamConsumerArn: streamConsumerArn } : {}),
      TriggerEnabled: "true",
    }),
  );
  return { producer, consumer };
}

beforeAll(() => {
  ({ producer, consumer } = deployBoth({ enhancedFanOut: false }));
});

const props = (t: ResolvedTemplate, id: string) => {
  const resource = t.resources[id];
  if (!resource) throw new Error(`no resource ${id}`);
  return resource.properties;
};

/** The inline policies (AWS::IAM::Policy) attached to a role of the consumer stack. */
function inlinePolicies(t: ResolvedTemplate, roleId: string) {
  const roleName = t.arnOf(roleId).split("/").pop();
  return Object.entries(t.resources)
    .filter(([, r]) => r.type === "AWS::IAM::Policy" && (r.properties.Roles as string[]).includes(roleName as string))
    .map(([id, r]) => ({ name: id, policy: r.properties.PolicyDocument }));
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

describe("IAM access matrix", () => {
  const role = () => consumer.arnOf("TelemetryConsumerRole");
  const roleIdentity = () => [
    { name: "AWSLambdaKinesisExecutionRole", policy: AWS_LAMBDA_KINESIS_EXECUTION_ROLE },
    ...inlinePolicies(consumer, "TelemetryConsumerRole"),
  ];
  const stream = () => ({
    resource: producer.arnOf("TelemetryStream"),
    resourceAccount: PRODUCER,
    resourcePolicy: props(producer, "TelemetryStreamPolicy").ResourcePolicy,
  });

  it.each([
    "kinesis:DescribeStream",
    "kinesis:DescribeStreamSummary",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:ListShards",
  ])("the consumer role may %s on the producer's stream, across accounts", async (action) => {
    expect(await decide({ principal: role(), action, identityPolicies: roleIdentity(), ...stream() })).toBe("Allowed");
  });

  it.each(["kinesis:PutRecords", "kinesis:PutRecord", "kinesis:DeleteStream"])(
    "the consumer role may not %s on the stream",
    async (action) => {
      expect(await decide({ principal: role(), action, identityPolicies: roleIdentity(), ...stream() })).not.toBe(
        "Allowed",
      );
    },
  );

  it("another role of the consumer account, with the same policies, may not read the stream", async () => {
    const other = `arn:aws:iam::${CONSUMER}:role/some-other-function`;
    expect(
      await decide({ principal: other, action: "kinesis:GetRecords", identityPolicies: roleIdentity(), ...stream() }),
    ).not.toBe("Allowed");
  });

  it("the consumer role may decrypt the stream's key through Kinesis only", async () => {
    const key = {
      principal: role(),
      action: "kms:Decrypt",
      resource: producer.arnOf("StreamKey"),
      resourceAccount: PRODUCER,
      identityPolicies: roleIdentity(),
      resourcePolicy: props(producer, "StreamKey").KeyPolicy,
    };
    expect(await decide({ ...key, context: { "kms:ViaService": `kinesis.${REGION}.amazonaws.com` } })).toBe("Allowed");
    expect(await decide({ ...key, context: { "kms:ViaService": `s3.${REGION}.amazonaws.com` } })).not.toBe("Allowed");
    expect(await decide(key)).not.toBe("Allowed");
  });

  it("the consumer role may put to this stack's delivery stream and to no other", async () => {
    const ask = {
      principal: role(),
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

  it("the consumer role may write under the quarantine prefix only", async () => {
    const quarantine = consumer.arnOf("QuarantineBucket");
    const ask = {
      principal: role(),
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
      principal: role(),
      action: "s3:AbortMultipartUpload",
      resourceAccount: CONSUMER,
      identityPolicies: roleIdentity(),
      resourcePolicy: props(consumer, "QuarantineBucketPolicy").PolicyDocument,
    };
    expect(await decide({ ...abort, resource: `${quarantine}/quarantine/2026/11/21/x.ndjson` })).toBe("Allowed");
    expect(await decide({ ...abort, resource: `${quarantine}/elsewhere/x.ndjson` })).not.toBe("Allowed");
    for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
      const key = {
        principal: role(),
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

  const firehoseRole = () => consumer.arnOf("FirehoseDeliveryRole");
  const firehoseWrite = () => ({
    principal: firehoseRole(),
    action: "s3:PutObject",
    resourceAccount: CONSUMER,
    identityPolicies: inlinePolicies(consumer, "FirehoseDeliveryRole"),
    resourcePolicy: props(consumer, "DataBucketPolicy").PolicyDocument,
  });

  it("Firehose's role may write the data bucket's data/ prefix, and not another bucket", async () => {
    const data = consumer.arnOf("DataBucket");
    expect(await decide({ ...firehoseWrite(), resource: `${data}/data/year=2026/month=11/day=21/hour=08/part` })).toBe(
      "Allowed",
    );
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

  it("Firehose's role admits only Firehose acting for this account", async () => {
    const trust = {
      action: "sts:AssumeRole",
      resource: firehoseRole(),
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

  it("with enhanced fan-out, the consumer role (and no other) may read through the registered stream consumer", async () => {
    const { producer: efoProducer, consumer: efoConsumer } = deployBoth({ enhancedFanOut: true });
    const consumerArn = String(efoProducer.resources.TelemetryStreamConsumerPolicy?.properties.ResourceArn);
    const identity = [
      { name: "AWSLambdaKinesisExecutionRole", policy: AWS_LAMBDA_KINESIS_EXECUTION_ROLE },
      ...inlinePolicies(efoConsumer, "TelemetryConsumerRole"),
    ];
    const ask = {
      resource: consumerArn,
      resourceAccount: PRODUCER,
      identityPolicies: identity,
      resourcePolicy: props(efoProducer, "TelemetryStreamConsumerPolicy").ResourcePolicy,
    };

    expect(consumerArn).toMatch(/:stream\/producer-TelemetryStream\/consumer\/.+:\d+$/);
    expect(props(efoConsumer, "TelemetryStreamTrigger").EventSourceArn).toBe(consumerArn);
    for (const action of ["kinesis:SubscribeToShard", "kinesis:DescribeStreamConsumer"]) {
      expect(await decide({ ...ask, principal: role(), action })).toBe("Allowed");
      expect(await decide({ ...ask, principal: `arn:aws:iam::${CONSUMER}:role/some-other-function`, action })).not.toBe(
        "Allowed",
      );
    }
  });

  it("the function's role admits only Lambda acting for this account", async () => {
    const trust = {
      action: "sts:AssumeRole",
      resource: role(),
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
