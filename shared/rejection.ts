/** Why a record is quarantined instead of delivered: the reasons, and the rejection a check returns. */
import { MAX_USER_RECORD_BYTES } from "./contract/common.ts";

/**
 * Every reason a record is quarantined, in the order records meet the checks (an aggregate is
 * rejected whole after its entries were checked), each with when it applies, in Markdown: the table
 * of reasons in docs/contract.md is generated from it (`npm run docs:publish`). Metrics and reports
 * list the reasons in this order.
 */
export const REJECTIONS = {
  BASE64_INVALID: "`kinesis.data` is not padded standard base64",
  AGGREGATE_CORRUPT:
    "a KPL aggregate (magic `f3 89 9a c2`) that is truncated, undecodable, empty, points outside its key table, holds a partition key over Kinesis's 256-character limit, has entries that repeat its keys (as their lines carry them, JSON-escaped) to more than twice its own size, or fails its MD5 check; checked whole before any entry is read, and the whole Kinesis record is quarantined",
  // Not toLocaleString: Intl's number formatting would cost the function ~8 MB of RSS at init.
  TOO_LARGE: `a user record over ${MAX_USER_RECORD_BYTES / 1024} KiB (${MAX_USER_RECORD_BYTES} bytes; checked before parsing), or an enriched line that cannot fit a Firehose record`,
  UTF8_INVALID: "bytes that are not valid UTF-8",
  JSON_INVALID: "not JSON (the parser's message is the detail)",
  SCHEMA_UNSUPPORTED:
    "a `schemaVersion` that does not exist, or that `ACCEPTED_SCHEMA_VERSIONS` holds back, whatever else the record holds ([below](#holding-a-version-back-and-what-schema_unsupported-means))",
  SCHEMA_INVALID:
    "JSON that breaks its version's contract, or is not a JSON object; `details` name each field by JSON Pointer",
  AGGREGATE_REJECTED:
    "a KPL aggregate with more rejected entries than one aggregate or one batch may quarantine entry by entry ([below](#how-much-of-an-aggregate-is-quarantined-entry-by-entry)): the whole Kinesis record is quarantined once, none of its entries delivered",
} as const;

/** Why a record was quarantined instead of delivered: a key of `REJECTIONS`. */
export type RejectionReason = keyof typeof REJECTIONS;

/** Every reason, in `REJECTIONS`' order. */
export const REJECTION_REASONS = Object.keys(REJECTIONS) as readonly RejectionReason[];

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
