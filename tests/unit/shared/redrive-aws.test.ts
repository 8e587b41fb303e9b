/**
 * Redrive's AWS adapters against aws-sdk-client-mock: which S3, Kinesis and STS commands they send
 * with exactly which inputs, how they map the answers (missing fields, truncated listings, a
 * missing object, a shard without an iterator), which errors they pass through, and how the
 * Kinesis client is configured (region, local endpoint over HTTP/1.1, the assumed role's session).
 * The same adapters against moto: tests/integration/redrive.test.ts.
 */
import { Readable } from "node:stream";
import { type _Record, GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { sdkStreamMixin } from "@smithy/core/serde";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createKinesisClient, kinesisStreamReader, s3ObjectStore } from "../../../shared/redrive/aws.ts";

const s3Mock = mockClient(S3Client);
const kinesisMock = mockClient(KinesisClient);
const stsMock = mockClient(STSClient);
const ROLE = "arn:aws:iam::222222222222:role/consumer-TelemetryConsumerRole-abc";
const STREAM = "arn:aws:kinesis:eu-west-1:111122223333:stream/vehicle-telemetry";

beforeEach(() => {
  s3Mock.reset();
  kinesisMock.reset();
  stsMock.reset();
  // The SDK's own defaults, different from what the tests pass, so a dropped option shows.
  vi.stubEnv("AWS_REGION", "us-east-2");
  vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDCALLER");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "caller-secret");
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** An S3 object body as the SDK gives it: a Node stream with the SDK's transform methods. */
function body(...chunks: Buffer[]) {
  return sdkStreamMixin(Readable.from(chunks));
}

function store() {
  return s3ObjectStore(() => new S3Client({ region: "eu-west-1" }));
}

describe("s3ObjectStore", () => {
  it("lists a prefix from the start, with each key and its last-modified time in epoch ms", async () => {
    const modified = new Date("2026-11-21T08:00:01Z");
    s3Mock
      .on(ListObjectsV2Command)
      .resolves({ Contents: [{ Key: "q/a", LastModified: modified }], IsTruncated: false });

    const page = await store().list("quarantine-bucket", "q/", undefined);

    expect(page).toEqual({ objects: [{ key: "q/a", modifiedMs: modified.getTime() }], truncated: false });
    expect(s3Mock.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input)).toEqual([
      { Bucket: "quarantine-bucket", Prefix: "q/" },
    ]);
  });

  it("lists after a key when given one, and says when the listing is truncated", async () => {
    s3Mock
      .on(ListObjectsV2Command)
      .resolves({ Contents: [{ Key: "q/c", LastModified: new Date(0) }], IsTruncated: true });

    const page = await store().list("quarantine-bucket", "q/", "q/b");

    expect(page.truncated).toBe(true);
    expect(s3Mock.commandCalls(ListObjectsV2Command)[0]?.args[0].input).toEqual({
      Bucket: "quarantine-bucket",
      Prefix: "q/",
      StartAfter: "q/b",
    });
  });

  it("reads an empty listing as no objects, and an entry without key or time as empty key and time 0", async () => {
    s3Mock
      .on(ListObjectsV2Command)
      .resolvesOnce({})
      .resolves({ Contents: [{}] });
    const objects = store();

    expect(await objects.list("b", "", undefined)).toEqual({ objects: [], truncated: false });
    expect(await objects.list("b", "", undefined)).toEqual({ objects: [{ key: "", modifiedMs: 0 }], truncated: false });
  });

  it("reads an object's text as UTF-8, even with a character split between chunks", async () => {
    const text = Buffer.from('{"vin":"VIN-ü🚗"}\n');
    s3Mock.on(GetObjectCommand).resolves({ Body: body(text.subarray(0, 12), text.subarray(12)) as never });

    expect(await store().get("quarantine-bucket", "q/a")).toBe(text.toString("utf8"));
    expect(s3Mock.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: "quarantine-bucket",
      Key: "q/a",
    });
  });

  it("reads a missing object, or one without a body, as undefined", async () => {
    s3Mock
      .on(GetObjectCommand)
      .rejectsOnce(Object.assign(new Error("The specified key does not exist."), { name: "NoSuchKey" }))
      .resolves({});
    const objects = store();

    expect(await objects.get("b", "missing")).toBeUndefined();
    expect(await objects.get("b", "no-body")).toBeUndefined();
  });

  it("passes every other read error through, by name", async () => {
    s3Mock.on(GetObjectCommand).rejects(Object.assign(new Error("Access Denied"), { name: "AccessDenied" }));

    await expect(store().get("b", "k")).rejects.toMatchObject({ name: "AccessDenied", message: "Access Denied" });
  });

  it("writes a manifest as JSON to the bucket and key given", async () => {
    s3Mock.on(PutObjectCommand).resolves({});

    await store().put("quarantine-bucket", "redrive/manifests/b/k.json", '{"ids":[]}');

    expect(s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input)).toEqual([
      {
        Bucket: "quarantine-bucket",
        Key: "redrive/manifests/b/k.json",
        Body: '{"ids":[]}',
        ContentType: "application/json",
      },
    ]);
  });

  it("connects on the first call only, and once, whether the client comes at once or later", async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    s3Mock.on(ListObjectsV2Command).resolves({});
    const connect = vi.fn(async () => new S3Client({ region: "eu-west-1" }));

    const objects = s3ObjectStore(connect);
    expect(connect).not.toHaveBeenCalled();
    await Promise.all([objects.put("b", "k", "{}"), objects.list("b", "", undefined)]);

    expect(connect).toHaveBeenCalledTimes(1);
  });

  it("tries to connect again after a failed connection, so a warm function is not left without S3", async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    let attempts = 0;
    const objects = s3ObjectStore(async () => {
      attempts++;
      if (attempts === 1) throw new Error("credentials provider timed out");
      return new S3Client({ region: "eu-west-1" });
    });

    await expect(objects.put("b", "k", "{}")).rejects.toThrow("credentials provider timed out");
    await objects.put("b", "k", "{}");

    expect(attempts).toBe(2);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(1);
  });
});

describe("kinesisStreamReader", () => {
  const reader = () => kinesisStreamReader(new KinesisClient({ region: "eu-west-1" }));

  it("asks for an iterator at the sequence number, naming the stream by ARN", async () => {
    kinesisMock.on(GetShardIteratorCommand).resolves({ ShardIterator: "iter-1" });

    expect(await reader().iteratorAt(STREAM, "shardId-000000000001", "4960")).toBe("iter-1");
    expect(kinesisMock.commandCalls(GetShardIteratorCommand).map((c) => c.args[0].input)).toEqual([
      {
        StreamARN: STREAM,
        ShardId: "shardId-000000000001",
        ShardIteratorType: "AT_SEQUENCE_NUMBER",
        StartingSequenceNumber: "4960",
      },
    ]);
  });

  it("says which shard and position gave no iterator", async () => {
    kinesisMock.on(GetShardIteratorCommand).resolves({});

    await expect(reader().iteratorAt(STREAM, "shardId-000000000001", "4960")).rejects.toThrow(
      "no shard iterator for shardId-000000000001 at 4960",
    );
  });

  it("passes Kinesis's refusal of a position through, by name", async () => {
    kinesisMock
      .on(GetShardIteratorCommand)
      .rejects(Object.assign(new Error("past retention"), { name: "InvalidArgumentException" }));

    await expect(reader().iteratorAt(STREAM, "shardId-000000000001", "4960")).rejects.toMatchObject({
      name: "InvalidArgumentException",
    });
  });

  it("reads up to 10,000 records from the iterator, with the next iterator and how far behind the shard is", async () => {
    const arrival = new Date("2026-11-21T08:00:00.250Z");
    const data = new Uint8Array([1, 2, 3]);
    kinesisMock.on(GetRecordsCommand).resolves({
      Records: [{ SequenceNumber: "4960", PartitionKey: "VIN-1", Data: data, ApproximateArrivalTimestamp: arrival }],
      NextShardIterator: "iter-2",
      MillisBehindLatest: 1500,
    });

    const page = await reader().read(STREAM, "iter-1");

    expect(page).toEqual({
      records: [{ sequenceNumber: "4960", partitionKey: "VIN-1", data, arrivalMs: arrival.getTime() }],
      next: "iter-2",
      behindMs: 1500,
    });
    expect(kinesisMock.commandCalls(GetRecordsCommand).map((c) => c.args[0].input)).toEqual([
      { StreamARN: STREAM, ShardIterator: "iter-1", Limit: 10_000 },
    ]);
  });

  it("reads missing fields as empty: no records, no next iterator, caught up, empty record fields", async () => {
    // The SDK types a record's sequence number and data as always there; the adapter does not rely on it.
    kinesisMock
      .on(GetRecordsCommand)
      .resolvesOnce({})
      .resolves({ Records: [{} as _Record] });
    const shard = reader();

    expect(await shard.read(STREAM, "iter-1")).toEqual({ records: [], next: undefined, behindMs: 0 });
    expect(await shard.read(STREAM, "iter-1")).toEqual({
      records: [{ sequenceNumber: "", partitionKey: "", data: new Uint8Array(), arrivalMs: 0 }],
      next: undefined,
      behindMs: 0,
    });
  });
});

describe("createKinesisClient", () => {
  it("reads as the given role, in a one-hour session with the redrive's source identity that may only read the stream and decrypt it", async () => {
    const expiration = new Date(Date.now() + 3_600_000);
    stsMock.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: "AKIA", SecretAccessKey: "secret", SessionToken: "token", Expiration: expiration },
    });

    const client = await createKinesisClient({ region: "eu-west-1", roleArn: ROLE });
    const credentials = await client.config.credentials();

    expect(credentials).toMatchObject({
      accessKeyId: "AKIA",
      secretAccessKey: "secret",
      sessionToken: "token",
      expiration,
    });
    const calls = stsMock.commandCalls(AssumeRoleCommand);
    expect(calls).toHaveLength(1);
    const { Policy, ...input } = calls[0]?.args[0].input ?? {};
    // The consumer role's trust admits a redrive only with a source identity (template.yaml).
    expect(input).toEqual({
      RoleArn: ROLE,
      RoleSessionName: "telemetry-redrive",
      DurationSeconds: 3600,
      SourceIdentity: "telemetry-redrive",
    });
    expect(JSON.parse(Policy ?? "{}")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["kinesis:GetShardIterator", "kinesis:GetRecords", "kms:Decrypt"],
          Resource: "*",
        },
      ],
    });
  });

  it("assumes the role through STS in the region given", async () => {
    stsMock.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: "AKIA", SecretAccessKey: "secret", SessionToken: "token", Expiration: new Date() },
    });

    const client = await createKinesisClient({ region: "eu-west-1", roleArn: ROLE });
    await client.config.credentials();

    const sts = stsMock.call(0).thisValue as STSClient;
    expect(await sts.config.region()).toBe("eu-west-1");
  });

  it("says which role gave no credentials", async () => {
    stsMock.on(AssumeRoleCommand).resolves({});

    const client = await createKinesisClient({ region: "eu-west-1", roleArn: ROLE });

    await expect(client.config.credentials()).rejects.toThrow(`AssumeRole ${ROLE} returned no credentials`);
  });

  it("uses the caller's own credentials without a role", async () => {
    const client = await createKinesisClient({ region: "eu-west-1" });

    expect(await client.config.credentials()).toMatchObject({
      accessKeyId: "AKIDCALLER",
      secretAccessKey: "caller-secret",
    });
    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it("reads in the region given, else in the SDK's default region", async () => {
    expect(await (await createKinesisClient({ region: "eu-west-1" })).config.region()).toBe("eu-west-1");
    expect(await (await createKinesisClient({})).config.region()).toBe("us-east-2");
  });

  it("reads from a plain-http endpoint over HTTP/1.1, and from AWS with the SDK's default handler", async () => {
    const local = await createKinesisClient({ region: "eu-west-1", endpoint: "http://127.0.0.1:4567" });
    const aws = await createKinesisClient({ region: "eu-west-1" });

    expect(await local.config.endpoint?.()).toMatchObject({ hostname: "127.0.0.1", port: 4567, protocol: "http:" });
    expect(local.config.requestHandler).toBeInstanceOf(NodeHttpHandler);
    expect(aws.config.requestHandler).not.toBeInstanceOf(NodeHttpHandler);
  });
});
