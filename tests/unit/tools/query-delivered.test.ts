/**
 * Delivered objects come down in Firehose's layout: moto's `data/YYYY/MM/DD/HH/` uncompressed
 * objects are re-laid under `year=/month=/day=/hour=` and compressed; a real bucket's GZIP objects
 * are kept as they are; a key in neither layout is refused by name.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DeliveredKeyError,
  deliveredPath,
  downloadDelivered,
  saveDelivered,
} from "../../../tools/pipeline/delivered.ts";

const s3Mock = mockClient(S3Client);
let dir: string;

/** The part of the SDK's body stream that downloadDelivered reads. */
const body = (bytes: Buffer) => ({ transformToByteArray: async () => new Uint8Array(bytes) }) as never;

beforeEach(() => {
  s3Mock.reset();
  dir = mkdtempSync(join(tmpdir(), "query-delivered-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("downloadDelivered", () => {
  it("re-lays moto's objects in Firehose's layout, compressed, and keeps a real bucket's as they are", async () => {
    const plain = Buffer.from('{"vehicleId":"VIN-1"}\n');
    const gzipped = gzipSync(Buffer.from('{"vehicleId":"VIN-2"}\n'));
    s3Mock.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: "data/2026/11/22/21/telemetry-delivery-1-a" },
        { Key: "data/year=2026/month=11/day=22/hour=22/telemetry-delivery-1-b.gz" },
      ],
    });
    s3Mock.on(GetObjectCommand, { Key: "data/2026/11/22/21/telemetry-delivery-1-a" }).resolves({ Body: body(plain) });
    s3Mock
      .on(GetObjectCommand, { Key: "data/year=2026/month=11/day=22/hour=22/telemetry-delivery-1-b.gz" })
      .resolves({ Body: body(gzipped) });

    const written = await downloadDelivered("http://127.0.0.1:1", dir);

    expect(written).toBe(2);
    const first = deliveredPath(dir, new Date("2026-11-22T21:00:00Z"), "telemetry-delivery-1-a");
    expect(first).toBe(join(dir, "data/year=2026/month=11/day=22/hour=21/telemetry-delivery-1-a.gz"));
    expect(gunzipSync(readFileSync(first))).toEqual(plain);
    const second = join(dir, "data/year=2026/month=11/day=22/hour=22/telemetry-delivery-1-b.gz");
    expect(readFileSync(second)).toEqual(gzipped);
  });

  it("refuses a key under data/ in neither layout, naming it", async () => {
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [{ Key: "data/stray.json" }] });
    s3Mock.on(GetObjectCommand).resolves({ Body: body(Buffer.from("{}\n")) });

    await expect(downloadDelivered("http://127.0.0.1:1", dir)).rejects.toThrow(DeliveredKeyError);
    await expect(downloadDelivered("http://127.0.0.1:1", dir)).rejects.toThrow(/data\/stray\.json/);
  });
});

describe("saveDelivered", () => {
  it("keeps only the objects under data/ (a bucket read whole has nothing else to lay out)", () => {
    const line = Buffer.from('{"vehicleId":"VIN-1"}\n');
    const saved = saveDelivered(dir, [
      { key: "errors/2026/11/22/21/failed-1", body: line },
      { key: "data/2026/11/22/21/telemetry-delivery-1-a", body: line },
    ]);
    expect(saved).toBe(1);
    const path = join(dir, "data/year=2026/month=11/day=22/hour=21/telemetry-delivery-1-a.gz");
    expect(gunzipSync(readFileSync(path))).toEqual(line);
  });
});
