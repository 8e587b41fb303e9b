import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { s3ObjectWriter } from "../../shared/aws.ts";
import { type QuarantineLine, quarantineKey, writeQuarantine } from "../../shared/quarantine.ts";

const s3Mock = mockClient(S3Client);
const line: QuarantineLine = {
  recordId: "shardId-000000000002:4959:1",
  partitionKey: "VIN-1",
  reason: "JSON_INVALID",
  details: [{ path: "", message: "Unexpected end of JSON input" }],
  shardId: "shardId-000000000002",
  sequenceNumber: "4959",
  subSequenceNumber: 1,
  arrivalTime: "2026-11-21T08:00:00.125Z",
  sourceAccount: "111122223333",
  sourceStream: "vehicle-telemetry",
  quarantinedAt: "2026-11-21T09:30:00.000Z",
  data: "ew==",
};

beforeEach(() => s3Mock.reset());

describe("quarantine", () => {
  it("keys objects by hour, stream, shard, first sequence number and request id", () => {
    expect(quarantineKey("q/", line, "req-9")).toBe(
      "q/2026/11/21/09/vehicle-telemetry/shardId-000000000002/4959-req-9.ndjson",
    );
  });

  it("writes one NDJSON object with one line per rejected record", async () => {
    s3Mock.on(PutObjectCommand).resolves({});

    const key = await writeQuarantine(
      [line, { ...line, recordId: "other" }],
      { bucket: "b", prefix: "q/" },
      s3ObjectWriter(() => new S3Client({})),
      "req-9",
      Date.now() + 5_000,
      Date.now,
    );

    const input = s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ Bucket: "b", Key: key, ContentType: "application/x-ndjson" });
    const body = Buffer.from(input?.Body as Uint8Array).toString("utf8");
    expect(body.split("\n")).toEqual([JSON.stringify(line), JSON.stringify({ ...line, recordId: "other" }), ""]);
  });

  it("throws the S3 error so the caller can report the records for retry", async () => {
    s3Mock.on(PutObjectCommand).rejects(Object.assign(new Error("nope"), { name: "NoSuchBucket" }));

    await expect(
      writeQuarantine(
        [line],
        { bucket: "b", prefix: "q/" },
        s3ObjectWriter(() => new S3Client({})),
        "r",
        Date.now() + 5_000,
        Date.now,
      ),
    ).rejects.toMatchObject({ name: "NoSuchBucket" });
  });
});
