/**
 * Redrive's AWS clients, apart from shared/aws.ts so the consumer's bundle never loads Kinesis or
 * STS: S3 reads and manifest writes, shard reads, and the optional AssumeRole for cross-account reads.
 * The SDK is found as shared/aws.ts says: Kinesis by a static import, S3 and STS on first use, all
 * `require`d by the bundle.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  type KinesisClientConfig,
} from "@aws-sdk/client-kinesis";
import type { S3Client } from "@aws-sdk/client-s3";
import { lazily, loadS3Sdk } from "../aws.ts";
import type { ObjectStore, StreamReader } from "./types.ts";

/**
 * Redrive's reads and small writes of S3 (listing, reading objects and manifests, writing
 * manifests) through the client `connect` gives (on the first use; a failed connect is tried again
 * on the next). A missing object reads as undefined; every other
 * S3 error is thrown after the SDK's standard retries.
 */
export function s3ObjectStore(connect: () => S3Client | Promise<S3Client>): ObjectStore {
  const client = lazily(connect);
  return {
    async list(bucket, prefix, startAfter) {
      const { ListObjectsV2Command } = await loadS3Sdk();
      const out = await (await client()).send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(startAfter ? { StartAfter: startAfter } : {}) }),
      );
      return {
        objects: (out.Contents ?? []).map((o) => ({ key: o.Key ?? "", modifiedMs: o.LastModified?.getTime() ?? 0 })),
        truncated: out.IsTruncated === true,
      };
    },
    async get(bucket, key) {
      const { GetObjectCommand } = await loadS3Sdk();
      try {
        const out = await (await client()).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await out.Body?.transformToString("utf8");
      } catch (err) {
        if ((err as Error).name === "NoSuchKey") return undefined;
        throw err;
      }
    },
    async put(bucket, key, body) {
      const { PutObjectCommand } = await loadS3Sdk();
      await (await client()).send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: "application/json" }),
      );
    },
  };
}

/** Reads of a shard from a sequence number, for redriving on-failure ranges (`GetShardIterator`, `GetRecords`). */
export function kinesisStreamReader(client: KinesisClient): StreamReader {
  return {
    async iteratorAt(streamArn, shardId, sequenceNumber) {
      const out = await client.send(
        new GetShardIteratorCommand({
          StreamARN: streamArn,
          ShardId: shardId,
          ShardIteratorType: "AT_SEQUENCE_NUMBER",
          StartingSequenceNumber: sequenceNumber,
        }),
      );
      if (!out.ShardIterator) throw new Error(`no shard iterator for ${shardId} at ${sequenceNumber}`);
      return out.ShardIterator;
    },
    async read(streamArn, iterator) {
      const out = await client.send(
        new GetRecordsCommand({ StreamARN: streamArn, ShardIterator: iterator, Limit: 10_000 }),
      );
      return {
        records: (out.Records ?? []).map((r) => ({
          sequenceNumber: r.SequenceNumber ?? "",
          partitionKey: r.PartitionKey ?? "",
          data: r.Data ?? new Uint8Array(),
          arrivalMs: r.ApproximateArrivalTimestamp?.getTime() ?? 0,
        })),
        next: out.NextShardIterator,
        behindMs: out.MillisBehindLatest ?? 0,
      };
    },
  };
}

/**
 * The source identity of the redrive's sessions of the consumer role. The role's trust admits a
 * redrive only with a source identity, and the role denies a session that has one everything but
 * the stream reads and their decrypt (template.yaml, RedriveSessionsReadTheStreamOnly): AWS enforces
 * it, and the caller can neither drop it nor change it for the session.
 */
export const REDRIVE_SOURCE_IDENTITY = "telemetry-redrive";

/**
 * A Kinesis client for redrive's stream reads; as the role `roleArn` when given (STS AssumeRole with
 * the caller's credentials and `REDRIVE_SOURCE_IDENTITY`: the producer's stream policy names only the
 * consumer role). Against a plain-http endpoint it uses HTTP/1.1, which the client's default HTTP/2
 * handler cannot speak.
 */
export async function createKinesisClient(options: {
  readonly region?: string;
  readonly endpoint?: string;
  readonly roleArn?: string;
}): Promise<KinesisClient> {
  let credentials: KinesisClientConfig["credentials"];
  if (options.roleArn) {
    const roleArn = options.roleArn;
    const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
    const sts = new STSClient({ ...(options.region ? { region: options.region } : {}) });
    // A provider with an expiration: the SDK asks again before the session ends, so a long run keeps reading.
    credentials = async () => {
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: "telemetry-redrive",
          DurationSeconds: 3600,
          SourceIdentity: REDRIVE_SOURCE_IDENTITY,
          // Besides what AWS enforces for the source identity: the session may only read the stream
          // (and decrypt it through Kinesis), whatever the role allows.
          Policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: ["kinesis:GetShardIterator", "kinesis:GetRecords", "kms:Decrypt"],
                // A session policy only narrows the role: the resources stay those the role may use.
                Resource: "*",
              },
            ],
          }),
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${roleArn} returned no credentials`);
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration,
      };
    };
  }
  const { NodeHttpHandler } = await import("@smithy/node-http-handler");
  return new KinesisClient({
    ...(options.region ? { region: options.region } : {}),
    ...(credentials ? { credentials } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint, requestHandler: new NodeHttpHandler() } : {}),
  });
}
