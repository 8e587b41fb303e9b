/** The functions' names and environment, and helpers for the moto server: a fresh pipeline and reading S3 back. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CreateDeliveryStreamCommand, DeleteDeliveryStreamCommand, FirehoseClient } from "@aws-sdk/client-firehose";
import { CreateStreamCommand } from "@aws-sdk/client-kinesis";
import { CreateBucketCommand, GetObjectCommand, paginateListObjectsV2, S3Client } from "@aws-sdk/client-s3";
import type { EnrichedTelemetry } from "../../shared/contract.ts";
import type { QuarantineLine } from "../../shared/quarantine.ts";
import { decompressObject } from "./compressed.ts";
import { kinesisClient } from "./kinesis-client.ts";

/** The consumer function's logical id in the template. */
export const CONSUMER_FUNCTION = "TelemetryConsumerFunction";
/** The redrive function's logical id in the template. */
export const REDRIVE_FUNCTION = "RedriveFunction";
export const REGION = "eu-west-1";
export const DATA_BUCKET = "telemetry-data";
export const QUARANTINE_BUCKET = "telemetry-quarantine";
/** Where the function writes quarantine objects (its QUARANTINE_PREFIX default); the bucket also holds redrive manifests. */
export const QUARANTINE_PREFIX = "quarantine/";
export const DELIVERY_STREAM = "telemetry-delivery";
export const STREAM = "vehicle-telemetry";
/** Where the local event source mapping writes on-failure records (an S3 on-failure destination). */
export const FAILURE_BUCKET = "telemetry-failures";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** Each function's values for `sam local invoke --env-vars` against the local emulator. */
const ENV_MOTO_FILE = join(import.meta.dirname, "..", "..", "local", "env.moto.json");
let envMoto: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined;

/**
 * The values `sam local invoke --env-vars local/env.moto.json` sets for `functionName` (that file's
 * entry, read once), with the emulator at `endpoint` as AWS_ENDPOINT_URL: what a local Lambda
 * resolves the template with. Throws if the file has no entry for the function.
 */
export function functionEnvVars(endpoint: string, functionName: string): Record<string, string> {
  envMoto ??= JSON.parse(readFileSync(ENV_MOTO_FILE, "utf8")) as Record<string, Record<string, string>>;
  const values = envMoto[functionName];
  if (values === undefined) throw new Error(`${ENV_MOTO_FILE} has no entry for ${functionName}`);
  return { ...values, AWS_ENDPOINT_URL: endpoint };
}

/**
 * The whole environment a bundle loaded in this process needs (the benchmark's, the operator's
 * redrive command's): against the emulator at `endpoint`, or with no endpoint override.
 */
export function bundleEnv(endpoint?: string): Record<string, string> {
  const { AWS_ENDPOINT_URL: _, ...names } = functionEnvVars(endpoint ?? "", CONSUMER_FUNCTION);
  return {
    ...(endpoint === undefined ? {} : { AWS_ENDPOINT_URL: endpoint }),
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...names,
    POWERTOOLS_SERVICE_NAME: "telemetry-consumer",
    POWERTOOLS_METRICS_NAMESPACE: "VehicleTelemetry",
    POWERTOOLS_LOG_LEVEL: "WARN",
  };
}

export function s3Client(endpoint: string): S3Client {
  return new S3Client({ endpoint, region: REGION, credentials, forcePathStyle: true });
}

export interface EmulatorResources {
  /** Create the delivery stream (default true). */
  readonly deliveryStream?: boolean;
  /** Create the quarantine bucket (default true). */
  readonly quarantineBucket?: boolean;
  /** Also create a Kinesis stream with this many shards, and the on-failure bucket. */
  readonly streamShards?: number;
}

/**
 * Empties the emulator, then creates the data and quarantine buckets, a Direct PUT delivery stream
 * to the data bucket and, when asked, the Kinesis stream and the on-failure bucket.
 */
export async function freshPipeline(endpoint: string, options: EmulatorResources = {}): Promise<void> {
  const reset = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
  if (!reset.ok) throw new Error(`moto reset failed: ${reset.status}`);
  const s3 = s3Client(endpoint);
  const buckets = [DATA_BUCKET];
  if (options.quarantineBucket !== false) buckets.push(QUARANTINE_BUCKET);
  if (options.streamShards !== undefined) buckets.push(FAILURE_BUCKET);
  for (const bucket of buckets) {
    await s3.send(
      new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }),
    );
  }
  if (options.deliveryStream !== false) await createDeliveryStream(endpoint);
  if (options.streamShards !== undefined) {
    const kinesis = kinesisClient({ endpoint, region: REGION });
    await kinesis.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: options.streamShards }));
  }
}

/** Creates the Direct PUT delivery stream that writes to the data bucket under `data/`. */
export async function createDeliveryStream(endpoint: string): Promise<void> {
  await firehoseClient(endpoint).send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: DELIVERY_STREAM,
      DeliveryStreamType: "DirectPut",
      ExtendedS3DestinationConfiguration: {
        BucketARN: `arn:aws:s3:::${DATA_BUCKET}`,
        RoleARN: "arn:aws:iam::444455556666:role/firehose-delivery",
        Prefix: "data/",
        CompressionFormat: "UNCOMPRESSED",
      },
    }),
  );
}

/** Deletes the delivery stream: the function's PutRecordBatch calls then fail (a Firehose outage). */
export async function deleteDeliveryStream(endpoint: string): Promise<void> {
  await firehoseClient(endpoint).send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: DELIVERY_STREAM }));
}

export function firehoseClient(endpoint: string): FirehoseClient {
  return new FirehoseClient({ endpoint, region: REGION, credentials });
}

/** One stored object: its key and its bytes as stored. */
export interface StoredObject {
  readonly key: string;
  readonly body: Buffer;
}

/** Every object in the bucket (under `prefix`, if given), in key order, its bytes as stored. */
export async function bucketObjects(endpoint: string, bucket: string, prefix?: string): Promise<StoredObject[]> {
  const s3 = s3Client(endpoint);
  const objects: StoredObject[] = [];
  for await (const page of paginateListObjectsV2(
    { client: s3 },
    { Bucket: bucket, ...(prefix ? { Prefix: prefix } : {}) },
  )) {
    for (const object of page.Contents ?? []) {
      const key = object.Key ?? "";
      const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      objects.push({ key, body: Buffer.from((await response.Body?.transformToByteArray()) ?? []) });
    }
  }
  return objects;
}

/** Every NDJSON line of the objects (decompressed as delivered: plain, gzip or zstd records), parsed as `T` (unchecked). */
export function linesOf<T>(objects: readonly StoredObject[]): T[] {
  const lines: T[] = [];
  for (const { body } of objects)
    for (const line of decompressObject(body).toString("utf8").split("\n"))
      if (line !== "") lines.push(JSON.parse(line));
  return lines;
}

/** The delivered lines of the data bucket. */
export async function deliveredLines(endpoint: string): Promise<EnrichedTelemetry[]> {
  return linesOf<EnrichedTelemetry>(await bucketObjects(endpoint, DATA_BUCKET));
}

/** The quarantine lines of the quarantine bucket (its redrive manifests are not read). */
export async function quarantinedLines(endpoint: string): Promise<QuarantineLine[]> {
  return linesOf<QuarantineLine>(await bucketObjects(endpoint, QUARANTINE_BUCKET, QUARANTINE_PREFIX));
}
