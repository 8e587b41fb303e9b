/**
 * Compressed delivery through the real local pipeline (fleet → Kinesis → trigger → built bundle →
 * moto's Firehose → S3) with DELIVERY_COMPRESSION gzip and zstd: the objects Firehose stores (moto
 * keeps the bytes as sent, as Firehose does with CompressionFormat UNCOMPRESSED) are read back in
 * full by two independent readers each: DuckDB (the local query layer) and Python's gzip module or
 * the zstd command-line tool. Every delivered line is there, in each reader, once per delivery.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { afterAll, describe, expect, inject, it } from "vitest";
import {
  type DeliveryCompression,
  FIREHOSE_LIMITS,
  packLines,
  parseDeliveryCompression,
} from "../../shared/firehose/index.ts";
import { requireBuilt } from "../../tools/lambda/invoke.ts";
import { compressionOf, zstdFrames } from "../../tools/pipeline/compressed.ts";
import { downloadDelivered } from "../../tools/pipeline/delivered.ts";
import { DELIVERY_STREAM, deliveredLines, firehoseClient } from "../../tools/pipeline/emulator.ts";
import { accountedFor, DEFAULTS, runPipeline } from "../../tools/pipeline/run.ts";
import { openLocalCatalog } from "../../tools/query/duckdb.ts";

const endpoint = inject("motoEndpoint");
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Every delivered file under `dir`, in key order. */
function deliveredFiles(dir: string): string[] {
  return readdirSync(join(dir, "data"), { recursive: true })
    .map(String)
    .filter((f) => /\.(gz|zst)$/.test(f))
    .sort()
    .map((f) => join(dir, "data", f));
}

/** The recordIds in `text`'s NDJSON lines, one per line. */
function recordIds(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => (JSON.parse(line) as { ingest: { recordId: string } }).ingest.recordId);
}

/** The second reader: Python's gzip module (multi-member) or zstd's own tool (multi-frame). */
function readWithSecondReader(format: "gzip" | "zstd", files: readonly string[]): string {
  const run =
    format === "gzip"
      ? spawnSync(
          "python3",
          ["-c", "import gzip, sys\nfor f in sys.argv[1:]: sys.stdout.write(gzip.open(f, 'rt').read())", ...files],
          { encoding: "utf8", maxBuffer: 1 << 28 },
        )
      : spawnSync("zstd", ["-dc", "--", ...files], { encoding: "utf8", maxBuffer: 1 << 28 });
  if (run.error)
    throw new Error(`${format === "gzip" ? "python3" : "zstd (Debian package zstd)"}: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`the ${format} reader failed: ${run.stderr}`);
  return run.stdout;
}

describe.each(["gzip", "zstd"] as const)("delivery compressed by the function: %s", (format) => {
  it("stores objects every line of which DuckDB and a second, independent reader read back", async () => {
    requireBuilt();
    const dir = mkdtempSync(join(tmpdir(), `compressed-${format}-`));
    dirs.push(dir);

    const report = await runPipeline({
      ...DEFAULTS,
      endpoint,
      vehicles: 8,
      durationS: 60,
      badFraction: 0.05,
      batchSize: 100,
      deliveryCompression: format,
      deliveredDir: dir,
    });
    // One more call of two records, packed and compressed as the function does, so that one object
    // certainly holds two gzip members or zstd frames (moto writes one object per call).
    const again = (await deliveredLines(endpoint)).slice(0, 6);
    const extra = again.map((l) => l.ingest.recordId);
    const compression = parseDeliveryCompression(format) as DeliveryCompression;
    const records = [again.slice(0, 3), again.slice(3)].flatMap((part) =>
      packLines(
        part.map((l) => JSON.stringify(l)),
        FIREHOSE_LIMITS,
        compression,
      ),
    );
    await firehoseClient(endpoint).send(
      new PutRecordBatchCommand({
        DeliveryStreamName: DELIVERY_STREAM,
        Records: records.map((r) => ({ Data: r.data })),
      }),
    );
    await downloadDelivered(endpoint, dir);
    const lines = await deliveredLines(endpoint);
    const files = deliveredFiles(dir);
    const viaSecond = recordIds(readWithSecondReader(format, files));
    const catalog = await openLocalCatalog(dir);
    let viaDuckDb: string[];
    try {
      const result = await catalog.run("SELECT ingest.recordId AS record_id FROM telemetry_raw");
      viaDuckDb = result.rows.map((row) => String(row.record_id));
    } finally {
      catalog.close();
    }

    expect(accountedFor(report.reconciliation)).toBe(true);
    expect(report.reconciliation.delivered).toBeGreaterThan(100);
    // The objects are what the function sent: compressed, one member or frame per Firehose record.
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(file.endsWith(format === "gzip" ? ".gz" : ".zst")).toBe(true);
    const expected = lines.map((l) => l.ingest.recordId).sort();
    expect(new Set(expected).size).toBe(report.reconciliation.delivered);
    expect(expected).toHaveLength(report.reconciliation.delivered + extra.length);
    expect([...viaSecond].sort()).toEqual(expected);
    expect([...viaDuckDb].sort()).toEqual(expected);
    // Firehose billed the compressed bytes: several times fewer than the lines' own.
    expect(report.billedBytesRatio).toBeLessThan(0.5);
    for (const file of files) expect(compressionOf(readFileSync(file))).toBe(format);
    // The extra call's object is its two records as sent, two members or frames: both read, by each reader.
    expect(records).toHaveLength(2);
    const twoRecords = Buffer.concat(records.map((r) => r.data));
    expect(files.filter((file) => readFileSync(file).equals(twoRecords))).toHaveLength(1);
    if (format === "zstd") expect(zstdFrames(twoRecords)).toHaveLength(2);
    for (const id of extra) {
      expect(viaSecond.filter((x) => x === id)).toHaveLength(2);
      expect(viaDuckDb.filter((x) => x === id)).toHaveLength(2);
    }
  });
});
