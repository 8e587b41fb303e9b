import { createHash } from "node:crypto";
import { deaggregateSync } from "aws-kinesis-agg/lib/kpl-deagg.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_USER_RECORD_BYTES } from "../../shared/contract.ts";
import { decodeBase64, forEachUserRecord, isKplAggregate, parseJson } from "../../shared/decode.ts";
import { Rejection } from "../../shared/rejection.ts";
import { jsonBytes, kplAggregate, kplAggregateWithKeyIndexes, kplFrame } from "../../tools/fixtures/fixtures.ts";

/** The user records visited, or the rejection. */
function deaggregate(bytes: Buffer) {
  const visited: { partitionKey: string; subSequenceNumber: number | undefined; data: Buffer }[] = [];
  const rejection = forEachUserRecord(bytes, (user) => visited.push({ ...user }));
  return rejection ?? visited;
}

describe("decodeBase64", () => {
  it("decodes padded standard base64 to the original bytes", () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253]);
    const result = decodeBase64(bytes.toString("base64"));
    expect(result).toEqual(bytes);
  });

  it("decodes the empty string to no bytes", () => {
    expect(decodeBase64("")).toEqual(Buffer.alloc(0));
  });

  it.each([
    ["characters outside the alphabet", "not*base64!"],
    ["a character the decoder would skip", "ab!d"],
    ["missing padding", "YQ"],
    ["the URL-safe alphabet", "ab-_"],
    ["padding in the middle", "ab=d"],
  ])("rejects %s as BASE64_INVALID", (_, data) => {
    const result = decodeBase64(data);
    expect(result).toBeInstanceOf(Rejection);
    expect(result).toMatchObject({ reason: "BASE64_INVALID" });
  });
});

describe("forEachUserRecord", () => {
  const users = [
    { partitionKey: "VIN-1", data: jsonBytes({ n: 1 }) },
    { partitionKey: "VIN-2", data: jsonBytes({ n: 2 }) },
    { partitionKey: "VIN-1", data: jsonBytes({ n: 3 }) },
  ];

  it("expands an aggregate into its user records with partition keys and sub-sequence numbers", () => {
    const bytes = kplAggregate(users);
    expect(isKplAggregate(bytes)).toBe(true);

    const result = deaggregate(bytes);

    expect(result).toEqual(
      users.map((user, i) => ({ partitionKey: user.partitionKey, subSequenceNumber: i, data: user.data })),
    );
  });

  it("reads what awslabs' de-aggregator reads, for any aggregate awslabs' aggregator builds (property)", () => {
    const entry = fc.record({
      // The aggregator keys its partition key table by an object: it writes a broken table for "__proto__".
      partitionKey: fc.string({ minLength: 1, maxLength: 20 }).filter((key) => key !== "__proto__"),
      data: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
    });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 40 }), (entries) => {
        const bytes = kplAggregate(entries);
        let expected: unknown;
        deaggregateSync(
          { data: bytes.toString("base64"), partitionKey: "agg", sequenceNumber: "42" },
          true,
          (_, records) => {
            expected = records?.map((r) => ({
              partitionKey: r.partitionKey,
              subSequenceNumber: r.subSequenceNumber,
              data: Buffer.from(r.data, "base64"),
            }));
          },
        );
        expect(deaggregate(bytes)).toEqual(expected);
      }),
    );
  });

  it("rejects an aggregate whose MD5 trailer does not match as AGGREGATE_CORRUPT", () => {
    const bytes = kplAggregate(users);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;

    const result = deaggregate(bytes);

    expect(result).toMatchObject({ reason: "AGGREGATE_CORRUPT" });
  });

  it("rejects a truncated aggregate as AGGREGATE_CORRUPT", () => {
    const bytes = kplAggregate(users).subarray(0, 30);
    const result = deaggregate(bytes);
    expect(result).toMatchObject({ reason: "AGGREGATE_CORRUPT" });
  });

  it("rejects an aggregate shorter than its magic and checksum frame", () => {
    const bytes = Buffer.from([0xf3, 0x89, 0x9a, 0xc2, 1, 2, 3]);
    const result = deaggregate(bytes);
    expect(result).toMatchObject({
      reason: "AGGREGATE_CORRUPT",
      details: [{ message: expect.stringContaining("shorter") }],
    });
  });

  it("rejects an aggregate whose later entry points outside its key table, visiting none of its entries", () => {
    const bytes = kplAggregateWithKeyIndexes([0, 5]);
    const visited: number[] = [];

    const result = forEachUserRecord(bytes, (user) => visited.push(user.subSequenceNumber ?? -1));

    expect(visited).toEqual([]);
    expect(result).toMatchObject({
      reason: "AGGREGATE_CORRUPT",
      details: [{ message: "user record 1 points outside the partition key table" }],
    });
  });

  it.each([
    ["a record whose length runs past the aggregate", [0x0a, 0x01, 0x6b, 0x1a, 0x09, 0x08, 0x00]],
    ["a record without data", [0x0a, 0x01, 0x6b, 0x1a, 0x02, 0x08, 0x00]],
    ["a record without a partition key index", [0x0a, 0x01, 0x6b, 0x1a, 0x03, 0x1a, 0x01, 0x7b]],
    ["a truncated varint", [0x0a, 0x01, 0x6b, 0x1a, 0x02, 0x08, 0x80]],
    ["a field number 0", [0x02, 0x00]],
    ["a group wire type", [0x0a, 0x01, 0x6b, 0x1b]],
  ])("rejects, with a valid checksum, %s as AGGREGATE_CORRUPT", (_, body) => {
    expect(deaggregate(kplFrame(Buffer.from(body)))).toMatchObject({ reason: "AGGREGATE_CORRUPT" });
  });

  it("skips fields it does not use (explicit hash keys, tags) and reads the entries", () => {
    // Key table ["k"], hash key table ["1"], one record: key 0, hash key 0, data "{}", a tag {key "t"}.
    const body = [
      0x0a, 0x01, 0x6b, 0x12, 0x01, 0x31, 0x1a, 0x0d, 0x08, 0x00, 0x10, 0x00, 0x1a, 0x02, 0x7b, 0x7d, 0x22, 0x03, 0x0a,
      0x01, 0x74,
    ];
    expect(deaggregate(kplFrame(Buffer.from(body)))).toEqual([
      { partitionKey: "k", subSequenceNumber: 0, data: Buffer.from("{}") },
    ]);
  });

  it("rejects an aggregate that holds no user records", () => {
    const empty = Buffer.concat([Buffer.from([0xf3, 0x89, 0x9a, 0xc2]), md5(Buffer.alloc(0))]);
    const result = deaggregate(empty);
    expect(result).toMatchObject({ reason: "AGGREGATE_CORRUPT" });
  });

  it("does not take plain JSON for an aggregate", () => {
    expect(isKplAggregate(jsonBytes({ vehicleId: "x" }))).toBe(false);
  });
});

describe("parseJson", () => {
  it("parses multi-byte UTF-8 text", () => {
    const result = parseJson(Buffer.from('{"note":"Zürich → 東京 🚗"}', "utf8"));
    expect(result).toEqual({ note: "Zürich → 東京 🚗" });
  });

  it("accepts a record of exactly the size limit and rejects one byte more as TOO_LARGE", () => {
    const atLimit = Buffer.from(`"${"a".repeat(MAX_USER_RECORD_BYTES - 2)}"`);
    const overLimit = Buffer.from(`"${"a".repeat(MAX_USER_RECORD_BYTES - 1)}"`);

    expect(parseJson(atLimit)).toBe("a".repeat(MAX_USER_RECORD_BYTES - 2));
    expect(parseJson(overLimit)).toMatchObject({ reason: "TOO_LARGE" });
  });

  it("rejects malformed UTF-8 as UTF8_INVALID", () => {
    const result = parseJson(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]));
    expect(result).toMatchObject({ reason: "UTF8_INVALID" });
  });

  it("rejects malformed JSON as JSON_INVALID with the parser's message", () => {
    const result = parseJson(Buffer.from('{"speedKmh": 12', "utf8"));
    expect(result).toMatchObject({ reason: "JSON_INVALID", details: [{ path: "", message: expect.any(String) }] });
  });
});

function md5(bytes: Buffer): Buffer {
  return createHash("md5").update(bytes).digest();
}

describe("decodeBase64 into the shared buffer", () => {
  it("gives the same bytes as a fresh decode, and the same verdicts", () => {
    const bytes = Buffer.from('{"vehicleId":"VIN-1"}');
    expect(decodeBase64(bytes.toString("base64"), true)).toEqual(bytes);
    expect(decodeBase64("ab!d", true)).toMatchObject({ reason: "BASE64_INVALID" });
  });

  it("decodes a record larger than the shared buffer into its own buffer", () => {
    const big = Buffer.alloc(MAX_USER_RECORD_BYTES + 10, 7);
    const decoded = decodeBase64(big.toString("base64"), true) as Buffer;
    expect(decoded).toEqual(big);
  });
});
