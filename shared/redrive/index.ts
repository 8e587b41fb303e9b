/**
 * Redrive: records back from the quarantine bucket or from the trigger's on-failure destination,
 * through the function's own path (`processBatch`: decode, de-aggregate, validate, enrich, deliver,
 * quarantine), keeping their original identity and adding `ingest.redrive`. One bounded chunk per
 * call, and a continuation token to resume from, so the command and RedriveFunction share it all.
 */
export { createKinesisClient, kinesisStreamReader, s3ObjectStore } from "./aws.ts";
export { redriveChunk } from "./chunk.ts";
export { CHUNK_RESERVE_MS, MANIFEST_PREFIX } from "./constants.ts";
export { RedriveRequestError } from "./errors.ts";
export { manifestKey } from "./manifest.ts";
export { parseOnFailureRecord } from "./on-failure-source.ts";
export { parseQuarantineLine } from "./quarantine-source.ts";
export { parseRedriveRequest } from "./request.ts";
export { MAX_RANGE_BYTES, MAX_RANGE_RECORDS } from "./stream-range.ts";
export { addSummary, emptySummary } from "./summary.ts";
export type {
  ChunkResult,
  Malformed,
  ObjectStore,
  RangeReport,
  RedriveDeps,
  RedriveRequest,
  RedriveSource,
  RedriveSummary,
  StreamReader,
  StreamRecord,
} from "./types.ts";
