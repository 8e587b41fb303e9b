/**
 * The redrive's access cases (issues 11 and 19): RedriveRole (RedriveFunction's identity, holding
 * RedrivePolicy, the operators' managed policy), the consumer role's trust of it, and what a redrive
 * session of the consumer role may do. Evaluated the same way as the stacks' cases
 * (`evaluateCases`), by tests/integration/redrive-access.test.ts, and part of the template-mutation
 * harness's cases.
 * Every Allow of RedrivePolicy has an allowed case, and every edge of it (prefix, bucket, action,
 * condition, resource) a denied one. The redrive reads the producer's stream as the consumer role
 * with limits AWS enforces: the trust admits exactly RedriveRole (and the operator's role), only
 * with a source identity, and a session with one may read and decrypt the stream and nothing else
 * (RedriveSessionsReadTheStreamOnly), whatever session policy its caller sends or leaves out.
 */
import { CONSUMER_ACCOUNT as CONSUMER, PRODUCER_ACCOUNT as PRODUCER, type TwoAccounts } from "../../two-accounts.ts";
import { dropStatement } from "../breaks.ts";
import { ADMINISTRATOR, admin, asRole, asStackRole, OTHER_ROLE } from "../principals.ts";
import { props } from "../readers.ts";
import {
  dataKey,
  functionLogStream,
  inBucket,
  otherKey,
  POLICY_VERSION,
  stream,
  streamKey,
  viaKinesis,
  viaS3,
} from "../resources.ts";
import type { AccessCase, Ask } from "../types.ts";

const redriveRole = (d: TwoAccounts) => d.consumer.arnOf("RedriveRole");
const asRedrive = (d: TwoAccounts) => asStackRole(d, "RedriveRole");
/** The source identity the redrive sets on its session of the consumer role (shared/redrive/aws.ts; the policies test only that there is one). */
const SOURCE_IDENTITY = "telemetry-redrive";
/**
 * The consumer role under its trust policy, asked by `principal` (AWS sets aws:PrincipalArn on every
 * request), with the redrive's source identity unless `withSourceIdentity` is false.
 */
const consumerRoleTrust = (d: TwoAccounts, principal: string, withSourceIdentity = true) => ({
  principal,
  resource: d.consumer.arnOf("TelemetryConsumerRole"),
  resourceAccount: CONSUMER,
  resourcePolicy: props(d.consumer, "TelemetryConsumerRole").AssumeRolePolicyDocument,
  context: {
    "aws:PrincipalArn": principal,
    ...(withSourceIdentity ? { "sts:SourceIdentity": SOURCE_IDENTITY } : {}),
  } as Record<string, string>,
});
/** What every request of a redrive's session of the consumer role carries. */
const SESSION_CONTEXT = { "aws:SourceIdentity": SOURCE_IDENTITY };
/** A log stream of the consumer function's own group. */
const consumerLogStream = (d: TwoAccounts) => functionLogStream(d, "TelemetryConsumerFunction");
const redriveLogStream = (d: TwoAccounts) => functionLogStream(d, "RedriveFunction");
/** A role of the consumer account whose trust admits the whole account for every STS action. */
const roleTrustingTheAccount = {
  resource: `arn:aws:iam::${CONSUMER}:role/payments-function`,
  resourceAccount: CONSUMER,
  resourcePolicy: {
    Version: POLICY_VERSION,
    Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${CONSUMER}:root` }, Action: "sts:*" }],
  },
};
const QUARANTINE_OBJECT = "quarantine/2026/11/22/08/vehicle-telemetry/shardId-000000000000/4959-req.ndjson";
const MANIFEST = "redrive/manifests/quarantine-bucket/quarantine/2026/11/22/08/x.ndjson.json";
const FAILURE_OBJECT = "aws/lambda/0f1e2d3c/shardId-000000000000/2026/11/22/2026-11-22T08.00.00-abc";
const DATA_OBJECT = "2026/11/22/08/telemetry-1.gz";

const dropRedrive = (sid: string) => ({
  name: `RedrivePolicy loses ${sid}`,
  mutation: {
    mutateConsumer: (t: Parameters<typeof dropStatement>[0]) =>
      dropStatement(t, "RedrivePolicy", "PolicyDocument", sid),
  },
});

/** What RedriveFunction and an operator holding RedrivePolicy may do. */
const ALLOWED: AccessCase[] = [
  ...(
    [
      ["the quarantine prefix", "quarantine/"],
      // S3 answers a missing manifest's GetObject with 404 only to a caller that may list the
      // bucket: without this, a first redrive of any object fails with AccessDenied.
      ["the whole quarantine bucket (so a manifest not yet written reads as absent)", undefined],
    ] as const
  ).map(
    ([what, prefix]): AccessCase => ({
      name: `RedriveRole lists ${what}`,
      request: (d) => ({
        ...asRedrive(d),
        action: "s3:ListBucket",
        ...inBucket(d, "QuarantineBucket"),
        ...(prefix === undefined ? {} : { context: { "s3:prefix": prefix } }),
      }),
      expected: "Allowed",
      breaks: [dropRedrive("ListQuarantine")],
    }),
  ),
  ...[QUARANTINE_OBJECT, MANIFEST].map(
    (key): AccessCase => ({
      name: `RedriveRole reads ${key.startsWith("quarantine/") ? "a quarantine object" : "a manifest"}`,
      request: (d) => ({ ...asRedrive(d), action: "s3:GetObject", ...inBucket(d, "QuarantineBucket", key) }),
      expected: "Allowed",
      breaks: [dropRedrive("ReadQuarantineAndManifests")],
    }),
  ),
  {
    name: "RedriveRole lists the on-failure bucket",
    request: (d) => ({ ...asRedrive(d), action: "s3:ListBucket", ...inBucket(d, "FailureBucket") }),
    expected: "Allowed",
    breaks: [dropRedrive("ListOnFailureRecords")],
  },
  {
    name: "RedriveRole reads an on-failure record",
    request: (d) => ({ ...asRedrive(d), action: "s3:GetObject", ...inBucket(d, "FailureBucket", FAILURE_OBJECT) }),
    expected: "Allowed",
    breaks: [dropRedrive("ReadOnFailureRecords")],
  },
  ...["s3:PutObject", "s3:AbortMultipartUpload"].map(
    (action): AccessCase => ({
      name: `RedriveRole may ${action} a new quarantine object`,
      request: (d) => ({ ...asRedrive(d), action, ...inBucket(d, "QuarantineBucket", QUARANTINE_OBJECT) }),
      expected: "Allowed",
      breaks: [dropRedrive("RequarantineUnderThePrefix")],
    }),
  ),
  {
    name: "RedriveRole writes a manifest",
    request: (d) => ({ ...asRedrive(d), action: "s3:PutObject", ...inBucket(d, "QuarantineBucket", MANIFEST) }),
    expected: "Allowed",
    breaks: [dropRedrive("WriteManifests")],
  },
  {
    name: "RedriveRole delivers to the stack's delivery stream",
    request: (d) => ({
      ...asRedrive(d),
      action: "firehose:PutRecordBatch",
      resource: d.consumer.arnOf("TelemetryDeliveryStream"),
      resourceAccount: CONSUMER,
    }),
    expected: "Allowed",
    breaks: [dropRedrive("DeliverToThisStackDeliveryStreamOnly")],
  },
  ...["kms:GenerateDataKey", "kms:Decrypt"].map(
    (action): AccessCase => ({
      name: `RedriveRole may ${action} with the data key through S3`,
      request: (d) => ({ ...asRedrive(d), action, ...dataKey(d), context: viaS3(d) }),
      expected: "Allowed",
      breaks: [dropRedrive("ObjectsThroughS3Only")],
    }),
  ),
  ...(
    [
      ["sts:AssumeRole", "assumes the consumer role with a source identity (to read the producer's stream as it)"],
      ["sts:SetSourceIdentity", "sets the source identity of its session of the consumer role"],
    ] as const
  ).map(
    ([action, what]): AccessCase => ({
      name: `RedriveRole ${what}`,
      request: (d) => ({ ...asRedrive(d), action, ...consumerRoleTrust(d, redriveRole(d)) }),
      expected: "Allowed",
      breaks: [
        dropRedrive("ReadTheStreamAsTheConsumerRole"),
        {
          name: "the consumer role's trust loses RedriveReadsTheStreamAsTheConsumer",
          mutation: {
            mutateConsumer: (t) =>
              dropStatement(
                t,
                "TelemetryConsumerRole",
                "AssumeRolePolicyDocument",
                "RedriveReadsTheStreamAsTheConsumer",
              ),
          },
        },
      ],
    }),
  ),
  ...["logs:CreateLogStream", "logs:PutLogEvents"].map(
    (action): AccessCase => ({
      name: `RedriveRole may ${action} in its own log group`,
      request: (d) => ({ ...asRedrive(d), action, resource: redriveLogStream(d), resourceAccount: CONSUMER }),
      expected: "Allowed",
    }),
  ),
  {
    name: "RedriveRole sends traces (X-Ray)",
    request: (d) => ({ ...asRedrive(d), action: "xray:PutTraceSegments", resource: "*", resourceAccount: CONSUMER }),
    expected: "Allowed",
  },
  {
    name: "Lambda, acting for this account, may assume RedriveRole",
    request: (d) => ({
      principal: "lambda.amazonaws.com",
      action: "sts:AssumeRole",
      resource: redriveRole(d),
      resourceAccount: CONSUMER,
      resourcePolicy: props(d.consumer, "RedriveRole").AssumeRolePolicyDocument,
      context: { "aws:SourceAccount": CONSUMER },
    }),
    expected: "Allowed",
  },
];

/** Something asked of the consumer role: what it is, and the request but for who asks. */
type Asked = readonly [what: string, ask: (d: TwoAccounts) => Omit<Ask, "principal">];

/** What a redrive's session of the consumer role is for: reading the producer's stream and decrypting it. */
const AS_A_REDRIVE: readonly Asked[] = [
  ["GetShardIterator on the producer's stream", (d) => ({ action: "kinesis:GetShardIterator", ...stream(d) })],
  ["GetRecords on the producer's stream", (d) => ({ action: "kinesis:GetRecords", ...stream(d) })],
  [
    "decrypt the producer's stream through Kinesis",
    (d) => ({ action: "kms:Decrypt", ...streamKey(d), context: viaKinesis(d) }),
  ],
];

/** What the consumer role may do as the trigger, and a redrive's session of it may not: AWS denies it, not our session policy. */
const NOT_AS_A_REDRIVE: readonly Asked[] = [
  [
    "write an on-failure record (forging records RedriveFunction would deliver)",
    (d) => ({ action: "s3:PutObject", ...inBucket(d, "FailureBucket", FAILURE_OBJECT) }),
  ],
  [
    "write a quarantine object",
    (d) => ({ action: "s3:PutObject", ...inBucket(d, "QuarantineBucket", QUARANTINE_OBJECT) }),
  ],
  [
    "deliver to the delivery stream",
    (d) => ({
      action: "firehose:PutRecordBatch",
      resource: d.consumer.arnOf("TelemetryDeliveryStream"),
      resourceAccount: CONSUMER,
    }),
  ],
  [
    "write the function's log group (forging its EMF metrics)",
    (d) => ({ action: "logs:PutLogEvents", resource: consumerLogStream(d), resourceAccount: CONSUMER }),
  ],
  [
    "encrypt with the data key through S3",
    (d) => ({ action: "kms:GenerateDataKey", ...dataKey(d), context: viaS3(d) }),
  ],
  ["describe the producer's stream", (d) => ({ action: "kinesis:DescribeStream", ...stream(d) })],
  ["list the producer's shards", (d) => ({ action: "kinesis:ListShards", ...stream(d) })],
];

/** A request of a redrive's session of the consumer role: every request of it carries its source identity. */
const asARedrive =
  (expected: "Allowed" | "ExplicitlyDenied") =>
  ([what, ask]: Asked): AccessCase => ({
    name: `a redrive's session of the consumer role (a source identity) ${expected === "Allowed" ? "may" : "may not"} ${what}`,
    request: (d) => {
      const asked = ask(d);
      return { ...asRole(d), ...asked, context: { ...asked.context, ...SESSION_CONTEXT } };
    },
    expected,
  });

/** The edges: other prefixes, buckets, actions, keys and roles stay out of reach. */
const DENIED: AccessCase[] = [
  ...NOT_AS_A_REDRIVE.map(asARedrive("ExplicitlyDenied")),
  {
    name: "RedriveRole may not assume the consumer role without a source identity (it could not be told from the function)",
    request: (d) => ({
      ...asRedrive(d),
      action: "sts:AssumeRole",
      ...consumerRoleTrust(d, redriveRole(d), false),
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "a role created later under RedriveRole's name pattern, holding every permission, may not assume the consumer role (the trust names RedriveRole's ARN exactly)",
    request: (d) => {
      const later = `${redriveRole(d)}-later`;
      return { identityPolicies: [ADMINISTRATOR], action: "sts:AssumeRole", ...consumerRoleTrust(d, later) };
    },
    expected: "ImplicitlyDenied",
  },
  {
    name: "RedriveRole may not list object versions, even under the quarantine prefix (only current objects are redriven)",
    request: (d) => ({
      ...asRedrive(d),
      action: "s3:ListBucketVersions",
      ...inBucket(d, "QuarantineBucket"),
      context: { "s3:prefix": "quarantine/" },
    }),
    expected: "ImplicitlyDenied",
  },
  ...(["", "quarantine/"] as const).map(
    (prefix): AccessCase => ({
      name: `RedriveRole may not list the data bucket${prefix ? `, even under ${prefix}` : ""}`,
      request: (d) => ({
        ...asRedrive(d),
        action: "s3:ListBucket",
        ...inBucket(d, "DataBucket"),
        ...(prefix ? { context: { "s3:prefix": prefix } } : {}),
      }),
      expected: "ImplicitlyDenied",
    }),
  ),
  ...(["s3:GetObject", "s3:PutObject"] as const).map(
    (action): AccessCase => ({
      name: `RedriveRole may not ${action} in the data bucket`,
      request: (d) => ({ ...asRedrive(d), action, ...inBucket(d, "DataBucket", DATA_OBJECT) }),
      expected: "ImplicitlyDenied",
    }),
  ),
  ...(["s3:GetObject", "s3:PutObject"] as const).map(
    (action): AccessCase => ({
      name: `RedriveRole may not ${action} outside the quarantine and manifest prefixes`,
      request: (d) => ({ ...asRedrive(d), action, ...inBucket(d, "QuarantineBucket", "exports/all.csv") }),
      expected: "ImplicitlyDenied",
    }),
  ),
  {
    name: "RedriveRole may not write into the on-failure bucket",
    request: (d) => ({ ...asRedrive(d), action: "s3:PutObject", ...inBucket(d, "FailureBucket", FAILURE_OBJECT) }),
    expected: "ImplicitlyDenied",
  },
  ...(
    [
      ["QuarantineBucket", QUARANTINE_OBJECT, "a quarantine object (sources are never deleted)"],
      ["QuarantineBucket", MANIFEST, "a manifest"],
      ["FailureBucket", FAILURE_OBJECT, "an on-failure record"],
    ] as const
  ).map(
    ([bucket, key, what]): AccessCase => ({
      name: `RedriveRole may not delete ${what}`,
      request: (d) => ({ ...asRedrive(d), action: "s3:DeleteObject", ...inBucket(d, bucket, key) }),
      expected: "ImplicitlyDenied",
    }),
  ),
  ...(["QuarantineBucket", "FailureBucket"] as const).map(
    (bucket): AccessCase => ({
      name: `RedriveRole may not change ${bucket}'s policy`,
      request: (d) => ({ ...asRedrive(d), action: "s3:PutBucketPolicy", ...inBucket(d, bucket) }),
      expected: "ImplicitlyDenied",
    }),
  ),
  {
    name: "RedriveRole may not read over plain HTTP (the bucket policy denies it)",
    request: (d) => ({
      ...asRedrive(d),
      action: "s3:GetObject",
      ...inBucket(d, "QuarantineBucket", QUARANTINE_OBJECT),
      context: { "aws:SecureTransport": "false" },
    }),
    expected: "ExplicitlyDenied",
  },
  {
    name: "RedriveRole may not delete the delivery stream",
    request: (d) => ({
      ...asRedrive(d),
      action: "firehose:DeleteDeliveryStream",
      resource: d.consumer.arnOf("TelemetryDeliveryStream"),
      resourceAccount: CONSUMER,
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "RedriveRole may not deliver to another delivery stream",
    request: (d) => ({
      ...asRedrive(d),
      action: "firehose:PutRecordBatch",
      resource: `arn:aws:firehose:${d.region}:${CONSUMER}:deliverystream/payments`,
      resourceAccount: CONSUMER,
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "RedriveRole may not decrypt with the data key other than through S3",
    request: (d) => ({ ...asRedrive(d), action: "kms:Decrypt", ...dataKey(d) }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "RedriveRole may not schedule the data key's deletion",
    request: (d) => ({ ...asRedrive(d), action: "kms:ScheduleKeyDeletion", ...dataKey(d) }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "RedriveRole may not grant others the data key, even through S3",
    request: (d) => ({ ...asRedrive(d), action: "kms:CreateGrant", ...dataKey(d), context: viaS3(d) }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "RedriveRole may not tag a session of the consumer role, even were its trust to admit every STS action (a trust outside the stack)",
    request: (d) => ({
      ...asRedrive(d),
      action: "sts:TagSession",
      ...roleTrustingTheAccount,
      resource: d.consumer.arnOf("TelemetryConsumerRole"),
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "RedriveRole may not decrypt with another key of the account, even through S3",
    request: (d) => ({ ...asRedrive(d), action: "kms:Decrypt", ...otherKey(CONSUMER, d.region), context: viaS3(d) }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "RedriveRole may not assume another role of the account, even one that trusts the whole account",
    request: (d) => ({ ...asRedrive(d), action: "sts:AssumeRole", ...roleTrustingTheAccount }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "RedriveRole may not tag a session of a role that trusts the whole account",
    request: (d) => ({ ...asRedrive(d), action: "sts:TagSession", ...roleTrustingTheAccount }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "another role of the consumer account, holding every permission, may not assume the consumer role (its trust names RedriveRole)",
    request: (d) => ({
      identityPolicies: [ADMINISTRATOR],
      action: "sts:AssumeRole",
      ...consumerRoleTrust(d, OTHER_ROLE),
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "RedriveRole, holding every permission, may not tag a session of the consumer role (the trust allows AssumeRole only)",
    request: (d) => ({
      identityPolicies: [ADMINISTRATOR],
      action: "sts:TagSession",
      // No source identity: STS carries none on a TagSession request.
      ...consumerRoleTrust(d, redriveRole(d), false),
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "the producer account's administrators may not assume the consumer role through the redrive's trust",
    request: (d) => ({
      identityPolicies: [ADMINISTRATOR],
      action: "sts:AssumeRole",
      ...consumerRoleTrust(d, admin(PRODUCER)),
    }),
    expected: "ImplicitlyDenied",
  },
  ...(["logs:PutLogEvents", "logs:DeleteLogStream"] as const).map(
    (action): AccessCase => ({
      name:
        action === "logs:PutLogEvents"
          ? "RedriveRole may not write another function's log group"
          : "RedriveRole may not delete a log stream of its own group",
      request: (d) => ({
        ...asRedrive(d),
        action,
        resource:
          action === "logs:PutLogEvents"
            ? `arn:aws:logs:${d.region}:${CONSUMER}:log-group:/aws/lambda/payments:log-stream:x`
            : redriveLogStream(d),
        resourceAccount: CONSUMER,
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
      name: `RedriveRole may not be assumed ${how}`,
      request: (d) => ({
        principal: "lambda.amazonaws.com",
        action,
        resource: redriveRole(d),
        resourceAccount: CONSUMER,
        resourcePolicy: props(d.consumer, "RedriveRole").AssumeRolePolicyDocument,
        context,
      }),
      expected: "ImplicitlyDenied",
    }),
  ),
];

/** The other side of RedriveSessionsReadTheStreamOnly: without a source identity the role is the function's, whole. */
const STILL_THE_FUNCTIONS: AccessCase[] = NOT_AS_A_REDRIVE.map(
  ([what, ask]): AccessCase => ({
    name: `the consumer role without a source identity (the function, the trigger) still may ${what}`,
    request: (d) => ({ ...asRole(d), ...ask(d) }),
    expected: "Allowed",
  }),
);

export const REDRIVE_ACCESS_CASES: readonly AccessCase[] = [
  ...ALLOWED,
  ...AS_A_REDRIVE.map(asARedrive("Allowed")),
  ...DENIED,
  ...STILL_THE_FUNCTIONS,
];
