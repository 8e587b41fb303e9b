import { randomBytes } from "node:crypto";
import { constants, gzipSync, zstdCompressSync, zstdDecompressSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  compressedBound,
  compressRecord,
  type DeliveryCompression,
  FIREHOSE_LIMITS,
  NO_COMPRESSION,
  packBatches,
  packLines,
  parseDeliveryCompression,
  RecordPacker,
} from "../../../shared/firehose/index.ts";
import { decompressObject, ZstdFrameError, zstdFrames } from "../../../tools/pipeline/compressed.ts";

const GZIP = parseDeliveryCompression("gzip") as DeliveryCompression;
const GZIP_9 = parseDeliveryCompression("gzip-9") as DeliveryCompression;
const ZSTD = parseDeliveryCompression("zstd") as DeliveryCompression;
const ZSTD_19 = parseDeliveryCompression("zstd-19") as DeliveryCompression;
const CODECS = [GZIP, GZIP_9, ZSTD, ZSTD_19];
const name = (c: DeliveryCompression) => `${c.format}-${c.level}`;

/** ~300-byte lines, varied enough to be realistic, alike enough to compress. */
function lines(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({ vehicleId: `veh-${i % 97}`, n: i, speedKmh: (i * 7.3) % 180, pad: "x".repeat(200 + (i % 50)) }),
  );
}

/** Lines that barely compress: random base64, the most entropy a JSON string field carries cheaply. */
function noiseLines(count: number, bytes: number): string[] {
  return Array.from({ length: count }, () => randomBytes(bytes).toString("base64"));
}

/** Whether `data` is one gzip member or one zstd frame, as `compression` says, rather than plain bytes. */
function isCompressedAs(data: Uint8Array, compression: DeliveryCompression): boolean {
  const magic = compression.format === "gzip" ? [0x1f, 0x8b] : [0x28, 0xb5, 0x2f, 0xfd];
  return magic.every((byte, i) => data[i] === byte);
}

describe("compressedBound", () => {
  it("is the size itself without compression", () => {
    expect(compressedBound("none", 0)).toBe(0);
    expect(compressedBound("none", 1_000)).toBe(1_000);
  });

  it("is zlib's deflateBound for default parameters, plus the 18-byte gzip wrapper and 64 spare", () => {
    // deflateBound: n + (n >> 12) + (n >> 14) + (n >> 25) + 13 - 6, then the wrapper, then 64.
    expect(compressedBound("gzip", 0)).toBe(7 + 18 + 64);
    expect(compressedBound("gzip", 1_000)).toBe(1_000 + 7 + 18 + 64);
    expect(compressedBound("gzip", 2 ** 25)).toBe(2 ** 25 + 2 ** 13 + 2 ** 11 + 1 + 7 + 18 + 64);
  });

  it("is ZSTD_COMPRESSBOUND plus 64 spare: a margin for inputs under 128 KiB, none from there on", () => {
    // ZSTD_COMPRESSBOUND: n + (n >> 8) + (n < 128 KiB ? (128 KiB - n) >> 11 : 0).
    expect(compressedBound("zstd", 0)).toBe(64 + 64);
    expect(compressedBound("zstd", 1_000)).toBe(1_000 + 3 + 63 + 64);
    expect(compressedBound("zstd", 128 * 1024)).toBe(128 * 1024 + 512 + 64);
    expect(compressedBound("zstd", FIREHOSE_LIMITS.recordBytes)).toBe(FIREHOSE_LIMITS.recordBytes + 4_000 + 64);
  });
});

describe("compressRecord", () => {
  const data = Buffer.from(lines(200).join("\n"));

  it("returns the bytes as they are without compression", () => {
    expect(compressRecord(data, NO_COMPRESSION)).toBe(data);
  });

  it("compresses with gzip at the level asked, not zlib's default", () => {
    expect(Buffer.from(compressRecord(data, GZIP_9))).toEqual(gzipSync(data, { level: 9 }));
    expect(Buffer.from(compressRecord(data, GZIP))).toEqual(gzipSync(data, { level: 1 }));
    expect(gzipSync(data, { level: 1 })).not.toEqual(gzipSync(data));
  });

  it("compresses with zstd at the level asked, not zstd's default", () => {
    const zstdAt = (level: number) =>
      zstdCompressSync(data, { params: { [constants.ZSTD_c_compressionLevel]: level } });
    expect(Buffer.from(compressRecord(data, ZSTD_19))).toEqual(zstdAt(19));
    expect(Buffer.from(compressRecord(data, ZSTD))).toEqual(zstdAt(1));
    expect(zstdAt(1)).not.toEqual(zstdCompressSync(data));
    expect(zstdAt(19)).not.toEqual(zstdCompressSync(data));
  });
});

describe.each(CODECS.map((c) => [name(c), c] as const))("packing with %s", (_, compression) => {
  it("round-trips: the records, concatenated as Firehose concatenates them, decompress to every line in order", () => {
    const input = lines(9_000);
    const records = packLines(input, FIREHOSE_LIMITS, compression);

    expect(records.length).toBeGreaterThan(1);
    const object = Buffer.concat(records.map((r) => r.data));
    expect(decompressObject(object).toString("utf8")).toBe(input.map((l) => `${l}\n`).join(""));
    expect(records.reduce((sum, r) => sum + r.lineCount, 0)).toBe(input.length);
    expect(records.reduce((sum, r) => sum + r.payloadBytes, 0)).toBe(decompressObject(object).byteLength);
    expect(records.every((r) => isCompressedAs(r.data, compression) && r.data.byteLength < r.payloadBytes)).toBe(true);
  });

  it("compresses at finish the records closed while a mark is still held", () => {
    const packer = new RecordPacker({ ...FIREHOSE_LIMITS, recordBytes: 4_096 }, compression);
    const input = lines(40);
    packer.mark();
    for (const [i, line] of input.entries()) packer.add(line, i);
    const records = packer.finish();

    expect(records.length).toBeGreaterThan(1);
    expect(records.every((r) => isCompressedAs(r.data, compression))).toBe(true);
    expect(decompressObject(Buffer.concat(records.map((r) => r.data))).toString("utf8")).toBe(
      input.map((l) => `${l}\n`).join(""),
    );
  });

  it("keeps every record within 1,000 KiB after compression, even for lines that barely compress", () => {
    const records = packLines(noiseLines(120, 20_000), FIREHOSE_LIMITS, compression);

    expect(records.length).toBeGreaterThan(2);
    for (const record of records) expect(record.data.byteLength).toBeLessThanOrEqual(FIREHOSE_LIMITS.recordBytes);
    for (const batch of packBatches(records)) {
      expect(batch.length).toBeLessThanOrEqual(FIREHOSE_LIMITS.batchRecords);
      expect(batch.reduce((sum, r) => sum + r.data.byteLength, 0)).toBeLessThanOrEqual(FIREHOSE_LIMITS.batchBytes);
    }
  });

  it("bounds the worst case: bytes that do not compress at all, at the packer's whole capacity, stay within the record limit", () => {
    const capacity = new RecordPacker(FIREHOSE_LIMITS, compression).lineLimit;
    const compressed = compressRecord(randomBytes(capacity), compression);

    expect(capacity).toBeGreaterThan(FIREHOSE_LIMITS.recordBytes * 0.99);
    expect(compressed.byteLength).toBeGreaterThan(capacity);
    expect(compressed.byteLength).toBeLessThanOrEqual(compressedBound(compression.format, capacity));
    expect(compressed.byteLength).toBeLessThanOrEqual(FIREHOSE_LIMITS.recordBytes);
  });

  it("throws for a line over its capacity, the record limit less compression's worst case", () => {
    const packer = new RecordPacker(FIREHOSE_LIMITS, compression);
    expect(() => packer.add("a".repeat(packer.lineLimit - 1), 0)).not.toThrow();
    expect(() => new RecordPacker(FIREHOSE_LIMITS, compression).add("a".repeat(packer.lineLimit), 0)).toThrow(
      RangeError,
    );
  });

  it("reopens a record closed after a mark, uncompressed, on rollback; compresses what a release keeps", () => {
    const limits = { ...FIREHOSE_LIMITS, recordBytes: 4_096 };
    const packer = new RecordPacker(limits, compression);
    const [a, b, c, d] = [lines(3), lines(40), lines(2), lines(30)] as [string[], string[], string[], string[]];
    for (const [i, line] of a.entries()) packer.add(line, i);
    const mark = packer.mark();
    for (const line of b) packer.add(line, 100);
    packer.rollback(mark);
    for (const line of c) packer.add(line, 200);
    packer.mark();
    for (const line of d) packer.add(line, 300);
    packer.release();
    const records = packer.finish();

    const expected = [...a, ...c, ...d].map((l) => `${l}\n`).join("");
    expect(decompressObject(Buffer.concat(records.map((r) => r.data))).toString("utf8")).toBe(expected);
    for (const record of records) {
      expect(isCompressedAs(record.data, compression)).toBe(true);
      expect(decompressObject(record.data).byteLength).toBe(record.payloadBytes);
      expect(record.data.byteLength).toBeLessThanOrEqual(limits.recordBytes);
    }
  });
});

describe("decompressObject", () => {
  it("reads every frame of a multi-frame zstd object, where Node's zstdDecompressSync stops after the first", () => {
    const frames = ["a\n", "b\n", "c\n"].map((text) => zstdCompressSync(Buffer.from(text)));
    const withChecksum = zstdCompressSync(Buffer.from("d\n"), { params: { [constants.ZSTD_c_checksumFlag]: 1 } });
    const skippable = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 0xaa, 0xbb]);
    const object = Buffer.concat([...frames, skippable, withChecksum]);

    expect(zstdDecompressSync(object).toString()).toBe("a\n");
    expect(zstdFrames(object)).toHaveLength(4);
    expect(decompressObject(object).toString()).toBe("a\nb\nc\nd\n");
  });

  it("reads every member of a multi-member gzip object, and plain bytes as they are", () => {
    expect(decompressObject(Buffer.concat([gzipSync("a\n"), gzipSync("b\n")])).toString()).toBe("a\nb\n");
    expect(decompressObject(Buffer.from('{"a":1}\n')).toString()).toBe('{"a":1}\n');
  });

  it("throws a ZstdFrameError for a truncated frame or trailing bytes", () => {
    const frame = zstdCompressSync(Buffer.from("a\n".repeat(100)));
    expect(() => zstdFrames(frame.subarray(0, frame.byteLength - 2))).toThrow(ZstdFrameError);
    expect(() => zstdFrames(Buffer.concat([frame, Buffer.from("junk")]))).toThrow(ZstdFrameError);
  });
});
