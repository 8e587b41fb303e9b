import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { createClients, createS3Client, lazily, runtimeBatchDeps, s3ObjectWriter } from "../../../shared/aws.ts";
import { s3ObjectStore } from "../../../shared/redrive/aws.ts";
import { config } from "../../support/batch.ts";

const s3Mock = mockClient(S3Client);
beforeEach(() => s3Mock.reset());

describe("AWS clients", () => {
  it("gives Firehose a single attempt per call, since delivery owns its retries", async () => {
    const { firehose } = createClients({ firehose: undefined, s3: undefined });
    expect(await firehose.config.maxAttempts()).toBe(1);
  });

  it("sends Firehose calls to the endpoint override when there is one, else to AWS", async () => {
    const local = createClients({ firehose: "http://127.0.0.1:5000", s3: undefined }).firehose;
    const aws = createClients({ firehose: undefined, s3: undefined }).firehose;
    expect(await local.config.endpoint?.()).toMatchObject({ hostname: "127.0.0.1", port: 5000, protocol: "http:" });
    expect(aws.config.endpoint).toBeUndefined();
  });

  it.each([
    ["no endpoint override", undefined, false],
    ["an endpoint override", "http://127.0.0.1:5000", true],
  ])("uses path-style S3 addressing only with an endpoint override (%s)", async (_, endpoint, pathStyle) => {
    const s3 = await createS3Client(endpoint);
    expect(s3.config.forcePathStyle).toBe(pathStyle);
  });

  it("connects to S3 on the first write only, and once", async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    let connects = 0;
    const writer = s3ObjectWriter(() => {
      connects++;
      return new S3Client({ region: "eu-west-1" });
    });
    expect(connects).toBe(0);

    await writer.putObject({ Bucket: "b", Key: "k1", Body: "x" });
    await writer.putObject({ Bucket: "b", Key: "k2", Body: "y" });

    expect(connects).toBe(1);
    expect(s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual(["k1", "k2"]);
  });

  it("tries to connect again after a failed connection", async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    let attempts = 0;
    const writer = s3ObjectWriter(() => {
      attempts++;
      if (attempts === 1) throw new Error("no credentials yet");
      return new S3Client({ region: "eu-west-1" });
    });

    await expect(writer.putObject({ Bucket: "b", Key: "k", Body: "x" })).rejects.toThrow("no credentials yet");
    await writer.putObject({ Bucket: "b", Key: "k", Body: "x" });

    expect(attempts).toBe(2);
  });

  it("tries to connect again after a connection that failed asynchronously", async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    let attempts = 0;
    const writer = s3ObjectWriter(async () => {
      attempts++;
      if (attempts === 1) throw new Error("credentials provider timed out");
      return new S3Client({ region: "eu-west-1" });
    });

    await expect(writer.putObject({ Bucket: "b", Key: "k", Body: "x" })).rejects.toThrow(
      "credentials provider timed out",
    );
    await writer.putObject({ Bucket: "b", Key: "k", Body: "x" });

    expect(attempts).toBe(2);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it("gives every S3 caller of a process one client, made on the first use", async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    const clients = createClients({ firehose: undefined, s3: "http://127.0.0.1:5000" });

    await clients.objects.putObject({ Bucket: "b", Key: "k", Body: "x" });
    await s3ObjectStore(clients.s3).put("b", "m", "{}");

    const [first, second] = s3Mock.commandCalls(PutObjectCommand).map((c) => c.thisValue);
    expect(first).toBe(second);
    expect(first).toBe(await clients.s3());
    expect((await clients.s3()).config.forcePathStyle).toBe(true);
  });

  it("runs batches with the process's clients, the wall clock and real randomness", () => {
    const clients = createClients({ firehose: undefined, s3: undefined });
    const deps = runtimeBatchDeps(config, clients);

    expect(deps).toMatchObject({ firehose: clients.firehose, objects: clients.objects, config });
    expect(deps.now).toBe(Date.now);
    expect(deps.random).toBe(Math.random);
  });
});

describe("lazily", () => {
  it("makes the value on the first use only, once, for concurrent callers too", async () => {
    const make = vi.fn(async () => ({}));
    const get = lazily(make);
    expect(make).not.toHaveBeenCalled();

    const [a, b] = await Promise.all([get(), get()]);

    expect(a).toBe(b);
    expect(await get()).toBe(a);
    expect(make).toHaveBeenCalledTimes(1);
  });

  it("keeps no failure, thrown or rejected: the next use makes it again", async () => {
    let calls = 0;
    const get = lazily(() => {
      calls++;
      if (calls === 1) throw new Error("thrown");
      if (calls === 2) return Promise.reject(new Error("rejected"));
      return calls;
    });

    await expect(get()).rejects.toThrow("thrown");
    await expect(get()).rejects.toThrow("rejected");
    expect(await get()).toBe(3);
    expect(await get()).toBe(3);
  });
});
