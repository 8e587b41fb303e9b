import { describe, expect, it } from "vitest";
import { Rejection } from "../../../shared/rejection.ts";
import { type ValidTelemetry, validateTelemetry } from "../../../shared/validate.ts";
import { seededRandom } from "../../../tools/fixtures/fixtures.ts";
import { Fleet } from "../../../tools/pipeline/fleet.ts";

function drive(fleet: Fleet, seconds: number) {
  const readings = [];
  for (let t = 0; t < seconds; t++) readings.push(...fleet.tick(1, Date.parse("2026-11-21T08:00:00Z") + t * 1000));
  return readings;
}

describe("Fleet", () => {
  it("emits readings that satisfy the contract, one per vehicle per tick, keyed by vehicle", () => {
    const readings = drive(new Fleet({ vehicles: 12, random: seededRandom(1), badFraction: 0 }), 300);

    expect(readings).toHaveLength(12 * 300);
    for (const reading of readings) {
      const result = validateTelemetry(JSON.parse(reading.data.toString("utf8")));
      expect(result).not.toBeInstanceOf(Rejection);
      expect((result as ValidTelemetry).telemetry.vehicleId).toBe(reading.vehicleId);
    }
  });

  it("keeps odometer increasing, fuel falling (until a refuel) and position moving with speed", () => {
    const readings = drive(new Fleet({ vehicles: 1, random: seededRandom(2), badFraction: 0 }), 1_800).map((r) =>
      JSON.parse(r.data.toString("utf8")),
    );

    let moved = 0;
    for (let i = 1; i < readings.length; i++) {
      const [before, after] = [readings[i - 1], readings[i]];
      expect(after.odometerKm).toBeGreaterThanOrEqual(before.odometerKm);
      if (after.fuelLevelPct > before.fuelLevelPct) expect(after.fuelLevelPct).toBe(95);
      const travelledKm = after.odometerKm - before.odometerKm;
      expect(travelledKm).toBeLessThanOrEqual((Math.max(before.speedKmh, after.speedKmh) + 20) / 3600 + 0.01);
      if (after.location.lat !== before.location.lat) moved++;
    }
    expect(moved).toBeGreaterThan(100);
    const phases = new Set(readings.map((r) => (r.speedKmh === 0 ? "stopped" : r.speedKmh > 60 ? "fast" : "slow")));
    expect(phases).toEqual(new Set(["stopped", "slow", "fast"]));
  });

  it("makes about the requested share of readings bad, of each kind, and says which", () => {
    const readings = drive(new Fleet({ vehicles: 50, random: seededRandom(3), badFraction: 0.1 }), 100);
    const counts = new Map<string, number>();
    for (const r of readings) counts.set(r.intent, (counts.get(r.intent) ?? 0) + 1);

    expect((counts.get("VALID") ?? 0) / readings.length).toBeCloseTo(0.9, 1);
    for (const kind of ["JSON_INVALID", "SCHEMA_INVALID", "TOO_LARGE"])
      expect(counts.get(kind) ?? 0).toBeGreaterThan(100);
  });

  it("makes about the v2 share of vehicles electric, sending valid v2 readings, without changing the others", () => {
    const mixed = drive(new Fleet({ vehicles: 40, random: seededRandom(4), badFraction: 0, v2Share: 0.25 }), 600);
    const allV1 = drive(new Fleet({ vehicles: 40, random: seededRandom(4), badFraction: 0 }), 600);

    const electric = new Set(mixed.filter((r) => r.schemaVersion === 2).map((r) => r.vehicleId));
    expect(Math.abs(electric.size - 40 * 0.25)).toBeLessThanOrEqual(2);
    expect(mixed.every((r) => (r.schemaVersion === 2) === electric.has(r.vehicleId))).toBe(true);
    const states = new Set<string>();
    for (const reading of mixed.filter((r) => r.schemaVersion === 2)) {
      const result = validateTelemetry(JSON.parse(reading.data.toString("utf8")));
      expect(result).not.toBeInstanceOf(Rejection);
      const telemetry = (result as ValidTelemetry).telemetry;
      expect(telemetry.schemaVersion).toBe(2);
      if (telemetry.schemaVersion === 2) states.add(telemetry.chargingState);
    }
    expect(states).toEqual(new Set(["NOT_CHARGING", "AC_CHARGING"]));
    mixed.forEach((reading, i) => {
      if (!electric.has(reading.vehicleId)) expect(reading.data.equals(allV1[i]?.data as Buffer)).toBe(true);
    });
    expect(allV1.every((r) => r.schemaVersion === 1)).toBe(true);
  });

  it("replays the same fleet from the same seed", () => {
    const a = drive(new Fleet({ vehicles: 3, random: seededRandom(7), badFraction: 0.05 }), 50);
    const b = drive(new Fleet({ vehicles: 3, random: seededRandom(7), badFraction: 0.05 }), 50);
    expect(a.map((r) => r.data.toString("base64"))).toEqual(b.map((r) => r.data.toString("base64")));
  });
});
