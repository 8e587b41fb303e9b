/**
 * The curated layer: its Athena statements are generated from the output contract and parse as
 * Trino SQL (sqlglot), and the hourly merge, run locally in the DuckDB form sqlglot derives from
 * them over a known fleet, keeps each reading once in the day it happened: re-running an hour
 * changes nothing, a re-delivered batch appears once, a reading 6 hours late lands in its event
 * day, one outside the event-day window stays in raw and is counted, and a missing one is found.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Type from "typebox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EnrichedTelemetry, EnrichedTelemetryV1 } from "../../../shared/contract.ts";
import { writeDeliveredObject } from "../../../tools/pipeline/delivered.ts";
import { CURATED_TABLE, contractColumns } from "../../../tools/query/columns.ts";
import { openLocalCuration } from "../../../tools/query/curate-local.ts";
import {
  CurationRangeError,
  createTableSql,
  curatedColumns,
  EVENT_DAY_WINDOW,
  fill,
  maintenanceTokens,
  mergeSql,
  mergeTokens,
  optimizeSql,
  reconcileSql,
} from "../../../tools/query/curated.ts";
import { openLocalCatalog } from "../../../tools/query/duckdb.ts";
import { writeFleetDeliveries } from "../../support/fleet-deliveries.ts";

const SUPPORT = join(import.meta.dirname, "..", "..", "support", "sql_parse.py");
const LOCATION = "s3://data-bucket/curated/telemetry_curated/";

interface Parsed {
  readonly kind: string;
  readonly table: string | null;
  readonly columns: readonly [string, string][];
  readonly partitioned_by: readonly string[];
  readonly properties: Readonly<Record<string, string>>;
  readonly error?: string;
}

/** Each text as sqlglot parses it in the dialect (tests/support/sql_parse.py). */
function parse(dialect: string, texts: readonly string[]): Parsed[] {
  const result = spawnSync(process.env.SAM_PYTHON ?? "python3", [SUPPORT], {
    input: JSON.stringify({ dialect, texts }),
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as Parsed[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("the curated table's DDL", () => {
  it("is generated from the contract and parses as Trino SQL: an Iceberg table by day(eventTime), Parquet, zstd", () => {
    const [ddl] = parse("trino", [createTableSql(LOCATION)]);

    expect(ddl?.error).toBeUndefined();
    expect(ddl?.kind).toBe("Create");
    expect(ddl?.table).toBe(CURATED_TABLE);
    expect(ddl?.columns.map(([name]) => name)).toEqual([
      ...contractColumns().map((c) => c.name),
      "recordId",
      "event_day",
    ]);
    expect(Object.fromEntries(ddl?.columns ?? [])).toMatchObject({
      vehicleId: "VARCHAR",
      eventTime: "TIMESTAMP",
      location: "ROW(lat DOUBLE, lon DOUBLE)",
      recordId: "VARCHAR",
      event_day: "DATE",
    });
    expect(ddl?.partitioned_by).toEqual(["DAY(eventTime)"]);
    expect(ddl?.properties).toEqual({
      location: LOCATION,
      table_type: "ICEBERG",
      format: "PARQUET",
      write_compression: "ZSTD",
    });
  });

  it("follows the contract: a field added to it is a column of the table", () => {
    const extended = Type.Object({ ...EnrichedTelemetryV1.properties, batteryPct: Type.Optional(Type.Number()) });

    const [ddl] = parse("trino", [createTableSql(LOCATION, contractColumns([extended]))]);

    expect(ddl?.columns).toContainEqual(["batteryPct", "DOUBLE"]);
    expect(curatedColumns(contractColumns([extended])).map((c) => c.name)).toContain("batteryPct");
  });
});

describe("the merge, reconciliation and maintenance statements", () => {
  const tokens = mergeTokens(Date.UTC(2026, 10, 22, 21, 5), Date.UTC(2026, 10, 22, 21, 55));

  it("parse as Trino SQL once their tokens are filled: a MERGE into the table, a SELECT", () => {
    const parsed = parse("trino", [fill(mergeSql(), tokens), fill(reconcileSql(), tokens)]);

    expect(parsed.map((p) => [p.kind, p.error])).toEqual([
      ["Merge", undefined],
      ["Select", undefined],
    ]);
    expect(fill(mergeSql(), tokens)).toMatch(
      /ON t\.recordId = s\.recordId AND t\.event_day = s\.event_day\nWHEN NOT MATCHED THEN INSERT/,
    );
    expect(fill(mergeSql(), tokens)).not.toMatch(/WHEN MATCHED/);
  });

  it("take one arrival hour and the event days from 89 before to 1 after it: at most 91 partitions a statement", () => {
    expect(tokens).toEqual({
      from_hour: "2026112221",
      to_hour: "2026112221",
      first_day: "2026-08-25",
      last_day: "2026-11-23",
    });
    expect(EVENT_DAY_WINDOW.daysBefore + EVENT_DAY_WINDOW.daysAfter + 1).toBeLessThanOrEqual(100);
  });

  it("take a whole arrival day at most, and never a range that ends before it starts", () => {
    const start = Date.UTC(2026, 10, 22);
    expect(mergeTokens(start, start + 23 * HOUR).to_hour).toBe("2026112223");
    expect(() => mergeTokens(start, start + DAY)).toThrow(CurationRangeError);
    expect(() => mergeTokens(start + HOUR, start)).toThrow(/ends \(2026-11-22T00\) before it starts \(2026-11-22T01\)/);
  });

  it("compact the two whole days before a maintenance run's day, by the partition's source column only", () => {
    const sql = fill(optimizeSql(), maintenanceTokens(Date.UTC(2026, 10, 22, 2, 30)));
    expect(sql).toBe(
      "OPTIMIZE telemetry_curated REWRITE DATA USING BIN_PACK\nWHERE eventTime >= TIMESTAMP '2026-11-20 00:00:00' AND eventTime < TIMESTAMP '2026-11-22 00:00:00'",
    );
  });

  it("refuse to run with a token left unfilled", () => {
    expect(() => fill(mergeSql(), { from_hour: "2026112221" })).toThrow(/token to_hour has no value/);
  });
});

describe("the hourly merge, locally (DuckDB, the Athena text as sqlglot derives it)", { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "query-curated-"));
  // Readings of 21:00–21:15 on 22 November (UTC), arriving in the hour they were taken.
  const startMs = Date.UTC(2026, 10, 22, 21, 0);
  let lines: readonly EnrichedTelemetry[];
  let redelivered: readonly string[];
  let late: EnrichedTelemetry;
  let ancient: EnrichedTelemetry;
  const lateArrival = Date.UTC(2026, 10, 23, 3, 30);

  beforeAll(() => {
    const fleet = writeFleetDeliveries({
      dir,
      vehicles: 4,
      durationS: 900,
      startMs,
      seed: 11,
      speedLimitKmh: 130,
      speeder: { vehicleId: "VIN-000002", seconds: 30 },
      redelivered: 12,
      linesPerObject: 400,
    });
    lines = fleet.lines;
    redelivered = fleet.redelivered;
    // A vehicle out of coverage uploads a reading of 21:30 six hours late, in the arrival hour 03:00 of the next day.
    const template = lines[0] as EnrichedTelemetry;
    late = {
      ...template,
      eventTime: new Date(lateArrival - 6 * HOUR).toISOString(),
      ingest: {
        ...template.ingest,
        recordId: "shardId-000000000001:late",
        arrivalTime: new Date(lateArrival).toISOString(),
        processedAt: new Date(lateArrival + 500).toISOString(),
      },
    };
    // A device whose clock is 200 days behind: outside the window of its arrival hour.
    ancient = {
      ...late,
      eventTime: new Date(lateArrival - 200 * DAY).toISOString(),
      ingest: { ...late.ingest, recordId: "shardId-000000000001:ancient" },
    };
    writeDeliveredObject(dir, new Date(lateArrival), "telemetry-delivery-late", [late, ancient]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps each reading once: a re-delivered batch appears once, and re-running the hour inserts nothing", async () => {
    const curation = await openLocalCuration(dir);
    try {
      const first = await curation.mergeHours(startMs);
      const rowsAfterFirst = await curation.rows();
      const again = await curation.mergeHours(startMs);

      expect(redelivered.length).toBe(12);
      expect(first.reconciliation).toEqual({
        raw_records: lines.length,
        in_window: lines.length,
        out_of_window: 0,
        missing: 0,
        duplicated: 0,
      });
      expect(rowsAfterFirst).toBe(lines.length);
      expect(await curation.rows()).toBe(rowsAfterFirst);
      expect(again.reconciliation).toEqual(first.reconciliation);
    } finally {
      curation.close();
    }
  });

  it("finds what curated lacks: an hour reconciled without its merge has every reading missing", async () => {
    const curation = await openLocalCuration(dir);
    try {
      const unmerged = await curation.reconcileHours(startMs);

      expect(unmerged.reconciliation).toMatchObject({ raw_records: lines.length, missing: lines.length });
    } finally {
      curation.close();
    }
  });

  it("lands a reading 6 hours late in its event day, and counts one outside the window without taking it", async () => {
    const curation = await openLocalCuration(dir);
    const curatedDir = join(dir, "curated");
    try {
      const hours = await curation.arrivalHours();
      for (const hour of hours) await curation.mergeHours(hour);
      const lateHour = await curation.reconcileHours(lateArrival);
      await curation.write(curatedDir);

      expect(hours).toEqual([startMs, Date.UTC(2026, 10, 23, 3)]);
      expect(lateHour.reconciliation).toEqual({
        raw_records: 2,
        in_window: 1,
        out_of_window: 1,
        missing: 0,
        duplicated: 0,
      });
      expect(await curation.rows()).toBe(lines.length + 1);
      expect(readdirSync(curatedDir).sort()).toEqual(["event_day=2026-11-22"]);
    } finally {
      curation.close();
    }
    const catalog = await openLocalCatalog(dir, { curatedDir });
    try {
      const found = await catalog.run(
        `SELECT event_day, eventTime FROM telemetry_curated WHERE recordId IN ('${late.ingest.recordId}', '${ancient.ingest.recordId}')`,
      );
      expect(found.rows).toEqual([{ event_day: "2026-11-22", eventTime: "2026-11-22 21:30:00" }]);
    } finally {
      catalog.close();
    }
  });
});
