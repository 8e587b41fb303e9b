/**
 * Every S3 write of the stacks' roles is pinned to this account (`s3:ResourceAccount`): the buckets
 * are retained when the stack is deleted, so a bucket deleted by hand leaves its name for any account
 * to claim, and a grant by bucket name alone would then write there (Lambda's guide for Kinesis
 * on-failure destinations says to pin that write; the same holds for every other). Each pinned
 * statement has a case here: a bucket of the same name in another account, whose policy lets the
 * role in, must not get the write. Its allowed twin, the write to the stack's own bucket, is the
 * case of the statement's concern (function-role.ts, firehose.ts, redrive.ts, analysts.ts,
 * curation.ts), where S3 sets `s3:ResourceAccount` to the stack's account (engine.ts).
 */
import type { TwoAccounts } from "../../two-accounts.ts";
import { asAnalyst, asStackRole } from "../principals.ts";
import { type Bucket, inBucket, POLICY_VERSION } from "../resources.ts";
import type { AccessCase } from "../types.ts";

/** An account that is neither the consumer's nor the producer's: whoever claimed the bucket's name. */
const CLAIMANT = "333333333333";

/**
 * A bucket named as one of the stack's, owned by the claimant, whose policy lets every principal do
 * everything (the claimant wants the writes): only the role's own policy can refuse.
 */
const claimed = (d: TwoAccounts, bucket: Bucket, key: string | undefined) => ({
  ...inBucket(d, bucket, key),
  resourceAccount: CLAIMANT,
  resourcePolicy: {
    Version: POLICY_VERSION,
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: "s3:*",
        Resource: [d.consumer.arnOf(bucket), `${d.consumer.arnOf(bucket)}/*`],
      },
    ],
  },
});

type Principal = (d: TwoAccounts) => { principal: string; identityPolicies: { name: string; policy: unknown }[] };
const as =
  (roleId: string): Principal =>
  (d) =>
    asStackRole(d, roleId);

/** Each pinned statement's write: who, what it does, on which bucket and key. */
const PINNED: readonly (readonly [as: Principal, who: string, action: string, bucket: Bucket, key?: string])[] = [
  [as("TelemetryConsumerRole"), "the function", "s3:PutObject", "QuarantineBucket", "quarantine/2026/11/21/x.ndjson"],
  [as("TelemetryConsumerRole"), "the trigger", "s3:PutObject", "FailureBucket", "aws/lambda/esm/shardId-0/x"],
  [as("TelemetryConsumerRole"), "the trigger", "s3:ListBucket", "FailureBucket"],
  [as("FirehoseDeliveryRole"), "Firehose", "s3:PutObject", "DataBucket", "data/year=2026/month=11/day=21/x.gz"],
  [as("FirehoseDeliveryRole"), "Firehose", "s3:ListBucket", "DataBucket"],
  [as("RedriveRole"), "RedriveRole", "s3:PutObject", "QuarantineBucket", "quarantine/2026/11/22/08/x.ndjson"],
  [as("RedriveRole"), "RedriveRole", "s3:PutObject", "QuarantineBucket", "redrive/manifests/b/quarantine/x.json"],
  [as("CurationRole"), "the curation role", "s3:PutObject", "DataBucket", "curated/telemetry_curated/data/x.parquet"],
  [as("CurationRole"), "the curation role", "s3:PutObject", "QueryResultsBucket", "curation/x.csv"],
  [asAnalyst, "an analyst", "s3:PutObject", "QueryResultsBucket", "results/x.csv"],
];

export const ACCOUNT_PIN_CASES: readonly AccessCase[] = PINNED.map(
  ([asWho, who, action, bucket, key]): AccessCase => ({
    name: `${who} may not ${action} ${key === undefined ? "" : `${key.split("/")[0]}/… `}in a bucket named as the stack's ${bucket} but of another account (a retained bucket's name, claimed)`,
    request: (d) => ({ ...asWho(d), action, ...claimed(d, bucket, key) }),
    expected: "ImplicitlyDenied",
  }),
);
