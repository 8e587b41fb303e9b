/** The counts a chunk, and a run of chunks, report. */
import type { RedriveSummary } from "./types.ts";

/** A summary with nothing counted: a chunk's start, or a run's total before its first chunk. */
export function emptySummary(): RedriveSummary {
  return {
    read: 0,
    delivered: 0,
    quarantinedAgain: {},
    failed: 0,
    expired: 0,
    skipped: 0,
    alreadyRedriven: 0,
    wouldRedrive: {},
    objects: 0,
    malformed: [],
    ranges: [],
    manifestErrors: [],
  };
}

/** Adds a chunk's summary to a run's. */
export function addSummary(total: RedriveSummary, chunk: RedriveSummary): void {
  for (const k of ["read", "delivered", "failed", "expired", "skipped", "alreadyRedriven", "objects"] as const)
    total[k] += chunk[k];
  for (const k of ["quarantinedAgain", "wouldRedrive"] as const)
    for (const [reason, n] of Object.entries(chunk[k])) total[k][reason] = (total[k][reason] ?? 0) + n;
  total.malformed.push(...chunk.malformed);
  total.ranges.push(...chunk.ranges);
  total.manifestErrors.push(...chunk.manifestErrors);
}
