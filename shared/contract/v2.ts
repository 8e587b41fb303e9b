/**
 * Telemetry v2, for electrified vehicles (battery-electric and plug-in hybrid): v1's fields plus the
 * battery, charging state, range and tyre pressures. The single source of truth for its validator,
 * its TypeScript types and its published JSON Schemas (input `schema/telemetry-v2.schema.json`,
 * output `schema/enriched-telemetry-v2.schema.json`). `schemaVersion: 2` is required: it is what
 * selects this version.
 */
import Type, { type Static } from "typebox";
import { Compile } from "typebox/compile";
import { type ContractVersion, knownFieldsOf } from "./common.ts";
import { ENRICHED_V1_FIELDS, INGEST, V1_FIELDS } from "./v1.ts";

/** Pressure of one tyre. Passenger cars run ~200–350 kPa, vans and light trucks up to ~550 kPa (80 psi); 0 is a flat tyre, a reading a fleet must see. */
const tyrePressure = (position: string) =>
  Type.Number({ minimum: 0, maximum: 700, description: `${position} tyre pressure, kPa (gauge), 0–700.` });

/** Whether and how the traction battery is charging. */
export const CHARGING_STATES = ["NOT_CHARGING", "AC_CHARGING", "DC_FAST_CHARGING", "DISCHARGING"] as const;
export type ChargingState = (typeof CHARGING_STATES)[number];

/** What v2 adds to v1, in output order. */
export const EV_FIELDS = {
  battery: Type.Object(
    {
      stateOfChargePct: Type.Number({
        minimum: 0,
        maximum: 100,
        description: "Traction battery state of charge, %, 0–100.",
      }),
      // Cells work from about −30 °C to 60 °C; −40 °C is an automotive cold soak, and 80 °C leaves
      // room for a pack overheating past its cut-off. Beyond that the sensor is wrong, and the record
      // is quarantined with its bytes, not lost.
      temperatureC: Type.Number({
        minimum: -40,
        maximum: 80,
        description: "Traction battery temperature, °C, −40 to 80.",
      }),
      // 400-V packs run ~250–450 V, 800-V packs ~550–920 V; 1,000 V is the usual rating of HV parts.
      voltageV: Type.Optional(
        Type.Number({ minimum: 0, maximum: 1_000, description: "Traction battery voltage, V, 0–1,000." }),
      ),
      // Performance EVs draw up to ~1,300 A; a 350-kW charger delivers ~500 A.
      currentA: Type.Optional(
        Type.Number({
          minimum: -1_500,
          maximum: 1_500,
          description: "Traction battery current, A, −1,500 to 1,500: positive discharging, negative charging.",
        }),
      ),
    },
    { description: "Traction (high-voltage) battery." },
  ),
  // Type.Enum would publish `enum` alone; `type: "string"` as well tells a schema walker (the Glue
  // table generator) the column's type without reading the values.
  chargingState: Type.Unsafe<ChargingState>({
    type: "string",
    enum: [...CHARGING_STATES],
    description:
      "NOT_CHARGING, AC_CHARGING, DC_FAST_CHARGING, or DISCHARGING (feeding power out: vehicle-to-grid or vehicle-to-load).",
  }),
  // The longest-range production EVs reach ~1,000 km; twice that bounds a wrong estimate.
  estimatedRangeKm: Type.Optional(
    Type.Number({ minimum: 0, maximum: 2_000, description: "Estimated remaining electric range, km, 0–2,000." }),
  ),
  tyrePressuresKpa: Type.Optional(
    Type.Object(
      {
        frontLeft: tyrePressure("Front-left"),
        frontRight: tyrePressure("Front-right"),
        rearLeft: tyrePressure("Rear-left"),
        rearRight: tyrePressure("Rear-right"),
      },
      { description: "Tyre pressures, kPa (gauge), each 0–700; all four together." },
    ),
  ),
};

export const TelemetryV2 = Type.Object(
  {
    ...V1_FIELDS,
    ...EV_FIELDS,
    schemaVersion: Type.Literal(2, { description: "Contract version: 2 (required; it selects this version)." }),
  },
  {
    $id: "https://schemas.vehicle-telemetry.example/telemetry-v2.schema.json",
    title: "Vehicle telemetry v2 (electrified vehicles)",
    description:
      "One JSON object per Kinesis user record, UTF-8, at most 65,536 bytes: v1's fields plus battery, charging state, range and tyre pressures. Unknown fields are dropped by the consumer and counted.",
  },
);
export type TelemetryV2 = Static<typeof TelemetryV2>;

export const EnrichedTelemetryV2 = Type.Object(
  {
    ...ENRICHED_V1_FIELDS,
    ...EV_FIELDS,
    schemaVersion: Type.Literal(2, { description: "Contract version of the record this line came from." }),
    ingest: INGEST,
  },
  {
    $id: "https://schemas.vehicle-telemetry.example/enriched-telemetry-v2.schema.json",
    title: "Enriched vehicle telemetry v2 (one NDJSON line in the data bucket)",
    additionalProperties: false,
  },
);
export type EnrichedTelemetryV2 = Static<typeof EnrichedTelemetryV2>;

/** Compiled (JIT) validator for v2 input records; compiled once at module load. */
export const telemetryV2Validator = Compile(TelemetryV2);

/** Telemetry v2 as the validator dispatches to it. */
export const CONTRACT_V2: ContractVersion<TelemetryV2> = {
  validator: telemetryV2Validator,
  known: knownFieldsOf(TelemetryV2),
};
