/** Why a record was quarantined instead of delivered. */
export type RejectionReason =
  | "BASE64_INVALID"
  | "AGGREGATE_CORRUPT"
  | "TOO_LARGE"
  | "UTF8_INVALID"
  | "JSON_INVALID"
  | "SCHEMA_INVALID";

/** Every reason, in the order records meet the checks; metrics and reports list them in this order. */
export const REJECTION_REASONS: readonly RejectionReason[] = [
  "BASE64_INVALID",
  "AGGREGATE_CORRUPT",
  "TOO_LARGE",
  "UTF8_INVALID",
  "JSON_INVALID",
  "SCHEMA_INVALID",
];

/** A field-level explanation: a JSON Pointer into the record (empty for the whole record). */
export interface RejectionDetail {
  readonly path: string;
  readonly message: string;
}

export interface Rejection {
  readonly reason: RejectionReason;
  readonly details: readonly RejectionDetail[];
}

/** Builds a rejection with one detail about the whole record. */
export function reject(reason: RejectionReason, message: string, path = ""): Rejection {
  return { reason, details: [{ path, message }] };
}
