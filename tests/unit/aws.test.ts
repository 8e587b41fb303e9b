import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { createClients, createS3Client, s3ObjectWriter } from "../../shared/aws.ts";

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
});
