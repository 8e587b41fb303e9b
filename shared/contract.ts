/**
 * The telemetry v1 data contract and the enriched output record: the single source of truth for
 * validation (compiled validators below), the TypeScript types (`Static<…>`) and the published
 * JSON Schema (`npm run schema` writes `schema/*.schema.json` from these definitions).
 */
import Type, { type Static } from "typebox";
import { Compile } from "typebox/compile";

/** Largest accepted user record, in bytes, before JSON parsing (bigger ones are `TOO_LARGE`). */
export const MAX_USER_RECORD_BYTES = 64 * 1024;

/** Latest instant representable as a four-digit-year ISO string (9999-12-31T23:59:59.999Z). */
export const MAX_EPOCH_MS = 253_402_300_799_999;

const ISO_8601_WITH_ZONE =
  "^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])T([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,9})?(Z|[+-]([01]\\d|2[0-3]):[0-5]\\d)$";

export const TelemetryV1 = Type.Object(
  {
    vehicleId: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: "^[A-Za-z0-9_.:-]{1,64}$",
      description: "Vehicle identifier; also the Kinesis partition key.",
    }),
    timestamp: Type.Union(
      [
        Type.String({
          pattern: ISO_8601_WITH_ZONE,
          description: "ISO-8601 date-time with a zone (Z or ±hh:mm).",
        }),
        Type.Integer({
          minimum: 0,
          maximum: MAX_EPOCH_MS,
          description: "Milliseconds since the Unix epoch.",
        }),
      ],
      { description: "When the vehicle took the reading." },
    ),
    speedKmh: Type.Number({ minimum: 0, maximum: 400, description: "Ground speed in km/h." }),
    location: Type.Optional(
      Type.Object({
        lat: Type.Number({ minimum: -90, maximum: 90 }),
        lon: Type.Number({ minimum: -180, maximum: 180 }),
      }),
    ),
    heading: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 360, description: "Degrees from north." })),
    odometerKm: Type.Optional(Type.Number({ minimum: 0 })),
    fuelLevelPct: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    engine: Type.Optional(
      Type.Object({
        rpm: Type.Optional(Type.Number({ minimum: 0, maximum: 20_000 })),
        coolantTempC: Type.Optional(Type.Number({ minimum: -60, maximum: 200 })),
      }),
    ),
    schemaVersion: Type.Optional(Type.Literal(1)),
  },
  {
    $id: "https://schemas.vehicle-telemetry.example/telemetry-v1.schema.json",
    title: "Vehicle telemetry v1",
    description:
      "One JSON object per Kinesis user record, UTF-8, at most 65,536 bytes. Unknown fields are dropped by the consumer and counted.",
  },
);
export type TelemetryV1 = Static<typeof TelemetryV1>;

/** The properties the contract knows, per object; everything else is dropped and counted. */
export const KNOWN_FIELDS = {
  root: new Set(Object.keys(TelemetryV1.properties)),
  location: new Set(Object.keys(TelemetryV1.properties.location.properties)),
  engine: new Set(Object.keys(TelemetryV1.properties.engine.properties)),
} as const;

export const EnrichedTelemetryV1 = Type.Object(
  {
    vehicleId: TelemetryV1.properties.vehicleId,
    eventTime: Type.String({ format: "date-time", description: "Event time, ISO-8601 UTC, ms." }),
    speedKmh: TelemetryV1.properties.speedKmh,
    speedMph: Type.Number({ minimum: 0, description: "speedKmh in miles per hour, 2 decimals." }),
    overSpeedLimit: Type.Boolean({ description: "speedKmh above the configured limit." }),
    location: TelemetryV1.properties.location,
    heading: TelemetryV1.properties.heading,
    odometerKm: TelemetryV1.properties.odometerKm,
    fuelLevelPct: TelemetryV1.properties.fuelLevelPct,
    engine: TelemetryV1.properties.engine,
    schemaVersion: Type.Literal(1),
    ingest: Type.Object(
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
      },
      { additionalProperties: false },
    ),
  },
  {
    $id: "https://schemas.vehicle-telemetry.example/enriched-telemetry-v1.schema.json",
    title: "Enriched vehicle telemetry v1 (one NDJSON line in the data bucket)",
    additionalProperties: false,
  },
);
export type EnrichedTelemetryV1 = Static<typeof EnrichedTelemetryV1>;

/** Compiled (JIT) validator for input records; compiled once at module load. */
export const telemetryValidator = Compile(TelemetryV1);
