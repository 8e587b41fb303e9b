import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { s3ObjectWriter } from "../../../shared/aws.ts";
import {
  MultipartUploadError,
  NdjsonParts,
  type ObjectWriter,
  QUARANTINE_PART_BYTES,
  type QuarantineLine,
  quarantineKey,
  writeQuarantine,
} from "../../../shared/quarantine.ts";
import { quarantineBodies } from "../../support/batch.ts";

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

describe("quarantine body from parts", () => {
  it("splits NDJSON into full parts of the given size, a line spanning two parts, multi-byte characters whole", () => {
    const lines = ["a".repeat(10), "é€".repeat(4), "b".repeat(25), "c"];
    const body = new NdjsonParts(8);

    for (const line of lines) body.add(line);

    const parts = body.parts();
    expect(parts.slice(0, -1).every((part) => part.length === 8)).toBe(true);
    expect(Buffer.concat(parts).toString("utf8")).toBe(`${lines.join("\n")}\n`);
    expect(body.size).toBe(Buffer.byteLength(`${lines.join("\n")}\n`));
  });

  it("gives for any lines and any part size the NDJSON bytes, every part but the last full, none empty (property)", () => {
    const line = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 40 }));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.integer({ min: 1, max: 96 }), (lines, partBytes) => {
        const body = new NdjsonParts(partBytes);

        for (const text of lines) body.add(text);

        const parts = body.parts();
        const expected = Buffer.from(lines.map((text) => `${text}\n`).join(""), "utf8");
        expect(Buffer.concat(parts)).toEqual(expected);
        expect(body.size).toBe(expected.length);
        expect(parts.slice(0, -1).every((part) => part.length === partBytes)).toBe(true);
        expect(parts.every((part) => part.length > 0 && part.length <= partBytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("grows the first part past its initial buffer for a body of many lines, keeping every byte", () => {
    const lines = Array.from({ length: 3_000 }, (_, i) => `line ${i} ${"x".repeat(i % 50)}`);
    const body = new NdjsonParts(1024 * 1024);

    for (const text of lines) body.add(text);

    const parts = body.parts();
    expect(parts).toHaveLength(1);
    expect(parts[0]?.toString("utf8")).toBe(lines.map((text) => `${text}\n`).join(""));
  });

  describe("with parts larger than the first buffer (64 KiB), which grows to a full part", () => {
    const KiB = 1024;
    it.each([
      ["a first line longer than the first buffer", 1024 * KiB, ["a".repeat(100_000), "b"]],
      ["a line that fills the first buffer exactly, mid-line", 256 * KiB, ["a".repeat(1_000), "b".repeat(90_000)]],
      [
        "a line that runs past the first buffer and the whole part",
        256 * KiB,
        ["a".repeat(1_000), "b".repeat(300_000)],
      ],
      [
        "a long line after one that filled the grown first buffer exactly",
        256 * KiB,
        ["a".repeat(1_000), "b".repeat(128 * KiB - 1_002), "c".repeat(200_000)],
      ],
      ["multi-byte lines across the growth", 128 * KiB, ["é".repeat(30_000), "€".repeat(40_000), "😀".repeat(20_000)]],
    ] as const)("gives the NDJSON bytes in full parts for %s", (_, partBytes, lines) => {
      expectFullParts(partBytes, lines);
    });

    it("gives for any long lines and any such part size the NDJSON bytes in full parts (property)", () => {
      // Lines of one repeated character (1 to 4 UTF-8 bytes), up to twice the largest part.
      const line = fc
        .tuple(fc.integer({ min: 0, max: 150_000 }), fc.constantFrom("a", "é", "€", "😀"))
        .map(([n, c]) => c.repeat(Math.ceil(n / c.length)));
      fc.assert(
        fc.property(
          fc.array(line, { minLength: 1, maxLength: 6 }),
          fc.integer({ min: 64 * KiB, max: 160 * KiB }),
          (lines, partBytes) => expectFullParts(partBytes, lines),
        ),
        { numRuns: 60 },
      );
    });

    function expectFullParts(partBytes: number, lines: readonly string[]) {
      const body = new NdjsonParts(partBytes);

      for (const text of lines) body.add(text);

      const parts = body.parts();
      const expected = Buffer.from(lines.map((text) => `${text}\n`).join(""), "utf8");
      expect(Buffer.concat(parts).equals(expected)).toBe(true);
      expect(parts.map((part) => part.length)).toEqual(
        Array.from({ length: Math.ceil(expected.length / partBytes) }, (_, i) =>
          Math.min(partBytes, expected.length - i * partBytes),
        ),
      );
    }
  });

  it("has no parts before the first line", () => {
    expect(new NdjsonParts(8).parts()).toEqual([]);
    expect(new NdjsonParts(8).size).toBe(0);
  });

  it("uses parts of 8 MiB by default: above S3's 5 MiB minimum", () => {
    expect(QUARANTINE_PART_BYTES).toBe(8 * 1024 * 1024);
  });

  const write = (lines: QuarantineLine[], partBytes: number) =>
    writeQuarantine(
      lines,
      { bucket: "b", prefix: "q/" },
      s3ObjectWriter(() => new S3Client({ region: "eu-west-1" })),
      "req-9",
      Date.now() + 5_000,
      Date.now,
      partBytes,
    );
  const many = Array.from({ length: 40 }, (_, i) => ({ ...line, recordId: `id-${i}` }));

  it("writes a body larger than one part with a CRC32-checked multipart upload, parts in order", async () => {
    s3Mock.on(CreateMultipartUploadCommand).resolves({ UploadId: "u1" });
    s3Mock
      .on(UploadPartCommand)
      .callsFake((input) => ({ ETag: `"e${input.PartNumber}"`, ChecksumCRC32: `c${input.PartNumber}` }));
    s3Mock.on(CompleteMultipartUploadCommand).resolves({});

    const key = await write(many, 4_096);

    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(s3Mock.commandCalls(CreateMultipartUploadCommand)[0]?.args[0].input).toMatchObject({
      Bucket: "b",
      Key: key,
      ContentType: "application/x-ndjson",
      ChecksumAlgorithm: "CRC32",
    });
    const parts = s3Mock.commandCalls(UploadPartCommand).map((c) => c.args[0].input);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((p) => p.PartNumber)).toEqual(parts.map((_, i) => i + 1));
    expect(parts.slice(0, -1).every((p) => (p.Body as Uint8Array).byteLength === 4_096)).toBe(true);
    expect(s3Mock.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input).toMatchObject({
      UploadId: "u1",
      MultipartUpload: {
        Parts: parts.map((p) => ({
          PartNumber: p.PartNumber,
          ETag: `"e${p.PartNumber}"`,
          ChecksumCRC32: `c${p.PartNumber}`,
        })),
      },
    });
    const body = quarantineBodies(s3Mock)[0]?.toString("utf8");
    expect(body).toBe(many.map((l) => `${JSON.stringify(l)}\n`).join(""));
  });

  it("aborts the multipart upload and throws when a part fails, so the records are reported for retry", async () => {
    s3Mock.on(CreateMultipartUploadCommand).resolves({ UploadId: "u1" });
    s3Mock
      .on(UploadPartCommand)
      .resolvesOnce({ ETag: '"e1"' })
      .rejects(Object.assign(new Error("slow down"), { name: "SlowDown" }));
    s3Mock.on(AbortMultipartUploadCommand).resolves({});

    await expect(write(many, 4_096)).rejects.toThrow(MultipartUploadError);

    expect(s3Mock.commandCalls(AbortMultipartUploadCommand)[0]?.args[0].input).toMatchObject({
      Bucket: "b",
      UploadId: "u1",
    });
    expect(s3Mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });

  it("writes a body of exactly one part with one PutObject", async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    const size = many.reduce((sum, l) => sum + Buffer.byteLength(JSON.stringify(l)) + 1, 0);

    await write(many, size);

    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(1);
    expect(s3Mock.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
  });

  it("throws a MultipartUploadError, with nothing to abort, when CreateMultipartUpload returns no UploadId", async () => {
    s3Mock.on(CreateMultipartUploadCommand).resolves({});

    await expect(write(many, 4_096)).rejects.toThrow(
      new MultipartUploadError("CreateMultipartUpload returned no UploadId", undefined),
    );
    expect(s3Mock.commandCalls(UploadPartCommand)).toHaveLength(0);
    expect(s3Mock.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
  });

  it("names the failed step and the S3 error in the MultipartUploadError, and keeps the S3 error as its cause", async () => {
    const slowDown = Object.assign(new Error("slow down"), { name: "SlowDown" });
    s3Mock.on(CreateMultipartUploadCommand).resolves({ UploadId: "u1" });
    s3Mock.on(UploadPartCommand).resolves({ ETag: '"e"' });
    s3Mock.on(CompleteMultipartUploadCommand).rejects(slowDown);
    s3Mock.on(AbortMultipartUploadCommand).resolves({});

    const error = await write(many, 4_096).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(MultipartUploadError);
    expect(error).toMatchObject({
      name: "MultipartUploadError",
      message: "CompleteMultipartUpload failed: SlowDown: slow down",
      cause: slowDown,
    });
  });

  it("refuses to write an object without lines", async () => {
    await expect(write([], 4_096)).rejects.toThrow(new RangeError("writeQuarantine needs at least one line"));
    expect(s3Mock.calls()).toHaveLength(0);
  });
});

describe("quarantine calls and their deadline", () => {
  /** Our own ObjectWriter interface, recording each call's input and options (no S3 behaviour). */
  function recordingWriter(failUploadPart = false) {
    const calls: { name: string; input: Record<string, unknown>; signal: AbortSignal | undefined }[] = [];
    const record = (name: string) => async (input: object, options?: { abortSignal?: AbortSignal }) => {
      calls.push({ name, input: input as Record<string, unknown>, signal: options?.abortSignal });
      if (name === "uploadPart" && failUploadPart) throw Object.assign(new Error("slow down"), { name: "SlowDown" });
      return { UploadId: "u1", ETag: '"e"' };
    };
    const writer: ObjectWriter = {
      putObject: async (input, options) => void (await record("putObject")(input, options)),
      createMultipartUpload: record("createMultipartUpload"),
      uploadPart: record("uploadPart"),
      completeMultipartUpload: async (input, options) => void (await record("completeMultipartUpload")(input, options)),
      abortMultipartUpload: async (input, options) => void (await record("abortMultipartUpload")(input, options)),
    };
    return { calls, writer };
  }
  const many = Array.from({ length: 40 }, (_, i) => ({ ...line, recordId: `id-${i}` }));

  it("gives the PutObject call an abort signal for the deadline", async () => {
    const { calls, writer } = recordingWriter();

    await writeQuarantine([line], { bucket: "b", prefix: "q/" }, writer, "r", Date.now() + 60_000, Date.now);

    expect(calls.map((c) => c.name)).toEqual(["putObject"]);
    expect(calls[0]?.signal).toBeInstanceOf(AbortSignal);
  });

  it("gives every multipart call an abort signal, and every part a CRC32 checksum", async () => {
    const { calls, writer } = recordingWriter();

    await writeQuarantine(many, { bucket: "b", prefix: "q/" }, writer, "r", Date.now() + 60_000, Date.now, 4_096);

    expect(calls.every((c) => c.signal instanceof AbortSignal)).toBe(true);
    const parts = calls.filter((c) => c.name === "uploadPart");
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((c) => c.input.ChecksumAlgorithm === "CRC32")).toBe(true);
  });

  it("names UploadPart as the failed step, and aborts with a signal too", async () => {
    const { calls, writer } = recordingWriter(true);

    const error = await writeQuarantine(
      many,
      { bucket: "b", prefix: "q/" },
      writer,
      "r",
      Date.now() + 60_000,
      Date.now,
      4_096,
    ).catch((err: unknown) => err);

    expect(error).toMatchObject({ name: "MultipartUploadError", message: "UploadPart failed: SlowDown: slow down" });
    expect(calls.at(-1)).toMatchObject({ name: "abortMultipartUpload", signal: expect.any(AbortSignal) });
  });
});
