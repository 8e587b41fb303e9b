/**
 * Validation of a parsed user record against the telemetry v1 contract, with field-level details,
 * a calendar check the JSON Schema pattern cannot express, and a count of unknown fields.
 */
import { KNOWN_FIELDS, MAX_EPOCH_MS, type TelemetryV1, telemetryValidator } from "./contract.ts";
import { Rejection, type RejectionDetail, reject } from "./rejection.ts";

/** A record that passed the contract, with its event time resolved to epoch milliseconds. */
export interface ValidTelemetry {
  readonly telemetry: TelemetryV1;
  readonly eventTimeMs: number;
  /** Properties outside the contract (at the top level, in `location` and in `engine`). */
  readonly unknownFields: number;
}

/** At most this many details are kept per rejection, so one hostile record cannot bloat quarantine. */
const MAX_DETAILS = 20;

/**
 * Checks a value against telemetry v1. Never throws: a violation is a `SCHEMA_INVALID` rejection
 * whose details name each offending field by JSON Pointer.
 */
export function validateTelemetry(value: unknown): ValidTelemetry | Rejection {
  if (!telemetryValidator.Check(value)) {
    const details: RejectionDetail[] = [];
    for (const error of telemetryValidator.Errors(value)) {
      const missing =
        error.keyword === "required"
          ? (error.params as { requiredProperties?: string[] }).requiredProperties
          : undefined;
      if (missing)
        for (const field of missing) details.push({ path: `${error.instancePath}/${field}`, message: "is required" });
      else details.push({ path: error.instancePath, message: error.message });
      if (details.length >= MAX_DETAILS) break;
    }
    details.length = Math.min(details.length, MAX_DETAILS);
    return new Rejection("SCHEMA_INVALID", details);
  }
  const eventTimeMs = eventTimeOf(value.timestamp);
  if (Number.isNaN(eventTimeMs)) return reject("SCHEMA_INVALID", "day is past the month's end", "/timestamp");
  if (eventTimeMs < 0 || eventTimeMs > MAX_EPOCH_MS) {
    return reject("SCHEMA_INVALID", "must be between 1970-01-01 and 9999-12-31 UTC", "/timestamp");
  }
  return { telemetry: value, eventTimeMs, unknownFields: countUnknown(value) };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Epoch ms of a contract timestamp, or NaN for a day past its month's end. */
function eventTimeOf(timestamp: string | number): number {
  if (typeof timestamp === "number") return timestamp;
  // Date.parse rolls 2023-02-30 over to March; the pattern has already bounded the day to 01–31,
  // and every month has days 01–28.
  const day = (timestamp.charCodeAt(8) - 48) * 10 + (timestamp.charCodeAt(9) - 48);
  if (day <= 28) return Date.parse(timestamp);
  const year = Number(timestamp.slice(0, 4));
  const month = Number(timestamp.slice(5, 7));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const lastDay = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  return day <= lastDay ? Date.parse(timestamp) : Number.NaN;
}

function countUnknown(value: TelemetryV1): number {
  let unknown = 0;
  for (const key in value) if (!KNOWN_FIELDS.root.has(key)) unknown++;
  if (value.location) for (const key in value.location) if (!KNOWN_FIELDS.location.has(key)) unknown++;
  if (value.engine) for (const key in value.engine) if (!KNOWN_FIELDS.engine.has(key)) unknown++;
  return unknown;
}
