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
  UNEXPECTED_ERROR:
    "an exception thrown while the record was decoded, validated or enriched, before its line was handed to delivery: a bug, not the data's fault; the detail names the exception, the batch goes on, and `UnexpectedErrorAlarm` fires ([operations](operations.md#unexpectederroralarm)). Redrive the record once the bug is fixed",
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
 * The most bytes a rejection's details take as JSON (the quarantine line's `details` array). A
 * quarantine line's other fields, besides its partition key and data, take at most 568 bytes (with
 * a 128-character stream name), so a line's fixed part stays within 1 KiB however many errors a
 * record has, or however long the text they quote (docs/reliability.md, "Amplification").
 */
export const MAX_DETAILS_BYTES = 448;

/**
 * Why a record cannot be used. A class, so that a decoding step can return either its value or a
 * `Rejection` (told apart with `instanceof`: JSON.parse never makes one) without a wrapper object per record.
 * Its details are held to `MAX_DETAILS_BYTES`: the first ones that fit are kept (the first always,
 * cut if need be), then one saying how many more there were.
 */
export class Rejection {
  readonly reason: RejectionReason;
  readonly details: readonly RejectionDetail[];

  constructor(reason: RejectionReason, details: readonly RejectionDetail[]) {
    this.reason = reason;
    this.details = withinBudget(details);
  }
}

/** Room kept for the last detail of a cut list, `,{"path":"","message":"… and 9999 more"}` (44 bytes). */
const MORE_BYTES = 48;

/**
 * `details` as they are when their JSON fits `MAX_DETAILS_BYTES`; otherwise the longest first part of
 * them whose JSON, with `MORE_BYTES` to spare, fits (at least the first detail, cut if need be), and
 * one saying how many more there were.
 */
function withinBudget(details: readonly RejectionDetail[]): readonly RejectionDetail[] {
  // A character takes at most 6 bytes in JSON (\u0001), a detail's punctuation 26: most lists fit
  // without being measured.
  let most = 2;
  for (const detail of details) most += 26 + 6 * (detail.path.length + detail.message.length);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: without the quick bound every list is measured, with the same answer (performance only)
  if (most <= MAX_DETAILS_BYTES || jsonBytes(details) <= MAX_DETAILS_BYTES) return details;
  const kept: RejectionDetail[] = [];
  // The list's brackets, then each kept detail and its comma.
  let bytes = 2;
  for (const detail of details) {
    const size = jsonBytes(detail) + (kept.length > 0 ? 1 : 0);
    if (bytes + size + MORE_BYTES > MAX_DETAILS_BYTES) break;
    kept.push(detail);
    bytes += size;
  }
  if (kept.length === 0) kept.push(cut(details[0] as RejectionDetail, MAX_DETAILS_BYTES - MORE_BYTES - bytes));
  kept.push({ path: "", message: `… and ${details.length - kept.length} more` });
  return kept;
}

/**
 * A detail cut to at most `room` bytes of JSON: path and message each to the same number of
 * characters, halved until it fits, each cut marked with `…`. At 0 characters it is `{"path":"…",
 * "message":"…"}`, 30 bytes, which any room left for a first detail holds.
 */
function cut(detail: RejectionDetail, room: number): RejectionDetail {
  for (let keep = Math.max(detail.path.length, detail.message.length); ; keep = Math.floor(keep / 2)) {
    const shorter = { path: clip(detail.path, keep), message: clip(detail.message, keep) };
    if (jsonBytes(shorter) <= room) return shorter;
  }
}

/** The first `chars` UTF-16 units of `text`, and `…` if that cut it. */
const clip = (text: string, chars: number) => (text.length > chars ? `${text.slice(0, chars)}…` : text);

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

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
