/**
 * What the benchmark races, each a function of one Kinesis event: the floor (base64 +
 * `JSON.parse` + `JSON.stringify`), the same-output floor, ours (the built bundle) under each
 * DELIVERY_COMPRESSION measured, and the two Powertools peers, bundled the way ours is.
 */
import { join } from "node:path";
import type { KinesisStreamEvent } from "aws-lambda";
import { BUILT_BUNDLE, type Handler, loadHandler } from "../lambda/invoke.ts";
import { consumerTemplate, parameterDefault } from "../templates/consumer-template.ts";
import { BENCH_OUT, bundleFunction } from "./bundling.ts";

export type Contender = (event: KinesisStreamEvent) => Promise<unknown> | unknown;

/**
 * The DELIVERY_COMPRESSION settings measured: none (Firehose compresses after ingestion), and the
 * function compressing with gzip (level 1, the option's, and 6, zlib's default) and zstd (level 1,
 * the option's, and 3, zstd's default).
 */
export const COMPRESSIONS = ["none", "gzip", "gzip-6", "zstd", "zstd-3"] as const;
export type Compression = (typeof COMPRESSIONS)[number];
/** The template's default (DeliveryCompression), whose figures the targets are held to: read from template.yaml. */
export function defaultCompression(): Compression {
  const value = parameterDefault(consumerTemplate(), "DeliveryCompression");
  const measured = COMPRESSIONS.find((c) => c === value);
  if (measured === undefined) throw new Error(`template.yaml's DeliveryCompression default ${value} is not measured`);
  return measured;
}
/** Ours' name in the figures under one setting. */
export const oursName = (c: Compression) => (c === "none" ? "ours" : `ours ${c}`);

/** The floor: base64 decode + `JSON.parse` + `JSON.stringify` of each record, nothing else. */
export function floor(event: KinesisStreamEvent): void {
  for (const record of event.Records) {
    try {
      JSON.stringify(JSON.parse(Buffer.from(record.kinesis.data, "base64").toString("utf8")));
    } catch {
      // Aggregates and poison records are not JSON; the floor skips them.
    }
  }
}

/** Ours, loaded once per setting, and the two peers with peer A's bundle (its size and cold init are figures). */
export interface Handlers {
  readonly ours: Readonly<Record<Compression, Handler>>;
  readonly peerA: Handler;
  readonly peerB: Handler;
  readonly peerAFile: string;
}

/** Bundles the peers and loads them and ours; the AWS transport must be in place before (stub-transport.ts). */
export async function loadHandlers(): Promise<Handlers> {
  const peerAFile = await bundlePeer("peer-a");
  const peerBFile = await bundlePeer("peer-b");
  // One instance of the bundle per setting: the function reads DELIVERY_COMPRESSION once, at load.
  const ours = {} as Record<Compression, Handler>;
  for (const compression of COMPRESSIONS) {
    process.env.DELIVERY_COMPRESSION = compression;
    ours[compression] = loadHandler(BUILT_BUNDLE, { fresh: true });
  }
  delete process.env.DELIVERY_COMPRESSION;
  return { ours, peerA: loadHandler(peerAFile), peerB: loadHandler(peerBFile), peerAFile };
}

const bundlePeer = (name: string) =>
  bundleFunction(join(import.meta.dirname, "peers", `${name}.ts`), join(BENCH_OUT, name), ["@aws-sdk/*"]);
