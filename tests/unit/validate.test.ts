import { describe, expect, it } from "vitest";
import { Rejection } from "../../shared/rejection.ts";
import { type ValidTelemetry, validateTelemetry } from "../../shared/validate.ts";

const minimal = { vehicleId: "VIN-000001", timestamp: "2026-11-21T08:00:00Z", speedKmh: 88.5 };
const full = {
  ...minimal,
  location: { lat: 48.85, lon: 2.35 },
  heading: 359.9,
  odometerKm: 12_345.6,
  fuelLevelPct: 100,
  engine: { rpm: 20_000, coolantTempC: -60 },
  schemaVersion: 1,
};

function rejectionOf(value: unknown): Rejection {
  const result = validateTelemetry(value);
  if (!(result instanceof Rejection)) throw new Error("expected a rejection");
  return result;
}

function validOf(value: unknown): ValidTelemetry {
  const result = validateTelemetry(value);
  if (result instanceof Rejection) throw new Error(JSON.stringify(result));
  return result;
}

describe("validateTelemetry", () => {
  it("accepts a minimal record and resolves its event time", () => {
    expect(validateTelemetry(minimal)).toEqual({
      telemetry: minimal,
      eventTimeMs: Date.parse("2026-11-21T08:00:00Z"),
      unknownFields: 0,
    });
  });

  it("accepts every optional field at its bounds", () => {
    expect(validOf(full).telemetry).toBe(full);
  });

  it.each([
    ["epoch milliseconds", 1_795_248_000_000, 1_795_248_000_000],
    ["an ISO time with an offset", "2026-11-21T09:00:00.5+01:00", Date.parse("2026-11-21T08:00:00.500Z")],
    ["an ISO time with nanoseconds", "2026-11-21T08:00:00.123456789Z", Date.parse("2026-11-21T08:00:00.123Z")],
    ["29 February of a leap year", "2024-02-29T00:00:00Z", Date.parse("2024-02-29T00:00:00Z")],
  ])("accepts a timestamp as %s", (_, timestamp, expected) => {
    expect(validOf({ ...minimal, timestamp }).eventTimeMs).toBe(expected);
  });

  it.each([
    ["a time without a zone", "2026-11-21T08:00:00"],
    ["a date only", "2026-11-21"],
    ["29 February of a common year", "2023-02-29T00:00:00Z"],
    ["31 April", "2026-04-31T00:00:00Z"],
    ["hour 24", "2026-11-21T24:00:00Z"],
    ["a negative epoch", -1],
    ["a fractional epoch", 1.5],
    ["an epoch past year 9999", 253_402_300_800_000],
  ])("rejects a timestamp as %s, naming /timestamp", (_, timestamp) => {
    const rejection = rejectionOf({ ...minimal, timestamp });
    expect(rejection.reason).toBe("SCHEMA_INVALID");
    expect(rejection.details.map((d) => d.path)).toContain("/timestamp");
  });

  it.each([
    ["/vehicleId", { vehicleId: "" }],
    ["/vehicleId", { vehicleId: "a".repeat(65) }],
    ["/vehicleId", { vehicleId: "VIN 1" }],
    ["/speedKmh", { speedKmh: -0.1 }],
    ["/speedKmh", { speedKmh: 400.1 }],
    ["/speedKmh", { speedKmh: "88" }],
    ["/location/lat", { location: { lat: 90.1, lon: 0 } }],
    ["/location/lon", { location: { lat: 0, lon: -180.1 } }],
    ["/heading", { heading: 360 }],
    ["/odometerKm", { odometerKm: -1 }],
    ["/fuelLevelPct", { fuelLevelPct: 100.1 }],
    ["/engine/rpm", { engine: { rpm: 20_001 } }],
    ["/engine/coolantTempC", { engine: { coolantTempC: 200.5 } }],
    ["/schemaVersion", { schemaVersion: 2 }],
    ["/location", { location: null }],
  ])("rejects an out-of-contract value at %s", (path, patch) => {
    const rejection = rejectionOf({ ...minimal, ...patch });
    expect(rejection.reason).toBe("SCHEMA_INVALID");
    expect(rejection.details.map((d) => d.path)).toContain(path);
  });

  it("names every missing required field by its path", () => {
    const rejection = rejectionOf({});
    expect(rejection.details).toEqual(
      expect.arrayContaining([
        { path: "/vehicleId", message: "is required" },
        { path: "/timestamp", message: "is required" },
        { path: "/speedKmh", message: "is required" },
      ]),
    );
  });

  it.each([
    ["an array", [minimal]],
    ["a number", 42],
    ["null", null],
    ["a string", "VIN-1"],
  ])("rejects %s as SCHEMA_INVALID", (_, value) => {
    expect(rejectionOf(value).reason).toBe("SCHEMA_INVALID");
  });

  it("counts unknown fields at the top level, in location and in engine", () => {
    const result = validOf({
      ...full,
      firmware: "1.2",
      driver: { name: "x" },
      location: { lat: 1, lon: 2, alt: 30 },
      engine: { rpm: 900, oilPressureKpa: 310 },
    });
    expect(result.unknownFields).toBe(4);
  });

  it("counts a __proto__ key as an unknown field without touching prototypes", () => {
    const value = JSON.parse('{"vehicleId":"VIN-1","timestamp":0,"speedKmh":1,"__proto__":{"polluted":true}}');
    const result = validOf(value);
    expect(result.unknownFields).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("keeps at most 20 details for a record with many violations", () => {
    const value = {
      ...minimal,
      location: "x",
      heading: "x",
      odometerKm: "x",
      fuelLevelPct: "x",
      engine: "x",
    };
    const rejection = rejectionOf({ ...value, vehicleId: 1, timestamp: true, speedKmh: [] });
    expect(rejection.details.length).toBeGreaterThan(5);
    expect(rejection.details.length).toBeLessThanOrEqual(20);
  });
});
