/**
 * One Kinesis batch from records to outcome: decode, de-aggregate, validate, enrich, deliver to
 * Firehose, quarantine the rejects, and name the record Lambda must rewind to.
 */
export { MAX_REJECTED_ENTRIES_PER_AGGREGATE, MAX_REJECTED_ENTRIES_PER_BATCH, REJECT_BOUNDS } from "./constants.ts";
export { processBatch } from "./process-batch.ts";
export type { BatchContext, BatchDeps, BatchOutcome, BatchStats, RecordOrigin, RejectBounds } from "./types.ts";
