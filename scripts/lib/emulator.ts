/** The function's environment, and helpers for the moto server: a fresh pipeline and reading S3 back. */
import { CreateDeliveryStreamCommand, FirehoseClient } from "@aws-sdk/client-firehose";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import type { EnrichedTelemetryV1 } from "../../shared/contract.ts";
import type { QuarantineLine } from "../../shared/quarantine.ts";

export const REGION = "eu-west-1";
export const DATA_BUCKET = "telemetry-data";
export const QUARANTINE_BUCKET = "telemetry-quarantine";
export const DELIVERY_STREAM = "telemetry-delivery";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** The environment the function needs: against the emulator at `endpoint`, or with no endpoint override. */
export function bundleEnv(endpoint?: string): Record<string, string> {
  return {
    ...(endpoint === undefined ? {} : { AWS_ENDPOINT_URL: endpoint }),
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    DELIVERY_STREAM_NAME: DELIVERY_STREAM,
    QUARANTINE_BUCKET,
    POWERTOOLS_SERVICE_NAME: "telemetry-consumer",
    POWERTOOLS_METRICS_NAMESPACE: "VehicleTelemetry",
    POWERTOOLS_LOG_LEVEL: "WARN",
  };
}

export function s3Client(endpoint: string): S3Client {
  return new S3Client({ endpoint, region: REGION, credentials, forcePathStyle: true });
}

/** Empties the emulator, then creates the buckets and a Direct PUT delivery stream to the data bucket. */
export async function freshPipeline(
  endpoint: string,
  options: { deliveryStream?: boolean; quarantineBucket?: boolean } = {},
): Promise<void> {
  const reset = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
  if (!reset.ok) throw new Error(`moto reset failed: ${reset.status}`);
  const s3 = s3Client(endpoint);
  const buckets = options.quarantineBucket === false ? [DATA_BUCKET] : [DATA_BUCKET, QUARANTINE_BUCKET];
  for (const bucket of buckets) {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: REGION },
      }),
    );
  }
  if (options.deliveryStream === false) return;
  await new FirehoseClient({ endpoint, region: REGION, credentials }).send(
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

/** Every NDJSON line of every object in the bucket, parsed as `T` (unchecked), objects in key order. */
export async function bucketLines<T>(endpoint: string, bucket: string): Promise<T[]> {
  const s3 = s3Client(endpoint);
  const listing = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  const lines: T[] = [];
  for (const object of listing.Contents ?? []) {
    const body = await (
      await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }))
    ).Body?.transformToString();
    for (const line of (body ?? "").split("\n")) if (line !== "") lines.push(JSON.parse(line));
  }
  return lines;
}

/** The delivered lines of the data bucket. */
export function deliveredLines(endpoint: string): Promise<EnrichedTelemetryV1[]> {
  return bucketLines<EnrichedTelemetryV1>(endpoint, DATA_BUCKET);
}

/** The lines of the quarantine bucket. */
export function quarantinedLines(endpoint: string): Promise<QuarantineLine[]> {
  return bucketLines<QuarantineLine>(endpoint, QUARANTINE_BUCKET);
}
