/**
 * Telemetry v1: the single source of truth for its validator, its TypeScript types and its
 * published JSON Schemas (input `schema/telemetry-v1.schema.json`, output
 * `schema/enriched-telemetry-v1.schema.json`). Later versions are built from the pieces exported here.
 */
import Type, { type Static } from "typebox";
import { Compile } from "typebox/compile";
import { type ContractVersion, END_OF_INPUT, knownFieldsOf, MAX_EPOCH_MS } from "./common.ts";

// [0-9], never \d: Python's \d also matches other scripts' digits ("٢٠٢٦"), ECMA-262's does not.
const YEAR = "(?:19[7-9][0-9]|[2-9][0-9]{3})";
/** Years 1970–9999 divisible by 4, except centuries not divisible by 400. */
const LEAP_YEAR =
  "(?:19(?:7[26]|8[048]|9[26])|[2-9][0-9](?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[3579][26])00)";
const MONTH_DAY =
  "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))";
const TIME = "(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?";
const ZONE = "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])";

/**
 * An ISO-8601 date-time with a zone, on a real calendar day (leap years included) of a year from
 * 1970 to 9999. The pattern is the calendar check: a day past its month's end never reaches Date.parse
 * (which would roll it over into the next month).
 */
export const ISO_8601_WITH_ZONE = `^(?:${YEAR}-${MONTH_DAY}|${LEAP_YEAR}-02-29)T${TIME}${ZONE}${END_OF_INPUT}`;

/** The fields of v1 a later version inherits: all but `schemaVersion`. */
export const V1_FIELDS = {
  vehicleId: Type.String({
    minLength: 1,
    maxLength: 64,
    pattern: `^[A-Za-z0-9_.:-]{1,64}${END_OF_INPUT}`,
    description: "Vehicle identifier, 1–64 characters of A–Z a–z 0–9 _ . : -; also the Kinesis partition key.",
  }),
  timestamp: Type.Union(
    [
      Type.String({
        pattern: ISO_8601_WITH_ZONE,
        description:
          "ISO-8601 date-time with a zone (Z or ±hh:mm), seconds with up to 9 decimals, on a real calendar day (29 February only in leap years) of a year from 1970 to 9999.",
      }),
      Type.Integer({
        minimum: 0,
        maximum: MAX_EPOCH_MS,
        description: "Milliseconds since the Unix epoch, up to 9999-12-31T23:59:59.999Z.",
      }),
    ],
    {
      description:
        "When the vehicle took the reading. Checked by the consumer beyond this schema: the instant, once its offset is applied, must lie between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z (so 1970-01-01T00:30:00+01:00 and 9999-12-31T23:30:00-01:00 are quarantined).",
    },
  ),
  speedKmh: Type.Number({ minimum: 0, maximum: 400, description: "Ground speed, km/h, 0–400." }),
  location: Type.Optional(
    Type.Object(
      {
        lat: Type.Number({ minimum: -90, maximum: 90, description: "Latitude, decimal degrees (WGS 84), −90 to 90." }),
        lon: Type.Number({
          minimum: -180,
          maximum: 180,
          description: "Longitude, decimal degrees (WGS 84), −180 to 180.",
        }),
      },
      { description: "Position." },
    ),
  ),
  heading: Type.Optional(
    Type.Number({ minimum: 0, exclusiveMaximum: 360, description: "Degrees clockwise from north, 0 to below 360." }),
  ),
  odometerKm: Type.Optional(Type.Number({ minimum: 0, description: "Odometer, km, 0 or more." })),
  fuelLevelPct: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: "Fuel tank level, %, 0–100." })),
  engine: Type.Optional(
    Type.Object(
      {
        rpm: Type.Optional(Type.Number({ minimum: 0, maximum: 20_000, description: "Engine speed, rpm, 0–20,000." })),
        coolantTempC: Type.Optional(
          Type.Number({ minimum: -60, maximum: 200, description: "Coolant temperature, °C, −60 to 200." }),
        ),
      },
      { description: "Combustion engine, if any." },
    ),
  ),
};

export const TelemetryV1 = Type.Object(
  {
    ...V1_FIELDS,
    schemaVersion: Type.Optional(
      Type.Literal(1, { description: "Contract version: 1, or absent (a record without it is version 1)." }),
    ),
  },
  {
    $id: "https://schemas.vehicle-telemetry.example/telemetry-v1.schema.json",
    title: "Vehicle telemetry v1",
    description:
      "One JSON object per Kinesis user record, UTF-8, at most 65,536 bytes. Unknown fields are dropped by the consumer and counted.",
  },
);
export type TelemetryV1 = Static<typeof TelemetryV1>;

/** The `ingest` block every output version ends with. */
export const INGEST = Type.Object(
  {
    recordId: Type.String({
      description: "shardId:sequenceNumber[:subSequenceNumber]; identical on re-delivery.",
    }),
    partitionKey: Type.String(),
    arrivalTime: Type.String({ format: "date-time" }),
    processedAt: Type.String({ format: "date-time" }),
    arrivalLagMs: Type.Number({ description: "arrivalTime − eventTime, in ms." }),
    sourceAccount: Type.String(),
    sourceStream: Type.String(),
    redrive: Type.Optional(
      Type.Object(
        {
          source: Type.Union([Type.Literal("quarantine"), Type.Literal("on-failure")], {
            description: "Where the record was redriven from.",
          }),
          object: Type.String({ description: "s3://bucket/key of the quarantine object or on-failure record." }),
          line: Type.Optional(Type.Integer({ minimum: 1, description: "1-based line of the quarantine object." })),
          at: Type.String({ format: "date-time", description: "When it was redriven." }),
          attempt: Type.Integer({
            minimum: 1,
            description: "1 for a first redrive; one more per redrive of a re-quarantined record.",
          }),
        },
        {
          additionalProperties: false,
          description:
            "Present only on a redriven record (npm run redrive / RedriveFunction); recordId and the other ingest fields keep the original's values.",
        },
      ),
    ),
  },
  { additionalProperties: false },
);

/** The output fields of v1 a later version inherits, in line order: all but `schemaVersion` and `ingest`. */
export const ENRICHED_V1_FIELDS = {
  vehicleId: V1_FIELDS.vehicleId,
  eventTime: Type.String({ format: "date-time", description: "Event time, ISO-8601 UTC, ms." }),
  speedKmh: V1_FIELDS.speedKmh,
  speedMph: Type.Number({ minimum: 0, description: "speedKmh in miles per hour, 2 decimals." }),
  overSpeedLimit: Type.Boolean({ description: "speedKmh above the configured limit." }),
  location: V1_FIELDS.location,
  heading: V1_FIELDS.heading,
  odometerKm: V1_FIELDS.odometerKm,
  fuelLevelPct: V1_FIELDS.fuelLevelPct,
  engine: V1_FIELDS.engine,
};

export const EnrichedTelemetryV1 = Type.Object(
  {
    ...ENRICHED_V1_FIELDS,
    schemaVersion: Type.Literal(1, { description: "Contract version of the record this line came from." }),
    ingest: INGEST,
  },
  {
    $id: "https://schemas.vehicle-telemetry.example/enriched-telemetry-v1.schema.json",
    title: "Enriched vehicle telemetry v1 (one NDJSON line in the data bucket)",
    additionalProperties: false,
  },
);
export type EnrichedTelemetryV1 = Static<typeof EnrichedTelemetryV1>;

/** The properties v1 knows, per object; everything else is dropped and counted. */
export const KNOWN_FIELDS = knownFieldsOf(TelemetryV1);

/** Compiled (JIT) validator for v1 input records; compiled once at module load. */
export const telemetryValidator = Compile(TelemetryV1);

/** Telemetry v1 as the validator dispatches to it. */
export const CONTRACT_V1: ContractVersion<TelemetryV1> = {
  validator: telemetryValidator,
  known: KNOWN_FIELDS,
};
