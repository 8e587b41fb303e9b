/** The redrive's request, from the command's options or the function's event, validated. */
import { jsonPreview } from "../describe.ts";
import { REJECTION_REASONS, type RejectionReason } from "../rejection.ts";
import { RedriveRequestError } from "./errors.ts";
import type { RedriveRequest } from "./types.ts";

const HOUR = /^\d{4}-\d{2}-\d{2}T\d{2}$/;
/** A request's fields, and `continuation`, which the function's event carries beside them. */
const REQUEST_FIELDS: readonly string[] = [
  "source",
  "bucket",
  "prefix",
  "fromHour",
  "toHour",
  "reasons",
  "partitionKeys",
  "recordIds",
  "dryRun",
  "force",
  "maxRecords",
  "maxBytes",
  "continuation",
];
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** The longest rendering of a bad field's value kept in an error message (never recursing into it). */
const SHOWN_CHARS = 80;
const shown = (value: unknown) => jsonPreview(value, SHOWN_CHARS);

/**
 * Validates a request from the command's options or the function's event; a quarantine request
 * without a `prefix` reads under `quarantinePrefix`, the configuration's (`QUARANTINE_PREFIX`).
 * Throws a `RedriveRequestError` naming the first bad field.
 */
export function parseRedriveRequest(input: unknown, quarantinePrefix: string): RedriveRequest {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw new RedriveRequestError("the request must be a JSON object");
  const o = input as Record<string, unknown>;
  // A misspelt filter must not widen the redrive to everything.
  const unknownField = Object.keys(o).find((key) => !REQUEST_FIELDS.includes(key));
  if (unknownField !== undefined)
    throw new RedriveRequestError(`unknown field "${unknownField}"; the fields are ${REQUEST_FIELDS.join(", ")}`);
  const source = o.source;
  if (source !== "quarantine" && source !== "on-failure")
    throw new RedriveRequestError(`source must be "quarantine" or "on-failure"; got ${shown(source)}`);
  const bucket = o.bucket;
  if (typeof bucket !== "string" || !BUCKET.test(bucket))
    throw new RedriveRequestError(`bucket must be an S3 bucket name; got ${shown(bucket)}`);
  const prefix = o.prefix ?? (source === "quarantine" ? quarantinePrefix : "");
  if (typeof prefix !== "string" || prefix.length > 512)
    throw new RedriveRequestError(`prefix must be a string of at most 512 characters; got ${shown(prefix)}`);
  const hour = (name: string): string | undefined => {
    const value = o[name];
    if (value === undefined) return undefined;
    if (typeof value !== "string" || !HOUR.test(value))
      throw new RedriveRequestError(`${name} must be an hour as YYYY-MM-DDTHH (UTC); got ${shown(value)}`);
    return value;
  };
  const strings = (name: string): string[] | undefined => {
    const value = o[name];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === "string" && v !== ""))
      throw new RedriveRequestError(`${name} must be a non-empty list of non-empty strings`);
    return value as string[];
  };
  const reasons = strings("reasons");
  const known: readonly string[] = REJECTION_REASONS;
  const unknown = reasons?.find((r) => !known.includes(r));
  if (unknown !== undefined)
    throw new RedriveRequestError(`reasons: unknown reason "${unknown}"; choose from ${REJECTION_REASONS.join(", ")}`);
  if (source === "on-failure" && (reasons || o.fromHour !== undefined || o.toHour !== undefined))
    throw new RedriveRequestError("reasons, fromHour and toHour apply to the quarantine source only");
  const count = (name: string, fallback: number, max: number): number => {
    const value = o[name] ?? fallback;
    if (
      !Number.isInteger(value) ||
      // Stryker disable next-line ConditionalExpression: Number.isInteger has refused every non-number (this narrows the type)
      typeof value !== "number" ||
      value < 1 ||
      value > max
    )
      throw new RedriveRequestError(`${name} must be an integer from 1 to ${max}; got ${shown(value)}`);
    return value;
  };
  const flag = (name: string): boolean => {
    const value = o[name] ?? false;
    if (typeof value !== "boolean") throw new RedriveRequestError(`${name} must be true or false`);
    return value;
  };
  const fromHour = hour("fromHour");
  const toHour = hour("toHour");
  if (
    // Stryker disable next-line ConditionalExpression,LogicalOperator: comparing with an undefined hour is false either way; an hour is never empty
    fromHour &&
    toHour &&
    fromHour > toHour
  )
    throw new RedriveRequestError("fromHour is after toHour");
  const partitionKeys = strings("partitionKeys");
  const recordIds = strings("recordIds");
  return {
    source,
    bucket,
    prefix,
    ...(fromHour ? { fromHour } : {}),
    ...(toHour ? { toHour } : {}),
    ...(reasons ? { reasons: reasons as RejectionReason[] } : {}),
    ...(partitionKeys ? { partitionKeys } : {}),
    ...(recordIds ? { recordIds } : {}),
    dryRun: flag("dryRun"),
    force: flag("force"),
    // A Kinesis batch holds 10,000 records; Lambda's event, 6 MB: a chunk stays within both.
    maxRecords: count("maxRecords", 1_000, 10_000),
    maxBytes: count("maxBytes", 4 * 1024 * 1024, 6 * 1024 * 1024),
  };
}
