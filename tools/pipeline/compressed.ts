/**
 * Reading delivered objects whatever the delivery compression: plain NDJSON, multi-member gzip
 * (records the function gzipped, or an object Firehose gzipped) or multi-frame zstd (records the
 * function compressed with zstd). Node's `zstdDecompressSync` stops after an object's first frame
 * (nodejs/node#64741), so zstd objects are split into frames here and each decoded on its own.
 */
import { gunzipSync, zstdDecompressSync } from "node:zlib";

const ZSTD_MAGIC = 0xfd2fb528;
/** Skippable frames: magic 0x184D2A50 to 0x184D2A5F. */
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

/** A zstd object that ends inside a frame or holds bytes that begin no frame. */
export class ZstdFrameError extends Error {
  constructor(offset: number, why: string) {
    super(`zstd object: ${why} at byte ${offset}`);
    this.name = "ZstdFrameError";
  }
}

export type ObjectCompression = "gzip" | "zstd" | "none";

/** What an object's first bytes say it is. */
export function compressionOf(body: Uint8Array): ObjectCompression {
  if (body[0] === 0x1f && body[1] === 0x8b) return "gzip";
  if (body.byteLength >= 4 && Buffer.from(body.buffer, body.byteOffset, 4).readUInt32LE(0) === ZSTD_MAGIC)
    return "zstd";
  return "none";
}

/** An object's bytes, decompressed (every gzip member, every zstd frame). Throws for a corrupt object. */
export function decompressObject(body: Uint8Array): Buffer {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const kind = compressionOf(bytes);
  if (kind === "gzip") return gunzipSync(bytes);
  if (kind === "zstd") return Buffer.concat(zstdFrames(bytes).map((frame) => zstdDecompressSync(frame)));
  return bytes;
}

/**
 * The frames of a zstd object, by the format's own framing (RFC 8878 §3.1): a frame header, then
 * blocks (each a 3-byte header giving its size and whether it is the last), then the optional checksum.
 */
export function zstdFrames(bytes: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  let at = 0;
  while (at < bytes.byteLength) {
    if (at + 4 > bytes.byteLength) throw new ZstdFrameError(at, "a truncated magic number");
    const magic = bytes.readUInt32LE(at);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      at += 8 + bytes.readUInt32LE(at + 4);
      continue;
    }
    if (magic !== ZSTD_MAGIC) throw new ZstdFrameError(at, "bytes that begin no frame");
    const start = at;
    const descriptor = bytes[at + 4] as number;
    const singleSegment = (descriptor >> 5) & 1;
    const contentSizeBytes = [singleSegment, 2, 4, 8][descriptor >> 6] as number;
    const dictionaryBytes = [0, 1, 2, 4][descriptor & 3] as number;
    const checksumBytes = (descriptor >> 2) & 1 ? 4 : 0;
    at += 5 + (singleSegment ? 0 : 1) + dictionaryBytes + contentSizeBytes;
    for (let last = false; !last; ) {
      if (at + 3 > bytes.byteLength) throw new ZstdFrameError(at, "a truncated block header");
      const header = bytes.readUIntLE(at, 3);
      last = (header & 1) === 1;
      const type = (header >> 1) & 3;
      at += 3 + (type === 1 ? 1 : header >> 3);
    }
    at += checksumBytes;
    if (at > bytes.byteLength) throw new ZstdFrameError(start, "a truncated frame");
    frames.push(bytes.subarray(start, at));
  }
  return frames;
}
