/**
 * The telemetry contract, every version: each lives in one file (`contract/v1.ts`, `contract/v2.ts`)
 * that is the single source of truth for its validator, its TypeScript types and its published
 * JSON Schemas (`node scripts/publish-schema.ts` writes `schema/*.schema.json` from them). A record's
 * `schemaVersion` selects its version; a record without one is version 1.
 */
import type { EnrichedTelemetryV1, TelemetryV1 } from "./contract/v1.ts";
import type { EnrichedTelemetryV2, TelemetryV2 } from "./contract/v2.ts";

export {
  type ContractVersion,
  END_OF_INPUT,
  type KnownFields,
  MAX_EPOCH_MS,
  MAX_USER_RECORD_BYTES,
} from "./contract/common.ts";
export {
  CONTRACT_V1,
  EnrichedTelemetryV1,
  ISO_8601_WITH_ZONE,
  KNOWN_FIELDS,
  TelemetryV1,
  telemetryValidator,
} from "./contract/v1.ts";
export { CONTRACT_V2, EnrichedTelemetryV2, TelemetryV2, telemetryV2Validator } from "./contract/v2.ts";

/** Every version this consumer knows, oldest first. */
export const SCHEMA_VERSIONS = [1, 2] as const;
export type SchemaVersion = (typeof SCHEMA_VERSIONS)[number];

/** An input record of any version. */
export type Telemetry = TelemetryV1 | TelemetryV2;
/** An output line of any version. */
export type EnrichedTelemetry = EnrichedTelemetryV1 | EnrichedTelemetryV2;
