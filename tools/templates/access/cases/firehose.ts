/**
 * Firehose's role: it writes and reads back data/ and errors/ of the data bucket, uses that bucket
 * and the data key through S3, writes its delivery errors to its log stream, and only Firehose with
 * this account as external id may assume it; and each boundary of those grants, the data bucket's
 * TLS deny included.
 */
import { CONSUMER_ACCOUNT as CONSUMER, PRODUCER_ACCOUNT as PRODUCER, type TwoAccounts } from "../../two-accounts.ts";
import { dropStatement, editStatement } from "../breaks.ts";
import { asFirehose, firehoseRole } from "../principals.ts";
import { props } from "../readers.ts";
import { dataKey, inBucket, otherKey, otherLogStream, TLS_OFF, viaS3 } from "../resources.ts";
import type { AccessCase } from "../types.ts";

/** The log stream Firehose writes its delivery errors to, as the delivery stream names it. */
const firehoseLogStream = (d: TwoAccounts) => {
  const logging = (
    props(d.consumer, "TelemetryDeliveryStream").ExtendedS3DestinationConfiguration as {
      CloudWatchLoggingOptions: { LogGroupName: string; LogStreamName: string };
    }
  ).CloudWatchLoggingOptions;
  return `arn:aws:logs:${d.region}:${CONSUMER}:log-group:${logging.LogGroupName}:log-stream:${logging.LogStreamName}`;
};

export const FIREHOSE_CASES: readonly AccessCase[] = [
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
];
