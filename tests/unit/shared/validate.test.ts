import { describe, expect, it } from "vitest";
import { Rejection } from "../../../shared/rejection.ts";
import {
  type AcceptedVersions,
  detailsOf,
  MAX_DETAILS,
  type SchemaError,
  type ValidTelemetry,
  validateTelemetry,
} from "../../../shared/validate.ts";

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

const fullV2 = {
  ...full,
  battery: { stateOfChargePct: 100, temperatureC: -40, voltageV: 1_000, currentA: -1_500 },
  chargingState: "DC_FAST_CHARGING",
  estimatedRangeKm: 2_000,
  tyrePressuresKpa: { frontLeft: 0, frontRight: 700, rearLeft: 240, rearRight: 250 },
  schemaVersion: 2,
};
const minimalV2 = {
  ...minimal,
  battery: { stateOfChargePct: 0, temperatureC: 80 },
  chargingState: "NOT_CHARGING",
  schemaVersion: 2,
};

function rejectionOf(value: unknown, accepted?: AcceptedVersions): Rejection {
  const result = validateTelemetry(value, accepted);
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

  it("reports every violation of a record with many, each by its field", () => {
    const value = { ...minimal, location: "x", heading: "x", odometerKm: "x", fuelLevelPct: "x", engine: "x" };

    const rejection = rejectionOf({ ...value, vehicleId: 1, timestamp: true, speedKmh: [] });

    expect(rejection.details.map((d) => d.path)).toEqual(
      expect.arrayContaining(["/vehicleId", "/timestamp", "/speedKmh", "/location", "/heading"]),
    );
  });

  it("explains a broken pattern in words, not with the pattern", () => {
    const rejection = rejectionOf({ ...minimal, vehicleId: "VIN\n", timestamp: "2023-02-29T00:00:00Z" });

    expect(rejection.details).toEqual(
      expect.arrayContaining([
        { path: "/vehicleId", message: "must be 1–64 characters of A–Z, a–z, 0–9, _ . : -" },
        {
          path: "/timestamp",
          message: "must be an ISO-8601 date-time with a zone (Z or ±hh:mm) on a real calendar date, years 1970–9999",
        },
      ]),
    );
    for (const detail of rejection.details) expect(detail.message.length).toBeLessThan(120);
  });
});

describe("detailsOf", () => {
  const error = (n: number): SchemaError => ({ keyword: "type", instancePath: `/f${n}`, params: {}, message: "bad" });

  it("keeps at most MAX_DETAILS (20) details, and reads no further errors than it keeps", () => {
    let read = 0;
    function* endless(): Generator<SchemaError> {
      for (let n = 0; ; n++) {
        read++;
        yield error(n);
      }
    }

    const details = detailsOf(endless());

    expect(MAX_DETAILS).toBe(20);
    expect(details).toHaveLength(20);
    expect(details[19]).toEqual({ path: "/f19", message: "bad" });
    expect(read).toBe(20);
  });

  it("counts each missing property of a required error, within the cap", () => {
    const required: SchemaError = {
      keyword: "required",
      instancePath: "",
      params: { requiredProperties: ["vehicleId", "timestamp", "speedKmh"] },
      message: "missing",
    };

    expect(detailsOf([required], 2)).toEqual([
      { path: "/vehicleId", message: "is required" },
      { path: "/timestamp", message: "is required" },
    ]);
    expect(detailsOf([error(0), required])).toHaveLength(4);
  });

  it("explains a pattern it has no words for as a format mismatch, never with the pattern itself", () => {
    const pattern: SchemaError = { keyword: "pattern", instancePath: "/battery/cellId", params: {}, message: "^x+$" };

    expect(detailsOf([pattern])).toEqual([
      { path: "/battery/cellId", message: "does not match the contract's format for this field" },
    ]);
  });
});

describe("validateTelemetry, telemetry v2 (electrified vehicles)", () => {
  it.each([
    ["a minimal v2 record (EV fields at the other bounds)", minimalV2],
    ["every v2 field at its bounds", fullV2],
    ["an AC-charging record", { ...minimalV2, chargingState: "AC_CHARGING" }],
    ["a discharging (vehicle-to-grid) record", { ...minimalV2, chargingState: "DISCHARGING" }],
  ])("accepts %s as version 2", (_, value) => {
    const result = validOf(value);
    expect(result.telemetry).toBe(value);
    expect(result.telemetry.schemaVersion).toBe(2);
  });

  it.each([
    ["/battery", { battery: undefined }],
    ["/battery/stateOfChargePct", { battery: { temperatureC: 20 } }],
    ["/battery/stateOfChargePct", { battery: { stateOfChargePct: 100.1, temperatureC: 20 } }],
    ["/battery/temperatureC", { battery: { stateOfChargePct: 50 } }],
    ["/battery/temperatureC", { battery: { stateOfChargePct: 50, temperatureC: -40.1 } }],
    ["/battery/temperatureC", { battery: { stateOfChargePct: 50, temperatureC: 80.1 } }],
    ["/battery/voltageV", { battery: { stateOfChargePct: 50, temperatureC: 20, voltageV: 1_000.1 } }],
    ["/battery/currentA", { battery: { stateOfChargePct: 50, temperatureC: 20, currentA: -1_500.1 } }],
    ["/chargingState", { chargingState: undefined }],
    ["/chargingState", { chargingState: "CHARGING" }],
    ["/chargingState", { chargingState: "not_charging" }],
    ["/estimatedRangeKm", { estimatedRangeKm: 2_000.1 }],
    ["/estimatedRangeKm", { estimatedRangeKm: -1 }],
    ["/tyrePressuresKpa/rearRight", { tyrePressuresKpa: { frontLeft: 240, frontRight: 240, rearLeft: 240 } }],
    [
      "/tyrePressuresKpa/frontLeft",
      { tyrePressuresKpa: { frontLeft: 700.1, frontRight: 240, rearLeft: 240, rearRight: 240 } },
    ],
    ["/speedKmh", { speedKmh: 400.1 }],
    ["/timestamp", { timestamp: "2023-02-29T00:00:00Z" }],
  ])("rejects an out-of-contract v2 value at %s as SCHEMA_INVALID", (path, patch) => {
    const rejection = rejectionOf({ ...fullV2, ...patch });
    expect(rejection.reason).toBe("SCHEMA_INVALID");
    expect(rejection.details.map((d) => d.path)).toContain(path);
  });

  it("reads a record with EV fields but no schemaVersion as v1, dropping and counting them", () => {
    const { schemaVersion: _, ...unversioned } = fullV2;
    const result = validOf(unversioned);
    expect(result.telemetry.schemaVersion).toBeUndefined();
    expect(result.unknownFields).toBe(4);
  });

  it("counts unknown fields inside battery and tyrePressuresKpa", () => {
    const result = validOf({
      ...fullV2,
      battery: { ...fullV2.battery, cellCount: 96 },
      tyrePressuresKpa: { ...fullV2.tyrePressuresKpa, spare: 200 },
      firmware: "2.0",
    });
    expect(result.unknownFields).toBe(3);
  });
});

describe("validateTelemetry, schema versions", () => {
  it.each([
    ["3", 3, "3"],
    ['"2" (a string)', "2", '"2"'],
    ["0", 0, "0"],
    ["-1", -1, "-1"],
    ["1.5", 1.5, "1.5"],
    ["null", null, "null"],
    ["true", true, "true"],
    ["[2]", [2], "[2]"],
    ["an object", { major: 2 }, '{"major":2}'],
    ["a long string", "v".repeat(100), `"${"v".repeat(39)}…`],
  ])("quarantines schemaVersion %s as SCHEMA_UNSUPPORTED, saying which versions are accepted", (_, version, shown) => {
    const rejection = rejectionOf({ ...fullV2, schemaVersion: version });
    expect(rejection.reason).toBe("SCHEMA_UNSUPPORTED");
    expect(rejection.details).toEqual([
      {
        path: "/schemaVersion",
        message: `schemaVersion ${shown} is not a known version (known: 1, 2); accepted: 1, 2`,
      },
    ]);
  });

  it("quarantines a held-back version as SCHEMA_UNSUPPORTED, valid or not, and still accepts the others", () => {
    const onlyV1: AcceptedVersions = new Set([1]);
    const held = "schemaVersion 2 is held back by ACCEPTED_SCHEMA_VERSIONS; accepted: 1";

    expect(rejectionOf(fullV2, onlyV1).details).toEqual([{ path: "/schemaVersion", message: held }]);
    expect(rejectionOf({ ...fullV2, speedKmh: -1 }, onlyV1).reason).toBe("SCHEMA_UNSUPPORTED");
    expect(validateTelemetry(full, onlyV1)).not.toBeInstanceOf(Rejection);
    expect(validateTelemetry(minimal, onlyV1)).not.toBeInstanceOf(Rejection);
  });

  it("holds back version 1, with or without its schemaVersion, when only 2 is accepted", () => {
    const onlyV2: AcceptedVersions = new Set([2]);

    expect(rejectionOf(full, onlyV2).details).toEqual([
      { path: "/schemaVersion", message: "schemaVersion 1 is held back by ACCEPTED_SCHEMA_VERSIONS; accepted: 2" },
    ]);
    expect(rejectionOf(minimal, onlyV2).details).toEqual([
      {
        path: "/schemaVersion",
        message:
          "schemaVersion 1 (a record without schemaVersion) is held back by ACCEPTED_SCHEMA_VERSIONS; accepted: 2",
      },
    ]);
    expect(validateTelemetry(fullV2, onlyV2)).not.toBeInstanceOf(Rejection);
  });

  it.each([
    ["a number", 42],
    ["null", null],
    ["an array", [fullV2]],
  ])("rejects %s as SCHEMA_INVALID whatever versions are accepted", (_, value) => {
    expect(rejectionOf(value, new Set([2])).reason).toBe("SCHEMA_INVALID");
  });
});

describe("validateTelemetry, calendar", () => {
  const YEARS = [
    ...Array.from({ length: 2_101 - 1_968 }, (_, i) => 1_968 + i),
    2_200,
    2_400,
    2_800,
    3_000,
    5_200,
    9_600,
    9_900,
    9_996,
    9_999,
  ];

  function exists(year: number, month: number, day: number): boolean {
    const date = new Date(Date.UTC(2000, month - 1, day));
    date.setUTCFullYear(year);
    return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  }

  it("accepts exactly the real days 28–31 of every month from 1970 to 9999 (leap years included)", () => {
    const wrong: string[] = [];
    for (const year of YEARS)
      for (let month = 1; month <= 12; month++)
        for (let day = 28; day <= 31; day++) {
          const timestamp = `${year}-${String(month).padStart(2, "0")}-${day}T12:00:00Z`;
          const accepted = !(validateTelemetry({ ...minimal, timestamp }) instanceof Rejection);
          if (accepted !== (year >= 1970 && exists(year, month, day))) wrong.push(timestamp);
        }
    expect(wrong).toEqual([]);
  });
});

describe("validateTelemetry, the wording of its rejections", () => {
  it("names the time range when an offset moves the instant past 9999-12-31 UTC", () => {
    const result = validateTelemetry({ vehicleId: "VIN-1", timestamp: "9999-12-31T23:59:59-01:00", speedKmh: 1 });

    expect(result).toEqual(
      new Rejection("SCHEMA_INVALID", [
        { path: "/timestamp", message: "must be between 1970-01-01 and 9999-12-31 UTC" },
      ]),
    );
  });

  it.each([6_000, 1_000_000])(
    "quarantines a schemaVersion nested %i deep as SCHEMA_UNSUPPORTED, describing it without recursing into it",
    (depth) => {
      let version: unknown = 2;
      for (let i = 0; i < depth; i++) version = [version];
      const record = { vehicleId: "D", timestamp: 0, speedKmh: 1, schemaVersion: version };

      expect(validateTelemetry(record)).toEqual(
        new Rejection("SCHEMA_UNSUPPORTED", [
          {
            path: "/schemaVersion",
            message: `schemaVersion ${"[".repeat(40)}… is not a known version (known: 1, 2); accepted: 1, 2`,
          },
        ]),
      );
    },
  );

  it("shows an unknown schemaVersion of exactly 40 characters whole, and cuts a longer one", () => {
    const whole = "v".repeat(38);
    const long = "v".repeat(39);

    expect(validateTelemetry({ schemaVersion: whole })).toMatchObject({
      details: [{ message: `schemaVersion "${whole}" is not a known version (known: 1, 2); accepted: 1, 2` }],
    });
    expect(validateTelemetry({ schemaVersion: long })).toMatchObject({
      details: [
        { message: `schemaVersion "${long.slice(0, 39)}… is not a known version (known: 1, 2); accepted: 1, 2` },
      ],
    });
  });
});

describe("validateTelemetry, unknown fields", () => {
  it('counts a top-level field named "undefined" holding an object as one unknown field', () => {
    const result = validateTelemetry({
      vehicleId: "VIN-1",
      timestamp: "2026-11-21T08:00:00Z",
      speedKmh: 1,
      undefined: { a: 1 },
    });

    expect(result).toMatchObject({ unknownFields: 1 });
  });
});
