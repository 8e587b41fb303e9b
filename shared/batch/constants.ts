/** The bounds on rejected aggregate entries quarantined one by one. */
import type { RejectBounds } from "./types.ts";

/**
 * Rejected entries one aggregate may have quarantined one by one; past it the aggregate is
 * quarantined whole. Above any aggregate the KPL builds by default (at most 51,200 bytes: ~190
 * readings of ~270 bytes), so a producer's bad readings keep a line each, and below the point where
 * lines outweigh the aggregate: a line costs ~400 bytes plus its data (and ~1 KB of heap while the
 * batch runs), so 1,000 lines stay under ~1 MB, a full aggregate's size.
 */
export const MAX_REJECTED_ENTRIES_PER_AGGREGATE = 1_000;

/**
 * Rejected entries of aggregates one batch may have quarantined one by one (as many as the
 * 10,000 records a Kinesis batch holds at most): many small aggregates, each under the bound
 * above, cannot make the quarantine object grow with the entries' count either (a 6 MB event holds
 * ~850 aggregates of 1,000 one-byte entries). Later aggregates with rejects are quarantined whole.
 */
export const MAX_REJECTED_ENTRIES_PER_BATCH = 10_000;

/** The bounds `processBatch` applies unless its deps narrow them. */
export const REJECT_BOUNDS: RejectBounds = {
  perAggregate: MAX_REJECTED_ENTRIES_PER_AGGREGATE,
  perBatch: MAX_REJECTED_ENTRIES_PER_BATCH,
};
