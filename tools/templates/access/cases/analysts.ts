/**
 * The analysts' access (issue 12): a role of the consumer account holding AnalystPolicy, under the
 * data, quarantine and results bucket policies and the data key's policy; TLS unless stated. They
 * query through their own workgroup, read the Glue table and view, read data/, write and read
 * results/; nothing else.
 */
import { CONSUMER_ACCOUNT as CONSUMER, type TwoAccounts } from "../../two-accounts.ts";
import { asAnalyst } from "../principals.ts";
import {
  database,
  dataKey,
  glue,
  inBucket,
  namedWorkgroup,
  otherKey,
  TLS_OFF,
  tableName,
  viaS3,
  workgroup,
} from "../resources.ts";
import type { AccessCase } from "../types.ts";

const analystWorkgroup = (d: TwoAccounts) => namedWorkgroup(d, "AnalystWorkGroup");

export const ANALYST_CASES: readonly AccessCase[] = [
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
