/**
 * The function's role in its own account: it puts to its delivery stream, writes quarantine/ and
 * the on-failure bucket, uses the data key through S3, writes its own log group, traces to X-Ray,
 * and only Lambda acting for this account may assume it; and each boundary of those grants. Its
 * reads of the producer's stream are stream.ts's.
 */
import { CONSUMER_ACCOUNT as CONSUMER, PRODUCER_ACCOUNT as PRODUCER, type TwoAccounts } from "../../two-accounts.ts";
import { dropManagedPolicy, dropStatement } from "../breaks.ts";
import { asRole, role } from "../principals.ts";
import { props } from "../readers.ts";
import { dataKey, functionLogStream, inBucket, otherKey, otherLogStream, TLS_OFF, viaS3 } from "../resources.ts";
import type { AccessCase, Break } from "../types.ts";

/** A log stream of the function's own group. */
const ownLogStream = (d: TwoAccounts) => functionLogStream(d, "TelemetryConsumerFunction");

/** The break that takes the statement `sid` out of the function's policy. */
const functionPolicyLoses = (sid: string): Break => ({
  name: `the function's policy loses ${sid}`,
  mutation: { mutateConsumer: (t) => dropStatement(t, "TelemetryConsumerPolicy", "PolicyDocument", sid) },
});

/** Same account: the key policy names the role AND lets IAM grant, so either grant alone allows. */
const DATA_KEY_GRANTS_GONE: Break = {
  name: "both the key policy's and the function's policy's grant are gone",
  mutation: {
    mutateConsumer: (t) => {
      dropStatement(t, "DataKey", "KeyPolicy", "FunctionEncryptsThroughS3");
      dropStatement(t, "TelemetryConsumerPolicy", "PolicyDocument", "EncryptObjectsThroughS3Only");
    },
  },
};

export const FUNCTION_ROLE_CASES: readonly AccessCase[] = [
  {
    name: "the trigger (the function's role) writes a batch's record to the on-failure bucket",
    request: (d) => ({
      ...asRole(d),
      action: "s3:PutObject",
      ...inBucket(d, "FailureBucket", "aws/lambda/esm-uuid/shardId-000000000000/2026/11/22/21/x"),
    }),
    expected: "Allowed",
    breaks: [functionPolicyLoses("TriggerWritesOnFailureRecords")],
  },
  {
    name: "the trigger (the function's role) may list the on-failure bucket",
    request: (d) => ({ ...asRole(d), action: "s3:ListBucket", ...inBucket(d, "FailureBucket") }),
    expected: "Allowed",
    breaks: [functionPolicyLoses("TriggerChecksOnFailureBucket")],
  },
  {
    name: "the trigger encrypts the on-failure record with the data key through S3",
    request: (d) => ({ ...asRole(d), action: "kms:GenerateDataKey", ...dataKey(d), context: viaS3(d) }),
    expected: "Allowed",
    breaks: [DATA_KEY_GRANTS_GONE],
  },
  {
    name: "the function decrypts with the data key through S3 (completing a multipart quarantine upload)",
    request: (d) => ({ ...asRole(d), action: "kms:Decrypt", ...dataKey(d), context: viaS3(d) }),
    expected: "Allowed",
    breaks: [DATA_KEY_GRANTS_GONE],
  },
  {
    name: "the function aborts a multipart quarantine upload under the prefix",
    request: (d) => ({
      ...asRole(d),
      action: "s3:AbortMultipartUpload",
      ...inBucket(d, "QuarantineBucket", "quarantine/2026/11/21/x.ndjson"),
    }),
    expected: "Allowed",
    breaks: [functionPolicyLoses("WriteQuarantinePrefixOnly")],
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
    breaks: [functionPolicyLoses("DeliverToThisStackDeliveryStreamOnly")],
  },
  {
    name: "the function writes under the quarantine prefix",
    request: (d) => ({
      ...asRole(d),
      action: "s3:PutObject",
      ...inBucket(d, "QuarantineBucket", "quarantine/2026/11/21/x.ndjson"),
    }),
    expected: "Allowed",
    breaks: [functionPolicyLoses("WriteQuarantinePrefixOnly")],
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
