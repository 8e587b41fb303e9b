/**
 * Edge-case readings for the schema-agreement test: each is JSON text exactly as a producer would
 * send it, built on a valid v1 or v2 reading with one change. Every reading is checked against every
 * published input schema, so a v1 reading also tests that the v2 schema refuses it, and the reverse.
 */

import { PUBLISHED_SCHEMAS } from "../../tools/fixtures/schemas.ts";

/** A reading: a unique name, the contract version it is built on, and its JSON text. */
export interface CorpusReading {
  readonly name: string;
  readonly base: 1 | 2;
  readonly json: string;
}

/** A published schema's verdict that differs from the consumer's because JSON Schema cannot say the rule. */
export interface ExpectedDisagreement {
  readonly schema: string;
  readonly reading: string;
  /** What the schema says and what the consumer does. */
  readonly schemaAccepts: boolean;
  readonly reason: string;
}

const V1_BASE = {
  vehicleId: "VIN-000001",
  timestamp: "2026-11-21T08:00:00.000Z",
  speedKmh: 88.5,
  location: { lat: 48.85, lon: 2.35 },
  heading: 90,
  odometerKm: 12_345.6,
  fuelLevelPct: 50,
  engine: { rpm: 2_000, coolantTempC: 90 },
  schemaVersion: 1,
};

const V2_BASE = {
  ...V1_BASE,
  fuelLevelPct: undefined,
  engine: undefined,
  battery: { stateOfChargePct: 64.5, temperatureC: 25, voltageV: 390.2, currentA: 42.5 },
  chargingState: "NOT_CHARGING",
  estimatedRangeKm: 270,
  tyrePressuresKpa: { frontLeft: 240, frontRight: 240, rearLeft: 250, rearRight: 250 },
  schemaVersion: 2,
};

/** A change to a base reading: a patch (a property set to `undefined` is removed), or raw JSON text. */
type Change = Record<string, unknown> | { readonly raw: (baseJson: string) => string };

function apply(base: object, change: Change): string {
  if ("raw" in change && typeof change.raw === "function") return change.raw(JSON.stringify(base));
  return JSON.stringify({ ...base, ...change });
}

/** Replaces the text of one top-level property's value (for numbers JSON.stringify cannot write, like 1e400). */
function rawValue(key: string, text: string): Change {
  return { raw: (json) => json.replace(new RegExp(`"${key}":[^,}]*`), `"${key}":${text}`) };
}

const id64 = "A".repeat(64);

/** Edges every version shares: the v1 fields. */
const COMMON: readonly (readonly [string, Change])[] = [
  ["as is", {}],
  // Dates and times.
  ["29 February of a leap year", { timestamp: "2024-02-29T00:00:00Z" }],
  ["29 February of a common year", { timestamp: "2023-02-29T00:00:00Z" }],
  ["29 February 2000 (divisible by 400)", { timestamp: "2000-02-29T12:00:00Z" }],
  ["29 February 2100 (divisible by 100)", { timestamp: "2100-02-29T12:00:00Z" }],
  ["30 February", { timestamp: "2024-02-30T00:00:00Z" }],
  ["31 April", { timestamp: "2026-04-31T00:00:00Z" }],
  ["30 April", { timestamp: "2026-04-30T23:59:59Z" }],
  ["31 December", { timestamp: "2026-12-31T23:59:59Z" }],
  ["month 13", { timestamp: "2026-13-01T00:00:00Z" }],
  ["day 00", { timestamp: "2026-01-00T00:00:00Z" }],
  ["year 0001", { timestamp: "0001-01-01T00:00:00Z" }],
  ["year 1969", { timestamp: "1969-12-31T23:59:59.999Z" }],
  ["the epoch", { timestamp: "1970-01-01T00:00:00Z" }],
  ["the epoch at +01:00", { timestamp: "1970-01-01T01:00:00+01:00" }],
  ["before the epoch at +01:00", { timestamp: "1970-01-01T00:30:00+01:00" }],
  ["the epoch as 1969 at -01:00", { timestamp: "1969-12-31T23:00:00-01:00" }],
  ["the last instant of 9999", { timestamp: "9999-12-31T23:59:59.999Z" }],
  ["past 9999 at -01:00", { timestamp: "9999-12-31T23:30:00-01:00" }],
  ["year 10000", { timestamp: "10000-01-01T00:00:00Z" }],
  ["zone +23:59", { timestamp: "2026-11-21T08:00:00+23:59" }],
  ["zone -00:00", { timestamp: "2026-11-21T08:00:00-00:00" }],
  ["zone +24:00", { timestamp: "2026-11-21T08:00:00+24:00" }],
  ["zone +0100", { timestamp: "2026-11-21T08:00:00+0100" }],
  ["zone +01", { timestamp: "2026-11-21T08:00:00+01" }],
  ["no zone", { timestamp: "2026-11-21T08:00:00" }],
  ["lower-case t and z", { timestamp: "2026-11-21t08:00:00z" }],
  ["a space for T", { timestamp: "2026-11-21 08:00:00Z" }],
  ["9 fractional digits", { timestamp: "2026-11-21T08:00:00.123456789Z" }],
  ["10 fractional digits", { timestamp: "2026-11-21T08:00:00.1234567890Z" }],
  ["a dot without digits", { timestamp: "2026-11-21T08:00:00.Z" }],
  ["second 60", { timestamp: "2026-11-21T08:00:60Z" }],
  ["hour 24", { timestamp: "2026-11-21T24:00:00Z" }],
  ["a timestamp ending in a newline", { timestamp: "2026-11-21T08:00:00Z\n" }],
  ["Arabic-Indic digits in the year", { timestamp: "2٠٢٦-11-21T08:00:00Z" }],
  ["Arabic-Indic digits in the seconds", { timestamp: "2026-11-21T08:00:٠٠Z" }],
  ["a date only", { timestamp: "2026-11-21" }],
  // Epoch milliseconds.
  ["epoch 0", { timestamp: 0 }],
  ["epoch -1", { timestamp: -1 }],
  ["the largest epoch", { timestamp: 253_402_300_799_999 }],
  ["the largest epoch + 1", { timestamp: 253_402_300_800_000 }],
  ["a fractional epoch", { timestamp: 1_795_248_000_000.5 }],
  ["an epoch written 1.7952480e12", rawValue("timestamp", "1.7952480e12")],
  ["an epoch as a string", { timestamp: "1795248000000" }],
  ["a boolean timestamp", { timestamp: true }],
  // vehicleId.
  ["an empty vehicleId", { vehicleId: "" }],
  ["a 64-character vehicleId", { vehicleId: id64 }],
  ["a 65-character vehicleId", { vehicleId: `${id64}A` }],
  ["a vehicleId ending in a newline", { vehicleId: "VIN-000001\n" }],
  ["a vehicleId ending in a carriage return", { vehicleId: "VIN-000001\r" }],
  ["a 64-character vehicleId and a newline", { vehicleId: `${id64}\n` }],
  ["a vehicleId with a NUL", { vehicleId: "VIN\u0000001" }],
  ["a vehicleId with a space", { vehicleId: "VIN 000001" }],
  ["a vehicleId with a non-ASCII letter", { vehicleId: "VÏN-000001" }],
  ["a vehicleId of Arabic-Indic digits", { vehicleId: "٠١٢" }],
  ["a vehicleId with a line separator", { vehicleId: "VIN-1\u2028" }],
  ["a vehicleId of punctuation only", { vehicleId: "_.:-" }],
  ["a numeric vehicleId", { vehicleId: 123 }],
  // Numbers at their bounds, and things that are not numbers.
  ["speed 0", { speedKmh: 0 }],
  ["speed -0", rawValue("speedKmh", "-0")],
  ["speed 400", { speedKmh: 400 }],
  ["speed just above 400", { speedKmh: 400.000001 }],
  ["speed just below 0", { speedKmh: -1e-9 }],
  ["speed 1e400 (Infinity)", rawValue("speedKmh", "1e400")],
  ["speed as the string NaN", { speedKmh: "NaN" }],
  ["speed as the string Infinity", { speedKmh: "Infinity" }],
  ["speed as a numeric string", { speedKmh: "88.5" }],
  ["speed null", { speedKmh: null }],
  ["heading 0", { heading: 0 }],
  ["heading 359.999", { heading: 359.999 }],
  ["heading 360 (exclusive)", { heading: 360 }],
  ["latitude 90", { location: { lat: 90, lon: 0 } }],
  ["latitude 90.0001", { location: { lat: 90.0001, lon: 0 } }],
  ["longitude -180", { location: { lat: 0, lon: -180 } }],
  ["longitude -180.0001", { location: { lat: 0, lon: -180.0001 } }],
  ["a location without lon", { location: { lat: 1 } }],
  ["a location with altitude", { location: { lat: 1, lon: 2, altM: 35 } }],
  ["a location array", { location: [48.85, 2.35] }],
  ["a null location", { location: null }],
  ["odometer 0", { odometerKm: 0 }],
  ["odometer -0.001", { odometerKm: -0.001 }],
  ["fuel 100.1", { fuelLevelPct: 100.1 }],
  ["an empty engine", { engine: {} }],
  ["engine rpm 20000", { engine: { rpm: 20_000 } }],
  ["engine rpm 20001", { engine: { rpm: 20_001 } }],
  ["coolant -60.1", { engine: { coolantTempC: -60.1 } }],
  ["an engine with oil pressure", { engine: { rpm: 800, oilPressureKpa: 300 } }],
  // Missing, unknown and hostile fields.
  ["no vehicleId", { vehicleId: undefined }],
  ["no timestamp", { timestamp: undefined }],
  ["no speed", { speedKmh: undefined }],
  ["an unknown top-level field", { firmware: "1.2.3" }],
  ["a __proto__ key", { raw: (json) => `{"__proto__":{"polluted":true},${json.slice(1)}` }],
  ["a duplicate key (the last wins)", { raw: (json) => `${json.slice(0, -1)},"speedKmh":401}` }],
  // Versions.
  ["schemaVersion 1", { schemaVersion: 1 }],
  ["no schemaVersion", { schemaVersion: undefined }],
  ["schemaVersion 1.0", rawValue("schemaVersion", "1.0")],
  ["schemaVersion 2", { schemaVersion: 2 }],
  ["schemaVersion 2.0", rawValue("schemaVersion", "2.0")],
  ['schemaVersion "1"', { schemaVersion: "1" }],
  ['schemaVersion "2"', { schemaVersion: "2" }],
  ["schemaVersion 3", { schemaVersion: 3 }],
  ["schemaVersion 0", { schemaVersion: 0 }],
  ["schemaVersion null", { schemaVersion: null }],
  ["schemaVersion true", { schemaVersion: true }],
];

/** Edges of the v2 fields. */
const V2_ONLY: readonly (readonly [string, Change])[] = [
  ["state of charge 0", { battery: { ...V2_BASE.battery, stateOfChargePct: 0 } }],
  ["state of charge 100", { battery: { ...V2_BASE.battery, stateOfChargePct: 100 } }],
  ["state of charge 100.1", { battery: { ...V2_BASE.battery, stateOfChargePct: 100.1 } }],
  ["state of charge -0.1", { battery: { ...V2_BASE.battery, stateOfChargePct: -0.1 } }],
  ["battery at -40 °C", { battery: { ...V2_BASE.battery, temperatureC: -40 } }],
  ["battery at 80 °C", { battery: { ...V2_BASE.battery, temperatureC: 80 } }],
  ["battery at -40.1 °C", { battery: { ...V2_BASE.battery, temperatureC: -40.1 } }],
  ["battery at 80.1 °C", { battery: { ...V2_BASE.battery, temperatureC: 80.1 } }],
  ["battery 1000 V", { battery: { ...V2_BASE.battery, voltageV: 1_000 } }],
  ["battery 1000.1 V", { battery: { ...V2_BASE.battery, voltageV: 1_000.1 } }],
  ["battery -1 V", { battery: { ...V2_BASE.battery, voltageV: -1 } }],
  ["battery -1500 A", { battery: { ...V2_BASE.battery, currentA: -1_500 } }],
  ["battery 1500.1 A", { battery: { ...V2_BASE.battery, currentA: 1_500.1 } }],
  ["battery without voltage and current", { battery: { stateOfChargePct: 50, temperatureC: 20 } }],
  ["battery without state of charge", { battery: { temperatureC: 20 } }],
  ["battery without temperature", { battery: { stateOfChargePct: 50 } }],
  ["battery with a cell count", { battery: { ...V2_BASE.battery, cellCount: 96 } }],
  ["an empty battery", { battery: {} }],
  ["a null battery", { battery: null }],
  ["no battery", { battery: undefined }],
  ["state of charge as a string", { battery: { ...V2_BASE.battery, stateOfChargePct: "64.5" } }],
  ["AC charging", { chargingState: "AC_CHARGING" }],
  ["DC fast charging", { chargingState: "DC_FAST_CHARGING" }],
  ["discharging", { chargingState: "DISCHARGING" }],
  ["charging state in lower case", { chargingState: "not_charging" }],
  ["an unknown charging state", { chargingState: "CHARGING" }],
  ["an empty charging state", { chargingState: "" }],
  ["a charging state with a newline", { chargingState: "AC_CHARGING\n" }],
  ["no charging state", { chargingState: undefined }],
  ["range 0", { estimatedRangeKm: 0 }],
  ["range 2000", { estimatedRangeKm: 2_000 }],
  ["range 2000.1", { estimatedRangeKm: 2_000.1 }],
  ["no range", { estimatedRangeKm: undefined }],
  ["tyres at 0 and 700", { tyrePressuresKpa: { frontLeft: 0, frontRight: 700, rearLeft: 0, rearRight: 700 } }],
  ["a tyre at 700.1", { tyrePressuresKpa: { ...V2_BASE.tyrePressuresKpa, rearRight: 700.1 } }],
  ["a tyre at -1", { tyrePressuresKpa: { ...V2_BASE.tyrePressuresKpa, frontLeft: -1 } }],
  ["three tyres", { tyrePressuresKpa: { frontLeft: 240, frontRight: 240, rearLeft: 250 } }],
  ["tyres with a spare", { tyrePressuresKpa: { ...V2_BASE.tyrePressuresKpa, spare: 420 } }],
  ["no tyres", { tyrePressuresKpa: undefined }],
  ["null tyres", { tyrePressuresKpa: null }],
  ["a plug-in hybrid with fuel and engine", { fuelLevelPct: 30, engine: { rpm: 1_500, coolantTempC: 85 } }],
];

/** Not objects at all: no version's record. */
const NOT_OBJECTS: readonly CorpusReading[] = [
  { name: "a number", base: 1, json: "42" },
  { name: "a string", base: 1, json: '"VIN-000001"' },
  { name: "null", base: 1, json: "null" },
  { name: "an array of a reading", base: 1, json: `[${JSON.stringify(V1_BASE)}]` },
  { name: "an empty object", base: 1, json: "{}" },
];

/** A number of a published schema, as the bounds read it. */
interface NumberNode {
  readonly type?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly properties?: Readonly<Record<string, NumberNode>>;
}

/** Every number property of a schema, nested ones included, by path. */
function numbersOf(node: NumberNode, path: readonly string[] = []): [string[], NumberNode][] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]): [string[], NumberNode][] => {
    const at = [...path, key];
    if (child.type === "number" || child.type === "integer") return [[at, child]];
    return child.type === "object" ? numbersOf(child, at) : [];
  });
}

/** `base` with the value at `path` set (objects on the way made when absent). */
function withValue(base: object, path: readonly string[], value: number): object {
  const [key, ...rest] = path as [string, ...string[]];
  const inner = (base as Record<string, unknown>)[key];
  return { ...base, [key]: rest.length === 0 ? value : withValue((inner ?? {}) as object, rest, value) };
}

/** Each bound of a number and the value just past it (0.1 for a number, 1 for an integer). */
function edgesOf(node: NumberNode): [number, string][] {
  const step = node.type === "integer" ? 1 : 0.1;
  const past = (value: number, by: number) => Math.round((value + by) * 1e6) / 1e6;
  const edges: [number, string][] = [];
  if (node.minimum !== undefined)
    edges.push([node.minimum, "minimum"], [past(node.minimum, -step), "below its minimum"]);
  if (node.maximum !== undefined)
    edges.push([node.maximum, "maximum"], [past(node.maximum, step), "above its maximum"]);
  if (node.exclusiveMinimum !== undefined)
    edges.push([node.exclusiveMinimum, "exclusive minimum"], [past(node.exclusiveMinimum, step), "just above it"]);
  if (node.exclusiveMaximum !== undefined)
    edges.push([node.exclusiveMaximum, "exclusive maximum"], [past(node.exclusiveMaximum, -step), "just below it"]);
  return edges;
}

const BASES: Readonly<Record<number, object>> = { 1: V1_BASE, 2: V2_BASE };

/**
 * Every number of each published input schema at each of its bounds and just past it, on that
 * version's base reading: derived from the schema, so a field added to the contract has its edges
 * checked the day it is added.
 */
function boundEdges(): CorpusReading[] {
  return Object.entries(PUBLISHED_SCHEMAS).flatMap(([file, schema]) => {
    const version = Number(/^telemetry-v(\d+)\.schema\.json$/.exec(file)?.[1]);
    const base = BASES[version];
    if (base === undefined) return [];
    return numbersOf(schema as NumberNode).flatMap(([path, node]) =>
      edgesOf(node).map(([value, edge]) => ({
        name: `v${version}: ${path.join(".")} ${value} (${edge})`,
        base: version as 1 | 2,
        json: JSON.stringify(withValue(base, path, value)),
      })),
    );
  });
}

export const SCHEMA_CORPUS: readonly CorpusReading[] = [
  ...COMMON.map(([name, change]) => ({ name: `v1: ${name}`, base: 1 as const, json: apply(V1_BASE, change) })),
  ...COMMON.map(([name, change]) => ({ name: `v2: ${name}`, base: 2 as const, json: apply(V2_BASE, change) })),
  ...V2_ONLY.map(([name, change]) => ({ name: `v2: ${name}`, base: 2 as const, json: apply(V2_BASE, change) })),
  ...boundEdges(),
  ...NOT_OBJECTS,
];

const OFFSET_BEFORE_1970 =
  "the pattern admits every 1970 date-time; an east offset on 1970-01-01 puts the instant before the epoch, which the consumer rejects";
const OFFSET_AFTER_9999 =
  "the pattern admits every 9999 date-time; a west offset on 9999-12-31 puts the instant past 9999, which the consumer rejects";

/**
 * The only verdicts allowed to differ, each for a rule JSON Schema cannot express (comparing an
 * instant, offset applied, with a range), and each stated in the schema's `timestamp` description.
 */
export const EXPECTED_DISAGREEMENTS: readonly ExpectedDisagreement[] = [
  {
    schema: "telemetry-v1.schema.json",
    reading: "v1: before the epoch at +01:00",
    schemaAccepts: true,
    reason: OFFSET_BEFORE_1970,
  },
  {
    schema: "telemetry-v1.schema.json",
    reading: "v1: past 9999 at -01:00",
    schemaAccepts: true,
    reason: OFFSET_AFTER_9999,
  },
  {
    schema: "telemetry-v2.schema.json",
    reading: "v2: before the epoch at +01:00",
    schemaAccepts: true,
    reason: OFFSET_BEFORE_1970,
  },
  {
    schema: "telemetry-v2.schema.json",
    reading: "v2: past 9999 at -01:00",
    schemaAccepts: true,
    reason: OFFSET_AFTER_9999,
  },
];
