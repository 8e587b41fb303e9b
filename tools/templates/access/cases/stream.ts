/**
 * The producer's stream and its key, across accounts: the function's role reads the stream (and,
 * with enhanced fan-out, its stream consumer) and decrypts the key through Kinesis; a vehicle
 * gateway describes and writes the stream and encrypts with the key. Their boundaries: no other
 * stream (none at all before step 3), no writing or deleting, no key use outside Kinesis, no other
 * role; and each half of the cross-account grant holds on its own.
 */
import { CONSUMER_ACCOUNT as CONSUMER, PRODUCER_ACCOUNT as PRODUCER } from "../../two-accounts.ts";
import { dropManagedPolicy, dropStatement, editStatement } from "../breaks.ts";
import { ADMINISTRATOR, asGateway, asRole, OTHER_ROLE, role } from "../principals.ts";
import { identityPolicies } from "../readers.ts";
import { otherKey, POLICY_VERSION, stream, streamConsumer, streamKey, viaKinesis, viaS3 } from "../resources.ts";
import type { AccessCase } from "../types.ts";

/**
 * The producer account at its most permissive towards the consumer role (a resource policy naming
 * it for everything): what the consumer's own policies still deny, they deny on their own.
 */
const producerAdmitsAll = (roleArn: string) => ({
  Version: POLICY_VERSION,
  Statement: [{ Effect: "Allow", Principal: { AWS: roleArn }, Action: "*", Resource: "*" }],
});

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

export const STREAM_CASES: readonly AccessCase[] = [
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
];
