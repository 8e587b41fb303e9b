/**
 * Firehose's limits: 1,000 KiB a record, 500 records a PutRecordBatch call, and 4 MB of data a call.
 * The API reference says "4 MB for the entire request" and the quota page 4 MiB: a call holds at
 * most 4,000,000 data bytes, which satisfies either reading and costs nothing (billing is per record).
 */
export const FIREHOSE_LIMITS = {
  recordBytes: 1_000 * 1024,
  batchRecords: 500,
  batchBytes: 4_000_000,
} as const;
export type FirehoseLimits = { readonly [K in keyof typeof FIREHOSE_LIMITS]: number };

/** Firehose bills ingestion per record, rounded up to the next 5 KB. */
export const FIREHOSE_BILLING_INCREMENT = 5 * 1024;
