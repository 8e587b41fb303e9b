/** Why a record was quarantined instead of delivered. */
export type RejectionReason =
  | "BASE64_INVALID"
  | "AGGREGATE_CORRUPT"
  | "TOO_LARGE"
  | "UTF8_INVALID"
  | "JSON_INVALID"
  /** A `schemaVersion` this consumer does not know, or one `ACCEPTED_SCHEMA_VERSIONS` holds back. */
  | "SCHEMA_UNSUPPORTED"
  | "SCHEMA_INVALID"
  | "AGGREGATE_REJECTED";

/**
 * Every reason, in the order records meet the checks (an aggregate is rejected whole after its
 * entries were checked); metrics and reports list them in this order.
 */
export const REJECTION_REASONS: readonly RejectionReason[] = [
  "BASE64_INVALID",
  "AGGREGATE_CORRUPT",
  "TOO_LARGE",
  "UTF8_INVALID",
  "JSON_INVALID",
  "SCHEMA_UNSUPPORTED",
  "SCHEMA_INVALID",
  "AGGREGATE_REJECTED",
];

/** A field-level explanation: a JSON Pointer into the record (empty for the whole record). */
export interface RejectionDetail {
  readonly path: string;
  readonly message: string;
}

/**
 * Why a record cannot be used. A class, so that a decoding step can return either its value or a
 * `Rejection` (told apart with `instanceof`: JSON.parse never makes one) without a wrapper object per record.
 */
export class Rejection {
  readonly reason: RejectionReason;
  readonly details: readonly RejectionDetail[];

  constructor(reason: RejectionReason, details: readonly RejectionDetail[]) {
    this.reason = reason;
    this.details = details;
  }
}

/** Builds a rejection with one detail about the whole record. */
export function reject(reason: RejectionReason, message: string, path = ""): Rejection {
  return new Rejection(reason, [{ path, message }]);
}

/** A count of 0 for each reason, in `REJECTION_REASONS` order: what a batch adds its rejects to. */
export function zeroByReason(): Record<RejectionReason, number> {
  const counts = {} as Record<RejectionReason, number>;
  for (const reason of REJECTION_REASONS) counts[reason] = 0;
  return counts;
}
