/**
 * What the cases ask about, as a request's resource, its account and the resource policy that
 * governs it, from a resolved deployment: the consumer's buckets and data key, the producer's
 * stream, stream consumer and key, another key of an account, the consumer's workgroups, Glue
 * catalog and functions' log streams, another log group; and the context the requests share.
 */
import { CONSUMER_ACCOUNT as CONSUMER, PRODUCER_ACCOUNT as PRODUCER, type TwoAccounts } from "../two-accounts.ts";
import { props } from "./readers.ts";

/** The IAM policy language version of every policy written here. */
export const POLICY_VERSION = "2012-10-17";

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
export const streamKey = (d: TwoAccounts) => ({
  resource: d.producer.arnOf("StreamKey"),
  resourceAccount: PRODUCER,
  resourcePolicy: props(d.producer, "StreamKey").KeyPolicy,
});
export const stream = (d: TwoAccounts) => ({
  resource: d.producer.arnOf("TelemetryStream"),
  resourceAccount: PRODUCER,
  resourcePolicy: props(d.producer, "TelemetryStreamPolicy").ResourcePolicy,
});
export const streamConsumer = (d: TwoAccounts) => ({
  resource: String(props(d.producer, "TelemetryStreamConsumerPolicy").ResourceArn),
  resourceAccount: PRODUCER,
  resourcePolicy: props(d.producer, "TelemetryStreamConsumerPolicy").ResourcePolicy,
});

/**
 * Another key of an account, with the key policy AWS gives a key by default (the account's IAM
 * policies decide): an identity grant that reached past the stack's own key would reach it.
 */
export const otherKey = (account: string, region: string) => ({
  resource: `arn:aws:kms:${region}:${account}:key/00000000-0000-4000-8000-0000000beef0`,
  resourceAccount: account,
  resourcePolicy: {
    Version: POLICY_VERSION,
    Statement: [
      { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
    ],
  },
});

/** An Athena workgroup of the consumer account, by name. */
export const workgroup = (d: TwoAccounts, name: string) => `arn:aws:athena:${d.region}:${CONSUMER}:workgroup/${name}`;
/** The workgroup the consumer template declares as `id`. */
export const namedWorkgroup = (d: TwoAccounts, id: string) => workgroup(d, String(props(d.consumer, id).Name));
/** The telemetry database's name. */
export const database = (d: TwoAccounts) =>
  String((props(d.consumer, "TelemetryDatabase").DatabaseInput as { Name: string }).Name);
/** A resource of the consumer account's Glue catalog: `catalog`, `database/<name>`, `table/<database>/<name>`. */
export const glue = (d: TwoAccounts, path: string) => `arn:aws:glue:${d.region}:${CONSUMER}:${path}`;
/** The name of the Glue table (or view) the consumer template declares as `id`. */
export const tableName = (d: TwoAccounts, id: string) =>
  String((props(d.consumer, id).TableInput as { Name: string }).Name);

/** A log stream of the own group of the consumer stack's function `functionId`, named the way Lambda names them. */
export const functionLogStream = (d: TwoAccounts, functionId: string) =>
  `arn:aws:logs:${d.region}:${CONSUMER}:log-group:${String(
    (props(d.consumer, functionId).LoggingConfig as { LogGroup: string }).LogGroup,
  )}:log-stream:2026/11/22/[$LATEST]0123456789abcdef`;

/** A log stream of a group that belongs to no stack here. */
export const otherLogStream = (d: TwoAccounts) =>
  `arn:aws:logs:${d.region}:${CONSUMER}:log-group:/aws/lambda/payments:log-stream:x`;

export const viaS3 = (d: TwoAccounts) => ({ "kms:ViaService": `s3.${d.region}.amazonaws.com` });
export const viaKinesis = (d: TwoAccounts) => ({ "kms:ViaService": `kinesis.${d.region}.amazonaws.com` });
export const TLS_OFF = { "aws:SecureTransport": "false" };
