/**
 * The queries over what the real local pipeline delivered: fleet → Kinesis → trigger → built bundle
 * → moto's Firehose → S3, the objects downloaded in Firehose's layout, then queries/*.sql run with
 * DuckDB in their derived form. Their answers agree with the delivered lines read straight from S3,
 * and the curated layer merged from those objects holds each delivered reading once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { EnrichedTelemetry } from "../../shared/contract.ts";
import { requireBuilt } from "../../tools/lambda/invoke.ts";
import { downloadDelivered } from "../../tools/pipeline/delivered.ts";
import { DELIVERY_STREAM, deliveredLines, firehoseClient } from "../../tools/pipeline/emulator.ts";
import { DEFAULTS, runPipeline } from "../../tools/pipeline/run.ts";
import { openLocalCatalog } from "../../tools/query/duckdb.ts";
import { printLayers } from "../../tools/query/report.ts";

const endpoint = inject("motoEndpoint");
const dir = mkdtempSync(join(tmpdir(), "query-pipeline-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("queries over the local pipeline's delivered objects", () => {
  it("answer what the delivered lines say, re-deliveries injected through Firehose counted once", async () => {
    requireBuilt();

    const report = await runPipeline({
      ...DEFAULTS,
      endpoint,
      vehicles: 8,
      durationS: 60,
      badFraction: 0.05,
      batchSize: 100,
      // Firehose gone for two invocations: retried batches, so possibly re-deliveries.
      firehoseOutage: { from: 2, invocations: 2 },
      deliveredDir: dir,
    });
    // A retried batch delivered again: five delivered lines sent to Firehose a second time.
    const again = (await deliveredLines(endpoint)).slice(10, 15);
    const firehose = firehoseClient(endpoint);
    await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: DELIVERY_STREAM,
        Records: [{ Data: Buffer.from(again.map((line) => `${JSON.stringify(line)}\n`).join("")) }],
      }),
    );
    await downloadDelivered(endpoint, dir);
    const lines = await deliveredLines(endpoint);
    const distinct = new Map<string, EnrichedTelemetry>(lines.map((l) => [l.ingest.recordId, l]));
    const catalog = await openLocalCatalog(dir);
    try {
      const counts = await catalog.run(
        "SELECT (SELECT count(*) FROM telemetry_raw) AS raw, (SELECT count(*) FROM telemetry) AS deduplicated",
      );
      const duplicates = await catalog.run(
        "SELECT ingest.recordId AS record_id, count(*) AS copies FROM telemetry_raw GROUP BY 1 HAVING count(*) > 1",
      );
      const overSpeed = await catalog.runRawForm("over_speed_per_vehicle_day");
      const freshness = await catalog.runNamed("freshness_and_lag");

      expect(report.reconciliation.delivered).toBe(distinct.size);
      expect(counts.rows[0]).toEqual({ raw: lines.length, deduplicated: distinct.size });
      const copies = new Map<string, number>();
      for (const line of lines) copies.set(line.ingest.recordId, (copies.get(line.ingest.recordId) ?? 0) + 1);
      expect(new Map(duplicates.rows.map((r) => [r.record_id, r.copies]))).toEqual(
        new Map([...copies].filter(([, n]) => n > 1)),
      );
      for (const line of again) expect(copies.get(line.ingest.recordId)).toBeGreaterThanOrEqual(2);
      const expected = new Map<string, number>();
      for (const line of distinct.values()) {
        if (!line.overSpeedLimit) continue;
        const key = `${line.vehicleId} ${line.eventTime.slice(0, 10)}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      expect(new Map(overSpeed.rows.map((r) => [`${r.vehicle_id} ${r.event_date}`, r.over_speed_readings]))).toEqual(
        expected,
      );
      expect(freshness.rows[0]?.readings).toBe(distinct.size);
      expect(freshness.rows[0]?.lag_max_ms).toBe(Math.max(...[...distinct.values()].map((l) => l.ingest.arrivalLagMs)));
    } finally {
      catalog.close();
    }

    // The main job's last part: the curated layer merged from these objects, the queries on both layers.
    const printed: string[] = [];
    const problems = await printLayers(dir, join(dir, "curated"), (line) => printed.push(line));
    expect(problems).toEqual([]);
    const text = printed.join("\n");
    expect(text).toContain(
      `rows in telemetry_curated                            ${distinct.size.toLocaleString("en-US")}`,
    );
    expect(text).toMatch(
      /Over-speed readings per vehicle per day[\s\S]*bytes read: raw [\d,]+ B · curated [\d,]+ B \([\d.]+× fewer\) · same answer on both layers/,
    );
    expect(text).toMatch(/readings curated more than once[\s\S]*\(none\)[\s\S]*freshness_s/);
  });
});
