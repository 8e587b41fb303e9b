/**
 * The fleet team's queries, run locally with DuckDB (in the DuckDB form sqlglot derives from
 * queries/*.sql) over delivered objects made from a known fleet with re-deliveries injected, and
 * over the curated layer merged from them: each result equals what the fleet's own readings say it
 * must be, and the raw layer's form of each moved query gives the same answer.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EnrichedTelemetry } from "../../../shared/contract.ts";
import { contractColumns } from "../../../tools/query/columns.ts";
import { curateEveryHour, openLocalCuration } from "../../../tools/query/curate-local.ts";
import { type LocalCatalog, openLocalCatalog } from "../../../tools/query/duckdb.ts";
import { namedQueries, RAW_FORMS_DIR } from "../../../tools/query/queries.ts";
import { sameAnswer } from "../../../tools/query/report.ts";
import { toDuckDb } from "../../../tools/query/transpile.ts";
import { type FleetDeliveries, writeFleetDeliveries } from "../../support/fleet-deliveries.ts";

const SPEED_LIMIT = 130;
const SPEEDER = { vehicleId: "VIN-000003", seconds: 45 };
const dir = mkdtempSync(join(tmpdir(), "query-local-"));
// The readings end two minutes ago and span 15 minutes: inside every query's window.
const startMs = Math.floor(Date.now() / 1000) * 1000 - 17 * 60_000;
let fleet: FleetDeliveries;
let catalog: LocalCatalog;

const dateOf = (line: EnrichedTelemetry) => line.eventTime.slice(0, 10);
function byVehicle(lines: readonly EnrichedTelemetry[]): Map<string, EnrichedTelemetry[]> {
  const groups = new Map<string, EnrichedTelemetry[]>();
  for (const line of lines) groups.set(line.vehicleId, [...(groups.get(line.vehicleId) ?? []), line]);
  return groups;
}

beforeAll(async () => {
  fleet = writeFleetDeliveries({
    dir,
    vehicles: 6,
    durationS: 900,
    startMs,
    seed: 7,
    speedLimitKmh: SPEED_LIMIT,
    speeder: SPEEDER,
    redelivered: 9,
    linesPerObject: 500,
  });
  const curation = await openLocalCuration(dir);
  try {
    await curateEveryHour(curation);
    await curation.write(join(dir, "curated"));
  } finally {
    curation.close();
  }
  catalog = await openLocalCatalog(dir, { curatedDir: join(dir, "curated") });
});

afterAll(() => {
  catalog?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("queries over the delivered objects, locally", () => {
  it("runs the DuckDB form sqlglot derives from each queries/*.sql, which the Athena text itself is not", async () => {
    const query = namedQueries(RAW_FORMS_DIR).find((q) => q.name === "over_speed_per_vehicle_day");
    if (!query) throw new Error("queries/raw/over_speed_per_vehicle_day.sql is missing");

    const result = await catalog.runRawForm(query.name);

    expect(result.sql).toBe(toDuckDb([query.sql])[0]);
    expect(result.sql).not.toContain("from_iso8601_timestamp");
    // DuckDB has neither date_format nor from_iso8601_timestamp: the Athena text runs here only
    // through its derived form.
    await expect(runAthenaTextAsIs(query.sql)).rejects.toThrow(/Scalar Function with name \w+ does not exist/);
  });

  it("reads every delivered line into the raw table and keeps one per recordId in the view", async () => {
    const raw = await catalog.run("SELECT count(*) AS n, count(DISTINCT ingest.recordId) AS ids FROM telemetry_raw");
    const view = await catalog.run("SELECT count(*) AS n FROM telemetry");

    expect(raw.rows[0]).toEqual({ n: fleet.lines.length + fleet.redelivered.length, ids: fleet.lines.length });
    expect(view.rows[0]).toEqual({ n: fleet.lines.length });
  });

  it("holds each reading once in the curated layer, re-deliveries merged: the merge's check answers none", async () => {
    const curated = await catalog.run("SELECT count(*) AS n, count(DISTINCT recordId) AS ids FROM telemetry_curated");
    const check = await catalog.runNamed("curated_duplicates");

    expect(fleet.redelivered.length).toBeGreaterThan(0);
    expect(curated.rows[0]).toEqual({ n: fleet.lines.length, ids: fleet.lines.length });
    expect(check.rows).toEqual([]);
  });

  it.each(namedQueries(RAW_FORMS_DIR).map((q) => q.name))(
    "%s gives the same answer on the curated layer as its raw form on the raw layer, reading fewer bytes",
    async (name) => {
      const curated = await catalog.runNamed(name);
      const raw = await catalog.runRawForm(name);

      expect(curated.rows.length).toBeGreaterThan(0);
      expect(sameAnswer(curated, raw)).toBe(true);
      expect(curated.bytesRead).toBeLessThan(raw.bytesRead ?? 0);
    },
  );

  it("counts each over-speed reading once per vehicle and day, the vehicle made to speed first", async () => {
    const expected = new Map<string, number>();
    for (const line of fleet.lines.filter((l) => l.speedKmh > SPEED_LIMIT)) {
      const key = `${line.vehicleId} ${dateOf(line)}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }

    const result = await catalog.runNamed("over_speed_per_vehicle_day");

    const actual = new Map(result.rows.map((r) => [`${r.vehicle_id} ${r.event_date}`, r.over_speed_readings]));
    expect(actual).toEqual(expected);
    expect(result.rows[0]?.vehicle_id).toBe(SPEEDER.vehicleId);
    expect(result.rows[0]?.over_speed_readings).toBeGreaterThanOrEqual(SPEEDER.seconds);
  });

  it("gives each vehicle's latest position", async () => {
    const expected = [...byVehicle(fleet.lines)].map(([vehicleId, lines]) => {
      const last = lines.at(-1) as EnrichedTelemetry;
      return {
        vehicle_id: vehicleId,
        event_time: last.eventTime,
        lat: last.location?.lat,
        lon: last.location?.lon,
        speed_kmh: last.speedKmh,
      };
    });

    const result = await catalog.runNamed("latest_position");

    // The curated table keeps eventTime as a timestamp (DuckDB gives it as "YYYY-MM-DD hh:mm:ss").
    const asTimestamp = (iso: string) => iso.replace("T", " ").replace(/\.000Z$|Z$/, "");
    expect(result.rows).toEqual(
      expected
        .map((row) => ({ ...row, event_time: asTimestamp(row.event_time) }))
        .sort((a, b) => a.vehicle_id.localeCompare(b.vehicle_id)),
    );
  });

  it("gives distance from the odometer and fuel used from the falls in fuel level, per vehicle and day", async () => {
    const expected = [...byVehicle(fleet.lines)].flatMap(([vehicleId, lines]) => {
      const days = new Map<string, { odometer: number[]; fuelUsed: number; refuels: number }>();
      lines.forEach((line, i) => {
        const day = days.get(dateOf(line)) ?? { odometer: [], fuelUsed: 0, refuels: 0 };
        days.set(dateOf(line), day);
        day.odometer.push(line.odometerKm as number);
        const change = (line.fuelLevelPct as number) - ((lines[i - 1]?.fuelLevelPct as number) ?? Number.NaN);
        if (change < 0) day.fuelUsed -= change;
        if (change > 0) day.refuels++;
      });
      return [...days].map(([day, d]) => ({
        vehicle_id: vehicleId,
        event_date: day,
        distance_km: Math.round((Math.max(...d.odometer) - Math.min(...d.odometer)) * 100) / 100,
        fuel_used_pct: Math.round(d.fuelUsed * 10) / 10,
        refuels: d.refuels,
      }));
    });

    const result = await catalog.runNamed("distance_fuel_per_vehicle_day");

    expect(result.rows).toHaveLength(expected.length);
    for (const [i, row] of result.rows.entries()) {
      const want = expected[i];
      expect(row.vehicle_id).toBe(want?.vehicle_id);
      expect(String(row.event_date)).toBe(want?.event_date);
      expect(row.distance_km).toBeCloseTo(want?.distance_km ?? Number.NaN, 1);
      expect(row.fuel_used_pct).toBeCloseTo(want?.fuel_used_pct ?? Number.NaN, 0);
      expect(row.refuels).toBe(want?.refuels);
    }
    expect(result.rows.some((r) => Number(r.distance_km) > 1)).toBe(true);
  });

  it("gives data freshness from the newest event time and the arrival lag percentiles of distinct readings", async () => {
    const lags = fleet.lines.map((l) => l.ingest.arrivalLagMs).sort((a, b) => a - b);
    const quantile = (q: number) => lags[Math.floor(q * (lags.length - 1))] as number;
    const newest = Math.max(...fleet.lines.map((l) => Date.parse(l.eventTime)));

    const result = await catalog.runNamed("freshness_and_lag");
    const row = result.rows[0] ?? {};

    expect(row.readings).toBe(fleet.lines.length);
    expect(Number(row.freshness_s)).toBeGreaterThanOrEqual(Math.floor((Date.now() - newest) / 1000) - 5);
    expect(Number(row.freshness_s)).toBeLessThanOrEqual(Math.ceil((Date.now() - newest) / 1000) + 1);
    expect(row.lag_max_ms).toBe(lags.at(-1));
    // approx_percentile is an estimate (t-digest): within 2 % of the lag range of the exact one.
    const tolerance = 0.02 * ((lags.at(-1) ?? 0) - (lags[0] ?? 0));
    for (const [column, q] of [
      ["lag_p50_ms", 0.5],
      ["lag_p95_ms", 0.95],
      ["lag_p99_ms", 0.99],
    ] as const) {
      expect(Math.abs(Number(row[column]) - quantile(q))).toBeLessThanOrEqual(tolerance);
    }
  });

  it("answers NULL for a contract column the lines do not carry (a newer contract's field in older rows)", async () => {
    const withNewField = [...contractColumns(), { name: "batteryPct", type: { kind: "double" } } as const];
    const newer = await openLocalCatalog(dir, { columns: withNewField, queries: [] });
    try {
      const result = await newer.run("SELECT count(*) AS n, count(batteryPct) AS with_battery FROM telemetry");
      expect(result.rows[0]).toEqual({ n: fleet.lines.length, with_battery: 0 });
    } finally {
      newer.close();
    }
  });
});

describe("queries when nothing was delivered", () => {
  it("answer with no rows (and a NULL freshness) instead of failing", async () => {
    const empty = mkdtempSync(join(tmpdir(), "query-empty-"));
    const local = await openLocalCatalog(empty);
    try {
      for (const query of namedQueries()) {
        const result = await local.runNamed(query.name);
        if (query.name === "freshness_and_lag")
          expect(result.rows[0]).toMatchObject({ readings: 0, freshness_s: null });
        else expect(result.rows).toEqual([]);
      }
    } finally {
      local.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

/** Runs Athena text in DuckDB as it is, without deriving its DuckDB form (expected to fail). */
async function runAthenaTextAsIs(sql: string): Promise<void> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run("CREATE TABLE telemetry_raw AS SELECT * FROM (SELECT 1) WHERE false");
    await connection.run(sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
