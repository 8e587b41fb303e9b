/** How a Firehose record is compressed: the setting's values and levels, the worst case, the codec itself. */
import { gzipSync, constants as zlibConstants, zstdCompressSync } from "node:zlib";

/**
 * How the function compresses each Firehose record before sending it (`none`: it does not, and the
 * delivery stream may compress the objects itself). Each record becomes one gzip member or one zstd
 * frame: the records Firehose concatenates into an object make a valid multi-member gzip file or a
 * valid multi-frame zstd file.
 */
export interface DeliveryCompression {
  readonly format: "none" | "gzip" | "zstd";
  /** The codec's level (0 for `none`). */
  readonly level: number;
}

export const NO_COMPRESSION: DeliveryCompression = { format: "none", level: 0 };

/**
 * Levels when the value names none, measured on our lines (scripts/bench.ts): gzip 1, not zlib's
 * default 6, which spends over three times as long compressing for ~18 % fewer bytes; zstd 1, which
 * compresses both faster and smaller than zstd's default 3.
 */
export const DEFAULT_LEVELS = { gzip: 1, zstd: 1 } as const;

const COMPRESSION_VALUE = /^(none|gzip(?:-([1-9]))?|zstd(?:-([1-9]|1[0-9]))?)$/;

/** `none`, `gzip`, `gzip-1`…`gzip-9`, `zstd`, `zstd-1`…`zstd-19`; `undefined` for anything else. */
export function parseDeliveryCompression(value: string): DeliveryCompression | undefined {
  const match = COMPRESSION_VALUE.exec(value);
  if (!match) return undefined;
  if (value === "none") return NO_COMPRESSION;
  const format = value.startsWith("gzip") ? "gzip" : "zstd";
  const level = match[2] ?? match[3];
  return { format, level: level === undefined ? DEFAULT_LEVELS[format] : Number(level) };
}

/**
 * The most bytes `format` can turn `n` bytes into, whatever they hold: zlib's `deflateBound` for
 * its default window and memory level plus the gzip wrapper, zstd's `ZSTD_COMPRESSBOUND`; each
 * with 64 bytes to spare.
 */
export function compressedBound(format: DeliveryCompression["format"], n: number): number {
  if (format === "none") return n;
  if (format === "gzip") return n + (n >> 12) + (n >> 14) + (n >> 25) + 7 + 18 + 64;
  const small = 128 * 1024;
  // Stryker disable next-line EqualityOperator: at exactly 128 KiB the margin (small - n) >> 11 is 0 either way
  return n + (n >> 8) + (n < small ? (small - n) >> 11 : 0) + 64;
}

/** Compresses one record's bytes as one gzip member or one zstd frame; `none` returns them as they are. */
export function compressRecord(data: Uint8Array, compression: DeliveryCompression): Uint8Array {
  if (compression.format === "gzip") return gzipSync(data, { level: compression.level });
  if (compression.format === "zstd")
    return zstdCompressSync(data, { params: { [zlibConstants.ZSTD_c_compressionLevel]: compression.level } });
  return data;
}
