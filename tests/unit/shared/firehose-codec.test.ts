/**
 * The packer against a watched gzip codec (node:zlib's gzipSync, wrapped): when records are
 * compressed (as they close, or when the mark that held them goes), and the guard that refuses a
 * compressed record over the record limit, which only a codec breaking `compressedBound` can reach.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { CompressedRecordSizeError, FIREHOSE_LIMITS, RecordPacker } from "../../../shared/firehose/index.ts";

/** What the wrapped gzipSync does: counts its calls, and returns `outputBytes` zeros when set. */
const codec = vi.hoisted(() => ({ calls: 0, outputBytes: undefined as number | undefined }));

vi.mock("node:zlib", async (importOriginal) => {
  const zlib = await importOriginal<typeof import("node:zlib")>();
  const gzipSync: typeof zlib.gzipSync = (data, options) => {
    codec.calls++;
    return codec.outputBytes === undefined ? zlib.gzipSync(data, options) : Buffer.alloc(codec.outputBytes);
  };
  return { ...zlib, gzipSync };
});

const GZIP = { format: "gzip", level: 1 } as const;
const limits = { ...FIREHOSE_LIMITS, recordBytes: 200 };

beforeEach(() => {
  codec.calls = 0;
  codec.outputBytes = undefined;
});

/** A packer of capacity 111 bytes (200 less gzip's worst case) for lines of 50 bytes: a record holds two. */
function packer(): RecordPacker {
  const packer = new RecordPacker(limits, GZIP);
  expect(packer.lineLimit).toBe(111);
  return packer;
}
const line = "x".repeat(49);

describe("RecordPacker compression", () => {
  it("compresses each record as it closes when no mark is held", () => {
    const p = packer();
    p.add(line, 0);
    p.add(line, 1);
    expect(codec.calls).toBe(0);
    p.add(line, 2);
    expect(codec.calls).toBe(1);
  });

  it("keeps records closed under a mark uncompressed, and compresses them on release", () => {
    const p = packer();
    p.mark();
    for (let i = 0; i < 5; i++) p.add(line, i); // closes two records
    expect(codec.calls).toBe(0);

    p.release();

    expect(codec.calls).toBe(2);
    p.add(line, 5);
    p.add(line, 6); // the mark is gone: this closes the third record, compressed at once
    expect(codec.calls).toBe(3);
  });

  it("compresses on rollback the records kept from before the mark, and those closed after it as they close", () => {
    const p = packer();
    p.mark();
    for (let i = 0; i < 3; i++) p.add(line, i); // closes the first record, under the first mark
    const second = p.mark();
    for (let i = 3; i < 6; i++) p.add(line, i); // closes the second record
    expect(codec.calls).toBe(0);

    p.rollback(second);

    expect(codec.calls).toBe(1); // the first record; the second is reopened
    p.add(line, 6); // fills the reopened record; the next line closes it
    p.add(line, 7);
    expect(codec.calls).toBe(2);
    expect(p.finish().map((r) => r.lineCount)).toEqual([2, 2, 1]);
  });

  it("keeps a compressed record of exactly the record limit", () => {
    codec.outputBytes = limits.recordBytes;
    const p = packer();
    p.add(line, 0);

    expect(p.finish().map((r) => r.data.byteLength)).toEqual([limits.recordBytes]);
  });

  it("throws a CompressedRecordSizeError for a compressed record a byte over the limit", () => {
    codec.outputBytes = limits.recordBytes + 1;
    const p = packer();
    p.add(line, 0);

    let error: unknown;
    try {
      p.finish();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CompressedRecordSizeError);
    expect(error).toMatchObject({
      name: "CompressedRecordSizeError",
      message: "a compressed record of 201 bytes is over the 200-byte record limit",
    });
  });
});
