import { createHash } from "node:crypto";
import { deaggregateSync } from "aws-kinesis-agg/lib/kpl-deagg.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_USER_RECORD_BYTES } from "../../../shared/contract.ts";
import {
  decodeBase64,
  forEachUserRecord,
  isKplAggregate,
  MAX_KEY_REPETITION,
  MAX_PARTITION_KEY_CHARS,
  parseJson,
} from "../../../shared/decode.ts";
import { Rejection } from "../../../shared/rejection.ts";
import {
  jsonBytes,
  kplAggregate,
  kplAggregateOf,
  kplAggregateWithKeyIndexes,
  kplFrame,
} from "../../../tools/fixtures/fixtures.ts";

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

describe("the detail of a rejection names what is wrong", () => {
  it.each([
    [
      "a record whose length runs past the aggregate",
      [0x0a, 0x01, 0x6b, 0x1a, 0x09, 0x08, 0x00],
      "user record 0 runs past the aggregate",
    ],
    ["a record without data", [0x0a, 0x01, 0x6b, 0x1a, 0x02, 0x08, 0x00], "user record 0 has no data"],
    [
      "a record without a partition key index",
      [0x0a, 0x01, 0x6b, 0x1a, 0x03, 0x1a, 0x01, 0x7b],
      "user record 0 has no partition key index",
    ],
    [
      "a truncated partition key index",
      [0x0a, 0x01, 0x6b, 0x1a, 0x02, 0x08, 0x80],
      "user record 0 has a malformed partition key index",
    ],
    [
      "a record's data running past the record",
      [0x0a, 0x01, 0x6b, 0x1a, 0x04, 0x08, 0x00, 0x1a, 0x05],
      "user record 0 data runs past the record",
    ],
    [
      "a record field with a group wire type",
      [0x0a, 0x01, 0x6b, 0x1a, 0x02, 0x03, 0x00],
      "user record 0 is not a valid protobuf Record",
    ],
    [
      "a key table entry running past the aggregate",
      [0x0a, 0x05, 0x6b],
      "partition key table entry runs past the aggregate",
    ],
    ["a field number 0", [0x02, 0x00], "aggregate is not a valid protobuf AggregatedRecord"],
    ["a group wire type", [0x0a, 0x01, 0x6b, 0x1b], "aggregate is not a valid protobuf AggregatedRecord"],
  ])("%s", (_, body, message) => {
    const result = deaggregate(kplFrame(Buffer.from(body)));

    expect(result).toEqual(new Rejection("AGGREGATE_CORRUPT", [{ path: "", message }]));
  });

  it("an aggregate whose checksum does not match", () => {
    const bytes = kplAggregate([{ partitionKey: "k", data: Buffer.from("{}") }]);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;

    expect(deaggregate(bytes)).toEqual(
      new Rejection("AGGREGATE_CORRUPT", [{ path: "", message: "Invalid record checksum" }]),
    );
  });

  it("an aggregate shorter than its frame, with both lengths", () => {
    const result = deaggregate(Buffer.from([0xf3, 0x89, 0x9a, 0xc2, 1, 2, 3]));

    expect(result).toEqual(
      new Rejection("AGGREGATE_CORRUPT", [
        { path: "", message: "aggregate of 7 bytes is shorter than its 20-byte frame" },
      ]),
    );
  });

  it("an aggregate without entries", () => {
    expect(deaggregate(kplFrame(Buffer.from([0x0a, 0x01, 0x6b])))).toEqual(
      new Rejection("AGGREGATE_CORRUPT", [{ path: "", message: "aggregate holds no user records" }]),
    );
  });

  it.each([
    ["missing padding", "YQ", "not padded standard base64"],
    ["the URL-safe alphabet", "ab-c", "not padded standard base64"],
    ["the URL-safe alphabet's underscore", "ab_c", "not padded standard base64"],
    ["a character the decoder skips", "ab!d", "characters outside the base64 alphabet"],
  ])("base64 with %s", (_, data, message) => {
    expect(decodeBase64(data)).toEqual(new Rejection("BASE64_INVALID", [{ path: "", message }]));
  });

  it("a record over the size limit, with its size and the limit", () => {
    const result = parseJson(Buffer.alloc(MAX_USER_RECORD_BYTES + 1, 0x20));

    expect(result).toEqual(
      new Rejection("TOO_LARGE", [
        { path: "", message: `${MAX_USER_RECORD_BYTES + 1} bytes exceeds the 65536-byte limit` },
      ]),
    );
  });

  it("malformed UTF-8", () => {
    expect(parseJson(Buffer.from([0xc3, 0x28]))).toEqual(
      new Rejection("UTF8_INVALID", [{ path: "", message: "bytes are not valid UTF-8" }]),
    );
  });
});

describe("forEachUserRecord, protobuf edges", () => {
  it("skips unused fixed 64-bit, fixed 32-bit and varint fields of the aggregate and of a record", () => {
    // Aggregate: key table ["k"], field 5 fixed64, field 6 fixed32, field 7 varint 300, then one record
    // holding field 4 fixed64, field 5 fixed32, field 6 varint, key 0 and data "{}".
    const record = [
      0x21, 1, 2, 3, 4, 5, 6, 7, 8, 0x2d, 1, 2, 3, 4, 0x30, 0xac, 0x02, 0x08, 0x00, 0x1a, 0x02, 0x7b, 0x7d,
    ];
    const body = [
      0x0a,
      0x01,
      0x6b,
      0x29,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      0x35,
      1,
      2,
      3,
      4,
      0x38,
      0xac,
      0x02,
      0x1a,
      record.length,
      ...record,
    ];

    expect(deaggregate(kplFrame(Buffer.from(body)))).toEqual([
      { partitionKey: "k", subSequenceNumber: 0, data: Buffer.from("{}") },
    ]);
  });

  it.each([
    ["a fixed 64-bit field cut short", [0x0a, 0x01, 0x6b, 0x29, 1, 2, 3, 4, 5, 6, 7]],
    ["a fixed 32-bit field cut short", [0x0a, 0x01, 0x6b, 0x35, 1, 2, 3]],
    ["a varint field cut short", [0x0a, 0x01, 0x6b, 0x38, 0xac]],
    // Ten bytes with the continuation bit, then a zero: protobuf's varints end by the tenth byte.
    [
      "a varint field of eleven bytes",
      [0x0a, 0x01, 0x6b, 0x38, ...Array<number>(10).fill(0x80), 0x00, 0x1a, 0x04, 0x08, 0x00, 0x1a, 0x00],
    ],
    ["an unused length-delimited field running past the aggregate", [0x0a, 0x01, 0x6b, 0x12, 0x09, 0x31]],
  ])("rejects %s as AGGREGATE_CORRUPT", (_, body) => {
    expect(deaggregate(kplFrame(Buffer.from(body)))).toEqual(
      new Rejection("AGGREGATE_CORRUPT", [{ path: "", message: "aggregate is not a valid protobuf AggregatedRecord" }]),
    );
  });

  it("reads a fixed 64-bit field that ends exactly at the end of the aggregate", () => {
    const body = [0x0a, 0x01, 0x6b, 0x1a, 0x04, 0x08, 0x00, 0x1a, 0x00, 0x29, 1, 2, 3, 4, 5, 6, 7, 8];

    expect(deaggregate(kplFrame(Buffer.from(body)))).toEqual([
      { partitionKey: "k", subSequenceNumber: 0, data: Buffer.alloc(0) },
    ]);
  });

  it("rejects a partition key index larger than 2^53 as malformed", () => {
    // Varint of 2^63: ten bytes, the last 0x01.
    const index = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
    const record = [0x08, ...index, 0x1a, 0x00];
    const body = [0x0a, 0x01, 0x6b, 0x1a, record.length, ...record];

    expect(deaggregate(kplFrame(Buffer.from(body)))).toEqual(
      new Rejection("AGGREGATE_CORRUPT", [{ path: "", message: "user record 0 has a malformed partition key index" }]),
    );
  });

  it("reads a partition key index of several varint bytes", () => {
    // 130 keys, the record pointing at the last one (index 129 = varint 0x81 0x01).
    const keys = Array.from({ length: 130 }, (_, i) => [0x0a, 0x01, 0x21 + (i % 90)]).flat();
    const record = [0x08, 0x81, 0x01, 0x1a, 0x02, 0x7b, 0x7d];
    const body = [...keys, 0x1a, record.length, ...record];

    expect(deaggregate(kplFrame(Buffer.from(body)))).toEqual([
      { partitionKey: String.fromCharCode(0x21 + (129 % 90)), subSequenceNumber: 0, data: Buffer.from("{}") },
    ]);
  });

  it("takes bytes that start with only part of the magic number for plain data", () => {
    expect(isKplAggregate(Buffer.from([0xf3, 0x89, 0x9a]))).toBe(false);
    expect(isKplAggregate(Buffer.from([0xf3, 0x89, 0x9a, 0x00]))).toBe(false);
    expect(isKplAggregate(Buffer.from([0xf3, 0x89, 0x00, 0xc2]))).toBe(false);
    expect(isKplAggregate(Buffer.from([0xf3, 0x00, 0x9a, 0xc2]))).toBe(false);
    expect(isKplAggregate(Buffer.from([0x00, 0x89, 0x9a, 0xc2]))).toBe(false);
    expect(isKplAggregate(Buffer.from([0xf3, 0x89, 0x9a, 0xc2]))).toBe(true);
  });
});

describe("forEachUserRecord, fields of an unexpected wire type", () => {
  const one = (partitionKey: string) => [{ partitionKey, subSequenceNumber: 0, data: Buffer.alloc(0) }];

  it("skips a key-table field that is not length-delimited", () => {
    const body = [0x08, 0x00, 0x0a, 0x01, 0x6b, 0x1a, 0x04, 0x08, 0x00, 0x1a, 0x00];
    expect(deaggregate(kplFrame(Buffer.from(body)))).toEqual(one("k"));
  });

  it("skips a records field that is not length-delimited", () => {
    const body = [0x0a, 0x01, 0x6b, 0x18, 0x00, 0x1a, 0x04, 0x08, 0x00, 0x1a, 0x00];
    expect(deaggregate(kplFrame(Buffer.from(body)))).toEqual(one("k"));
  });

  it("skips a record's key-index field that is not a varint, and a data field that is not length-delimited", () => {
    const record = [0x0a, 0x01, 0x41, 0x18, 0x05, 0x08, 0x00, 0x1a, 0x00];
    const body = [0x0a, 0x01, 0x6b, 0x1a, record.length, ...record];
    expect(deaggregate(kplFrame(Buffer.from(body)))).toEqual(one("k"));
  });

  it("skips the key table when reading the records, whatever bytes a key holds", () => {
    // The key's bytes read as a tag would be a records field (0x1a).
    const body = [0x0a, 0x02, 0x1a, 0x00, 0x1a, 0x04, 0x08, 0x00, 0x1a, 0x00];
    expect(deaggregate(kplFrame(Buffer.from(body)))).toEqual(one("\u001a\u0000"));
  });

  it("rejects a fixed 64-bit field cut short even when its bytes would read as valid fields", () => {
    const body = [0x0a, 0x01, 0x6b, 0x1a, 0x04, 0x08, 0x00, 0x1a, 0x00, 0x29, 0x08, 0x00];
    expect(deaggregate(kplFrame(Buffer.from(body)))).toEqual(
      new Rejection("AGGREGATE_CORRUPT", [{ path: "", message: "aggregate is not a valid protobuf AggregatedRecord" }]),
    );
  });

  it("rejects a key-table entry whose length is a truncated varint", () => {
    expect(deaggregate(kplFrame(Buffer.from([0x0a, 0x80])))).toEqual(
      new Rejection("AGGREGATE_CORRUPT", [{ path: "", message: "partition key table entry runs past the aggregate" }]),
    );
  });

  it("numbers the entry that runs past the aggregate", () => {
    const body = [0x0a, 0x01, 0x6b, 0x1a, 0x02, 0x08, 0x00, 0x1a, 0x09, 0x08, 0x00];
    expect(deaggregate(kplFrame(Buffer.from(body)))).toEqual(
      new Rejection("AGGREGATE_CORRUPT", [{ path: "", message: "user record 1 runs past the aggregate" }]),
    );
  });

  it("takes a frame of exactly magic and checksum for an aggregate without entries, not a short one", () => {
    const empty = Buffer.concat([Buffer.from([0xf3, 0x89, 0x9a, 0xc2]), md5(Buffer.alloc(0))]);
    expect(deaggregate(empty)).toEqual(
      new Rejection("AGGREGATE_CORRUPT", [{ path: "", message: "aggregate holds no user records" }]),
    );
  });
});

describe("decodeBase64 without reuse", () => {
  it("gives each call its own buffer: a later decode leaves an earlier result as it was", () => {
    const first = decodeBase64(Buffer.from("first").toString("base64")) as Buffer;
    decodeBase64(Buffer.from("other").toString("base64"));
    expect(first.toString()).toBe("first");
  });
});

describe("forEachUserRecord, partition keys", () => {
  const reading = jsonBytes({ vehicleId: "V", timestamp: 0, speedKmh: 1 });
  const corrupt = (message: string) => new Rejection("AGGREGATE_CORRUPT", [{ path: "", message }]);

  it("reads keys of exactly 256 characters, however many bytes each character takes", () => {
    for (const char of ["k", "é", "€", "😀"]) {
      const key = char.repeat(MAX_PARTITION_KEY_CHARS);
      expect(deaggregate(kplAggregateOf([key], [{ keyIndex: 0, data: reading }]))).toEqual([
        { partitionKey: key, subSequenceNumber: 0, data: reading },
      ]);
    }
  });

  it.each([
    ["257 one-byte characters", "k".repeat(257)],
    ["257 four-byte characters", "😀".repeat(257)],
    ["500,000 characters", "k".repeat(500_000)],
  ])("rejects a key-table entry of %s (over Kinesis's limit) as AGGREGATE_CORRUPT, visiting nothing", (_, key) => {
    const bytes = kplAggregateOf(["VIN-1", key], [{ keyIndex: 0, data: reading }]);
    expect(MAX_PARTITION_KEY_CHARS).toBe(256);
    expect(deaggregate(bytes)).toEqual(corrupt("partition key table entry 1 is over Kinesis's 256-character limit"));
  });

  it("rejects a key the entries repeat past twice the aggregate's size, before visiting any entry", () => {
    // 8-byte entries (2 of data) each pointing at one 256-character key: the aggregate is 599 bytes,
    // and the fifth entry takes the keys its entries repeat to 1,280 bytes, past 1,198.
    const entries = Array.from({ length: 40 }, () => ({ keyIndex: 0, data: Buffer.from("{}") }));
    const bytes = kplAggregateOf(["k".repeat(256)], entries);
    const visited: unknown[] = [];

    expect(MAX_KEY_REPETITION).toBe(2);
    expect(forEachUserRecord(bytes, (user) => visited.push(user))).toEqual(
      corrupt(`its entries repeat partition keys past 2 times its ${bytes.length} bytes (from user record 4 on)`),
    );
    expect(visited).toEqual([]);
  });

  it("counts a key as its line carries it, JSON-escaped: even one entry may not carry 256 control characters", () => {
    // 1,536 bytes escaped, for an aggregate of 336 bytes.
    expect(deaggregate(kplAggregateOf(["\u0001".repeat(256)], [{ keyIndex: 0, data: reading }]))).toMatchObject({
      reason: "AGGREGATE_CORRUPT",
    });
  });

  it("counts a key as its line carries it, JSON-escaped: control characters take six bytes each", () => {
    const at = (key: string, n: number) =>
      kplAggregateOf(
        [key],
        Array.from({ length: n }, () => ({ keyIndex: 0, data: reading })),
      );
    // 100 entries of 53 bytes: 5,300 bytes and more; 100 keys of 50 characters are 5,000 bytes as
    // they are, and 30,000 escaped.
    expect(deaggregate(at("k".repeat(50), 100))).toHaveLength(100);
    expect(deaggregate(at("\u0001".repeat(50), 100))).toMatchObject({ reason: "AGGREGATE_CORRUPT" });
  });

  it("accepts keys repeated to exactly twice the aggregate's size, and not a byte more", () => {
    // Six 8-byte entries (2 of data) on one key: the aggregate is 70 bytes and the key's, 6 × the key's.
    const entries = Array.from({ length: 6 }, () => ({ keyIndex: 0, data: Buffer.from("{}") }));
    const exactly = kplAggregateOf(["k".repeat(35)], entries);
    const over = kplAggregateOf(["k".repeat(36)], entries);
    expect([exactly.length, over.length]).toEqual([105, 106]);

    expect(deaggregate(exactly)).toHaveLength(6);
    expect(deaggregate(over)).toEqual(
      corrupt("its entries repeat partition keys past 2 times its 106 bytes (from user record 5 on)"),
    );
  });

  it("counts a key's characters as Kinesis does: a surrogate pair is one character", () => {
    const entry = [{ keyIndex: 0, data: reading }];
    // 256 characters in 456 UTF-16 units (856 bytes): within the limit; one more is over it.
    expect(deaggregate(kplAggregateOf([`${"\u{10000}".repeat(200)}${"k".repeat(56)}`], entry))).toHaveLength(1);
    expect(deaggregate(kplAggregateOf([`${"\u{10000}".repeat(200)}${"k".repeat(57)}`], entry))).toEqual(
      corrupt("partition key table entry 0 is over Kinesis's 256-character limit"),
    );
  });

  it("accepts keys repeated up to exactly twice the aggregate's size", () => {
    const entries = (n: number) => Array.from({ length: n }, () => ({ keyIndex: 0, data: Buffer.from("{}") }));
    // Find the key length at which 10 entries repeat exactly twice the aggregate's bytes.
    for (let length = 1; length <= 256; length++) {
      const bytes = kplAggregateOf(["k".repeat(length)], entries(10));
      const repeated = 10 * length;
      const result = deaggregate(bytes);
      if (repeated <= 2 * bytes.length) expect(result).toHaveLength(10);
      else expect(result).toMatchObject({ reason: "AGGREGATE_CORRUPT" });
    }
  });
});
