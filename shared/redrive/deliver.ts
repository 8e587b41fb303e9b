/** The chunk's records through the function's own path, and the manifests of what came through. */
import { processBatch } from "../batch/index.ts";
import { manifestKey } from "./manifest.ts";
import type { Pending, RedriveDeps, RedriveRequest, RedriveSummary } from "./types.ts";

/**
 * One `processBatch` of the chunk's records, then each source object's manifest with the ids now
 * wholly delivered or quarantined again: every record `processBatch` does not name unsettled, before
 * its rewind point or after it. Each user record is counted once: delivered, quarantined again by
 * reason, or failed. A manifest that cannot be written is reported in the summary; throws only what
 * `processBatch` throws (a bug).
 */
export async function deliver(
  request: RedriveRequest,
  pending: readonly Pending[],
  manifests: Map<string, Set<string>>,
  summary: RedriveSummary,
  deps: RedriveDeps,
  deadlineMs: number,
  requestId: string,
): Promise<void> {
  const { stats, unsettled } = await processBatch(
    pending.map((p) => p.record),
    { deadlineMs, requestId: `redrive-${requestId}`, origins: pending.map((p) => p.origin) },
    deps,
  );
  summary.delivered += stats.delivered;
  for (const [reason, n] of Object.entries(stats.quarantined))
    if (n > 0) summary.quarantinedAgain[reason] = (summary.quarantinedAgain[reason] ?? 0) + n;
  summary.failed += stats.failed;
  const open = new Set(unsettled);
  const touched = new Set<string>();
  for (let i = 0; i < pending.length; i++) {
    if (open.has(i)) continue;
    const p = pending[i] as Pending;
    // Stryker disable next-line OptionalChaining: every pending record's object had its manifest loaded before any record was taken
    manifests.get(p.object)?.add(p.manifestId);
    touched.add(p.object);
  }
  for (const key of touched) {
    const ids = [
      // Stryker disable next-line ArrayDeclaration: every touched object had its manifest loaded before any record was taken
      ...(manifests.get(key) ?? []),
    ];
    const body = JSON.stringify({
      source: `s3://${request.bucket}/${key}`,
      updatedAt: new Date(deps.now()).toISOString(),
      ids,
    });
    const manifest = manifestKey(request.bucket, key);
    try {
      await deps.store.put(deps.config.quarantineBucket, manifest, body);
    } catch (err) {
      summary.manifestErrors.push(`${manifest}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    }
  }
}
