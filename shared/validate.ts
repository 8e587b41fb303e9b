/**
 * Validation of a parsed user record against the contract version its `schemaVersion` selects, with
 * field-level details, the instant range the JSON Schema cannot express, and a count of unknown fields.
 */
import {
  CONTRACT_V1,
  CONTRACT_V2,
  type ContractVersion,
  MAX_EPOCH_MS,
  SCHEMA_VERSIONS,
  type SchemaVersion,
  type Telemetry,
} from "./contract.ts";
import { jsonPreview } from "./describe.ts";
import { Rejection, type RejectionDetail, reject } from "./rejection.ts";

/** A record that passed its contract version, with its event time resolved to epoch milliseconds. */
export interface ValidTelemetry {
  /** The record; its `schemaVersion` (absent for version 1) tells the versions apart. */
  readonly telemetry: Telemetry;
  readonly eventTimeMs: number;
  /** Properties outside the contract (at the top level and in its nested objects). */
  readonly unknownFields: number;
}

/** The contract versions this process delivers; a record of any other version is `SCHEMA_UNSUPPORTED`. */
export type AcceptedVersions = ReadonlySet<SchemaVersion>;

/** Every known version: the default when no operator holds one back. */
export const ALL_SCHEMA_VERSIONS: AcceptedVersions = new Set(SCHEMA_VERSIONS);

/** At most this many details are kept per rejection, so one hostile record cannot bloat quarantine. */
export const MAX_DETAILS = 20;

/** One validation error, as the compiled validator reports it. */
export interface SchemaError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: unknown;
  readonly message: string;
}

/** What a field's pattern means, said in words: a pattern itself is no help in a quarantine line. */
const PATTERN_MEANS: Readonly<Record<string, string>> = {
  "/vehicleId": "must be 1–64 characters of A–Z, a–z, 0–9, _ . : -",
  "/timestamp": "must be an ISO-8601 date-time with a zone (Z or ±hh:mm) on a real calendar date, years 1970–9999",
};

/**
 * The field-level details of a failed validation: one per error (one per missing property for a
 * `required` error), patterns explained in words, at most `max`, reading no further errors than it
 * keeps. Pure; never throws.
 */
export function detailsOf(errors: Iterable<SchemaError>, max = MAX_DETAILS): RejectionDetail[] {
  const details: RejectionDetail[] = [];
  for (const error of errors) {
    const missing =
      // Stryker disable next-line ConditionalExpression: only a required error has requiredProperties
      error.keyword === "required" ? (error.params as { requiredProperties?: string[] }).requiredProperties : undefined;
    if (missing)
      for (const field of missing) details.push({ path: `${error.instancePath}/${field}`, message: "is required" });
    else if (error.keyword === "pattern")
      details.push({
        path: error.instancePath,
        message: PATTERN_MEANS[error.instancePath] ?? "does not match the contract's format for this field",
      });
    else details.push({ path: error.instancePath, message: error.message });
    if (details.length >= max) break;
  }
  details.length = Math.min(details.length, max);
  return details;
}

/**
 * Checks a value against the contract version its `schemaVersion` selects (absent: version 1).
 * Never throws. A version that is unknown (`3`, `"2"`, `0`…) or not in `accepted` is a
 * `SCHEMA_UNSUPPORTED` rejection, whatever the rest of the record holds, so it can be redriven once
 * the version is accepted; a violation of the selected version is a `SCHEMA_INVALID` rejection whose
 * details name each offending field by JSON Pointer. A value that is not an object is
 * `SCHEMA_INVALID` (it is no version's record).
 */
export function validateTelemetry(
  value: unknown,
  accepted: AcceptedVersions = ALL_SCHEMA_VERSIONS,
): ValidTelemetry | Rejection {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return checkAgainst(CONTRACT_V1, value);
  // A property read and two comparisons: the dispatch allocates nothing for an accepted record.
  const declared = (value as { schemaVersion?: unknown }).schemaVersion;
  if (declared === undefined || declared === 1)
    return accepted.has(1) ? checkAgainst(CONTRACT_V1, value) : unsupported(declared, accepted);
  if (declared === 2) return accepted.has(2) ? checkAgainst(CONTRACT_V2, value) : unsupported(declared, accepted);
  return unsupported(declared, accepted);
}

function checkAgainst<T extends Telemetry>(contract: ContractVersion<T>, value: unknown): ValidTelemetry | Rejection {
  const validator = contract.validator;
  if (!validator.Check(value)) {
    const details = detailsOf(validator.Errors(value));
    return new Rejection("SCHEMA_INVALID", details);
  }
  // The pattern has bounded the calendar day and the year; an offset can still move the instant
  // outside 1970–9999, which a pattern cannot see.
  const timestamp = value.timestamp;
  const eventTimeMs = typeof timestamp === "number" ? timestamp : Date.parse(timestamp);
  if (!(eventTimeMs >= 0 && eventTimeMs <= MAX_EPOCH_MS)) {
    return reject("SCHEMA_INVALID", "must be between 1970-01-01 and 9999-12-31 UTC", "/timestamp");
  }
  return { telemetry: value, eventTimeMs, unknownFields: countUnknown(value, contract) };
}

/** The longest rendering of an unsupported `schemaVersion` kept in the details. */
const MAX_VERSION_CHARS = 40;

function unsupported(declared: unknown, accepted: AcceptedVersions): Rejection {
  const list = [...accepted].join(", ");
  if (declared === undefined || declared === 1 || declared === 2) {
    const which = declared === undefined ? "1 (a record without schemaVersion)" : String(declared);
    return reject(
      "SCHEMA_UNSUPPORTED",
      `schemaVersion ${which} is held back by ACCEPTED_SCHEMA_VERSIONS; accepted: ${list}`,
      "/schemaVersion",
    );
  }
  // Never JSON.stringify: a version nested thousands deep would overflow the stack (describe.ts).
  const shown = jsonPreview(declared, MAX_VERSION_CHARS);
  return reject(
    "SCHEMA_UNSUPPORTED",
    `schemaVersion ${shown} is not a known version (known: ${SCHEMA_VERSIONS.join(", ")}); accepted: ${list}`,
    "/schemaVersion",
  );
}

function countUnknown(value: Telemetry, contract: ContractVersion<Telemetry>): number {
  const known = contract.known;
  const record = value as Readonly<Record<string, unknown>>;
  let unknown = 0;
  for (const key in record) if (!known.root.has(key)) unknown++;
  for (let i = 0; i < known.nested.length; i++) {
    const nested = known.nested[i] as KnownNested;
    const inner = record[nested.key];
    // Stryker disable next-line ConditionalExpression: for (const key in undefined) iterates nothing
    if (inner) {
      for (const key in inner) if (!nested.fields.has(key)) unknown++;
    }
  }
  return unknown;
}

type KnownNested = ContractVersion<Telemetry>["known"]["nested"][number];
