/**
 * Delivery of NDJSON lines to Firehose: packing lines into as few records as the service limits
 * allow (Firehose bills each record rounded up to 5 KB), grouping records into PutRecordBatch calls,
 * and resending exactly the entries that failed, with exponential backoff and full jitter.
 */
export {
  compressedBound,
  compressRecord,
  DEFAULT_LEVELS,
  type DeliveryCompression,
  NO_COMPRESSION,
  parseDeliveryCompression,
} from "./codec.ts";
export { FIREHOSE_BILLING_INCREMENT, FIREHOSE_LIMITS, type FirehoseLimits } from "./constants.ts";
export {
  type DeliveryDeps,
  type DeliveryResult,
  deliverRecords,
  type FirehoseSender,
  packBatches,
  RETRY_POLICY,
} from "./delivery.ts";
export { CompressedRecordSizeError } from "./errors.ts";
export { type PackedRecord, type PackerMark, packLines, RecordPacker } from "./packer.ts";
