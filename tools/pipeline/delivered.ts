/**
 * The delivered objects on local disk, laid out as Firehose lays them out in the data bucket:
 * `data/year=YYYY/month=MM/day=DD/hour=HH/<name>.gz` (GZIP NDJSON) or `<name>.zst` (zstd NDJSON,
 * when the function compresses with zstd). moto's Firehose writes `data/YYYY/MM/DD/HH/<name>` with
 * the bytes as sent (it evaluates neither the prefix's expressions nor the compression nor the file
 * extension), so objects taken from it are re-laid, and gzipped on the way down when they are plain.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { compressionOf, decompressObject } from "./compressed.ts";
import { bucketObjects, DATA_BUCKET, type StoredObject } from "./emulator.ts";

const HIVE_KEY = /^data\/year=(\d{4})\/month=(\d{2})\/day=(\d{2})\/hour=(\d{2})\/([^/]+)$/;
const MOTO_KEY = /^data\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/([^/]+)$/;

/** An object key under data/ in neither Firehose's nor moto's layout. */
export class DeliveredKeyError extends Error {
  constructor(key: string) {
    super(`${key}: not under data/year=YYYY/month=MM/day=DD/hour=HH/ (Firehose) nor data/YYYY/MM/DD/HH/ (moto)`);
    this.name = "DeliveredKeyError";
  }
}

/** Where an object of the arrival hour `at` (UTC) is kept under `dir`, as Firehose would name its key. */
export function deliveredPath(dir: string, at: Date, name: string, extension: ".gz" | ".zst" = ".gz"): string {
  const two = (n: number) => String(n).padStart(2, "0");
  const prefix = `year=${at.getUTCFullYear()}/month=${two(at.getUTCMonth() + 1)}/day=${two(at.getUTCDate())}/hour=${two(at.getUTCHours())}`;
  return join(dir, "data", prefix, name.endsWith(extension) ? name : `${name}${extension}`);
}

/** Writes one delivered object: `lines` as GZIP NDJSON, under the hour `at` arrived in. */
export function writeDeliveredObject(dir: string, at: Date, name: string, lines: readonly unknown[]): string {
  const path = deliveredPath(dir, at, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, gzipSync(lines.map((line) => `${JSON.stringify(line)}\n`).join("")));
  return path;
}

/**
 * Downloads every object under `data/` of the emulator's data bucket into `dir` (replacing what an
 * earlier run left there), in Firehose's layout: gzip and zstd objects as they are (`.gz`, `.zst`),
 * plain ones gzipped (`.gz`, as a Firehose that compresses would write them). Returns how many objects it
 * wrote. Throws `DeliveredKeyError` on a key in neither layout.
 */
export async function downloadDelivered(endpoint: string, dir: string, bucket = DATA_BUCKET): Promise<number> {
  return saveDelivered(dir, await bucketObjects(endpoint, bucket, "data/"));
}

/**
 * `downloadDelivered` for objects already read (the pipeline reads the data bucket once, for its
 * lines and for this copy): those under `data/` written into `dir`, as described there.
 */
export function saveDelivered(dir: string, objects: readonly StoredObject[]): number {
  rmSync(join(dir, "data"), { recursive: true, force: true });
  let saved = 0;
  for (const { key, body } of objects) {
    if (!key.startsWith("data/")) continue;
    const match = HIVE_KEY.exec(key) ?? MOTO_KEY.exec(key);
    if (!match) throw new DeliveredKeyError(key);
    const [, year, month, day, hour, name] = match as unknown as [string, string, string, string, string, string];
    const kind = compressionOf(body);
    const at = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour)));
    const path = deliveredPath(dir, at, name, kind === "zstd" ? ".zst" : ".gz");
    mkdirSync(dirname(path), { recursive: true });
    // A compressed object is checked here, so a corrupt one fails named, not in a query.
    if (kind !== "none") decompressObject(body);
    writeFileSync(path, kind === "none" ? gzipSync(body) : body);
    saved++;
  }
  return saved;
}
