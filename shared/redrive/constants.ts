/** Prefix, in the quarantine bucket, of the manifests listing what each source object had redriven. */
export const MANIFEST_PREFIX = "redrive/manifests/";

/** Reserved for the last `processBatch` of a chunk: no object is started later than this before the deadline. */
export const CHUNK_RESERVE_MS = 15_000;
