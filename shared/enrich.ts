/** Enrichment: from a valid telemetry record and its Kinesis metadata to one output line. */
import {
  type EnrichedTelemetry,
  type EnrichedTelemetryV2,
  EV_FIELDS,
  type Telemetry,
  type TelemetryV2,
} from "./contract.ts";
import type { ValidTelemetry } from "./validate.ts";

const KM_PER_MILE = 1.609344;

/** One property a line copies from its record: the key, and for an object, the keys it keeps (the others are dropped). */
interface Copied {
  readonly key: string;
  readonly nested: readonly string[] | undefined;
}

/** The properties of a contract, in its order, as a line copies them. */
function copiedOf(fields: Readonly<Record<string, object>>): readonly Copied[] {
  return Object.entries(fields).map(([key, schema]) => {
    const properties = (schema as { properties?: object }).properties;
    return { key, nested: properties && Object.keys(properties) };
  });
}

/** What v2 adds to v1, in line order: read from the contract once, at load. */
const EV_COPIED = copiedOf(EV_FIELDS);

/** The stream a record came from, taken from the event source ARN. */
export interface StreamSource {
  readonly account: string;
  readonly stream: string;
}

/**
 * Reads account and stream name from the event source ARN: the stream's
 * (`arn:<partition>:kinesis:<region>:<account>:stream/<name>`) or, for an enhanced fan-out
 * consumer, the consumer's (`…:stream/<name>/consumer/<consumer>:<creation timestamp>`); the stream
 * name is the same either way. Never throws: a malformed ARN (hand-written events) yields `"unknown"` parts.
 */
export function parseStreamArn(arn: string): StreamSource {
  const parts = arn.split(":");
  // Stryker disable next-line StringLiteral: an ARN of fewer than six parts has no stream/ resource either way
  const resource = parts[5] ?? "";
  const account = parts[4];
  // A stream name is 1–128 of [a-zA-Z0-9_.-]: it ends at the "/" of "/consumer/…", if any.
  const slash = resource.indexOf("/", 7);
  const stream = resource.startsWith("stream/") ? resource.slice(7, slash === -1 ? undefined : slash) : "";
  return {
    account: parts[2] === "kinesis" && account ? account : "unknown",
    stream: stream === "" ? "unknown" : stream,
  };
}

/** The shard a record came from: the part of Lambda's `eventID` before the first `:`. */
export function shardIdOf(eventId: string): string {
  const colon = eventId.indexOf(":");
  return colon === -1 ? eventId : eventId.slice(0, colon);
}

/** `shardId:sequenceNumber[:subSequenceNumber]`: the same for every delivery of one user record. */
export function recordIdOf(shardId: string, sequenceNumber: string, subSequenceNumber?: number): string {
  return subSequenceNumber === undefined
    ? `${shardId}:${sequenceNumber}`
    : `${shardId}:${sequenceNumber}:${subSequenceNumber}`;
}

/** Where and when a redriven record was brought back (the output's optional `ingest.redrive`). */
export interface RedriveInfo {
  readonly source: "quarantine" | "on-failure";
  /** `s3://bucket/key` of the quarantine object or on-failure record it was read from. */
  readonly object: string;
  /** 1-based line of a quarantine object; absent for on-failure records. */
  readonly line?: number;
  readonly at: string;
  /** 1 for the first redrive of a record, one more for each redrive of a re-quarantined one. */
  readonly attempt: number;
}

/** What a line needs to know about the Kinesis record that carried it. */
export interface IngestInfo {
  readonly recordId: string;
  readonly partitionKey: string;
  readonly arrivalMs: number;
  readonly arrivalTime: string;
  /** Set only for a redriven record. */
  readonly redrive?: RedriveInfo | undefined;
}

/** What is the same for every line of one invocation. */
export interface BatchInfo {
  readonly processedAt: string;
  readonly source: StreamSource;
  readonly speedLimitKmh: number;
}

/**
 * Builds the output line of the record's version: the contract's fields (unknown ones dropped, at
 * every level), `eventTime` normalised to ISO UTC with ms, `speedMph`, `overSpeedLimit`,
 * `schemaVersion` and the `ingest` block. Pure; never throws.
 */
export function enrich(valid: ValidTelemetry, ingest: IngestInfo, batch: BatchInfo): EnrichedTelemetry {
  const t = valid.telemetry;
  if (t.schemaVersion === 2) return enrichV2(t, valid, ingest, batch);
  return {
    vehicleId: t.vehicleId,
    eventTime: eventTimeOf(valid),
    speedKmh: t.speedKmh,
    speedMph: mphOf(t.speedKmh),
    overSpeedLimit: t.speedKmh > batch.speedLimitKmh,
    location: locationOf(t),
    heading: t.heading,
    odometerKm: t.odometerKm,
    fuelLevelPct: t.fuelLevelPct,
    engine: engineOf(t),
    schemaVersion: 1,
    ingest: ingestOf(valid, ingest, batch),
  };
}

/**
 * v1's fields in v1's order, then the EV fields in the contract's order, each assigned on every line
 * (absent ones as undefined, which JSON.stringify leaves out), so every v2 line has one shape.
 */
function enrichV2(t: TelemetryV2, valid: ValidTelemetry, ingest: IngestInfo, batch: BatchInfo): EnrichedTelemetryV2 {
  const line: Record<string, unknown> = {
    vehicleId: t.vehicleId,
    eventTime: eventTimeOf(valid),
    speedKmh: t.speedKmh,
    speedMph: mphOf(t.speedKmh),
    overSpeedLimit: t.speedKmh > batch.speedLimitKmh,
    location: locationOf(t),
    heading: t.heading,
    odometerKm: t.odometerKm,
    fuelLevelPct: t.fuelLevelPct,
    engine: engineOf(t),
  };
  const record = t as unknown as Readonly<Record<string, unknown>>;
  for (let i = 0; i < EV_COPIED.length; i++) {
    const { key, nested } = EV_COPIED[i] as Copied;
    const value = record[key];
    line[key] = nested === undefined || value === undefined ? value : keep(value as Record<string, unknown>, nested);
  }
  line.schemaVersion = 2;
  line.ingest = ingestOf(valid, ingest, batch);
  return line as unknown as EnrichedTelemetryV2;
}

/** A copy of `value` with `keys` only, in that order, each assigned (so each copy has one shape). */
function keep(value: Readonly<Record<string, unknown>>, keys: readonly string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    copy[key] = value[key];
  }
  return copy;
}

function locationOf(t: Telemetry): EnrichedTelemetry["location"] {
  return t.location && { lat: t.location.lat, lon: t.location.lon };
}

function engineOf(t: Telemetry): EnrichedTelemetry["engine"] {
  return t.engine && { rpm: t.engine.rpm, coolantTempC: t.engine.coolantTempC };
}

function eventTimeOf(valid: ValidTelemetry): string {
  const timestamp = valid.telemetry.timestamp;
  return isNormalised(timestamp) ? timestamp : new Date(valid.eventTimeMs).toISOString();
}

function mphOf(speedKmh: number): number {
  return Math.round((speedKmh / KM_PER_MILE) * 100) / 100;
}

function ingestOf(valid: ValidTelemetry, ingest: IngestInfo, batch: BatchInfo): EnrichedTelemetry["ingest"] {
  const out: EnrichedTelemetry["ingest"] = {
    recordId: ingest.recordId,
    partitionKey: ingest.partitionKey,
    arrivalTime: ingest.arrivalTime,
    processedAt: batch.processedAt,
    arrivalLagMs: ingest.arrivalMs - valid.eventTimeMs,
    sourceAccount: batch.source.account,
    sourceStream: batch.source.stream,
  };
  // Added after the fixed fields, and only when redriven, so ordinary lines keep their one shape.
  if (ingest.redrive !== undefined) out.redrive = ingest.redrive;
  return out;
}

// Stryker disable next-line BlockStatement: without the fast path, toISOString gives the same string (performance only)
/** True for a contract timestamp already in the output form `YYYY-MM-DDTHH:MM:SS.sssZ` (toISOString's). */
function isNormalised(timestamp: string | number): timestamp is string {
  // The contract's pattern admits exactly one 24-character form that ends in Z: milliseconds, UTC.
  return (
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,StringLiteral: skipped, toISOString gives the same string; widened, a number's length is undefined
    typeof timestamp === "string" &&
    // Stryker disable next-line ConditionalExpression,EqualityOperator: an accepted timestamp with a Z at index 23 ends there (24 characters)
    timestamp.length === 24 &&
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the contract's only 24-character timestamp ends in Z
    timestamp.charCodeAt(23) === 90
  );
}
