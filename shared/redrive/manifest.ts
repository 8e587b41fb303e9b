/** The manifests: per source object, the ids a redrive has delivered or quarantined again, in the quarantine bucket. */
import { MANIFEST_PREFIX } from "./constants.ts";
import type { RedriveDeps, RedriveRequest } from "./types.ts";

/** The manifest of one source object: the ids it had redriven (quarantine recordIds, or `shard:sequence`). */
export function manifestKey(sourceBucket: string, sourceKey: string): string {
  return `${MANIFEST_PREFIX}${sourceBucket}/${sourceKey}.json`;
}

/**
 * Reads the manifest of source object `key` into `manifests` and returns its ids (empty when there
 * is none, or it cannot be read: it is then rewritten whole from what this run delivers). Throws the
 * store's errors.
 */
export async function loadManifest(
  request: RedriveRequest,
  key: string,
  deps: RedriveDeps,
  manifests: Map<string, Set<string>>,
): Promise<Set<string>> {
  const text = await deps.store.get(deps.config.quarantineBucket, manifestKey(request.bucket, key));
  const done = new Set<string>();
  // Stryker disable next-line ConditionalExpression: JSON.parse(undefined) throws, and the catch gives the same empty set
  if (text !== undefined) {
    try {
      const ids = (JSON.parse(text) as { ids?: unknown }).ids;
      if (Array.isArray(ids)) for (const id of ids) if (typeof id === "string") done.add(id);
    } catch {
      // An unreadable manifest is rewritten whole from what this run delivers; its records may repeat.
    }
  }
  manifests.set(key, done);
  return done;
}
