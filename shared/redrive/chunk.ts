/** One bounded chunk of a redrive: which objects, in which order, until when, and where to continue. */
import { randomUUID } from "node:crypto";
import { CHUNK_RESERVE_MS, MANIFEST_PREFIX } from "./constants.ts";
import { deliver } from "./deliver.ts";
import { loadManifest } from "./manifest.ts";
import { takeOnFailure } from "./on-failure-source.ts";
import { takeQuarantine } from "./quarantine-source.ts";
import { emptySummary } from "./summary.ts";
import { decodeToken, encodeToken } from "./token.ts";
import type { ChunkResult, Pending, Position, RedriveDeps, RedriveRequest } from "./types.ts";

/**
 * Works through one chunk of the request: objects in key order from the continuation (or the
 * start), until `maxRecords`/`maxBytes` records are taken or `deadlineMs - CHUNK_RESERVE_MS` is
 * reached, then one `processBatch` of them and the manifests of the objects they came from. Never
 * throws for bad records (each is reported with its object and line); throws S3 errors of listing
 * and reading (nothing is then written) and `RedriveRequestError` for a bad token. Retries are the
 * SDK's and `processBatch`'s own.
 */
export async function redriveChunk(
  request: RedriveRequest,
  continuation: string | undefined,
  deps: RedriveDeps,
  deadlineMs: number,
  requestId: string,
): Promise<ChunkResult> {
  const summary = emptySummary();
  const start: Position = continuation
    ? decodeToken(continuation)
    : { after: startAfter(request), startedMs: deps.now(), run: randomUUID().slice(0, 8) };
  // S3's LastModified has whole seconds: the run's own objects are also known by name.
  const ownObjects = `-redrive-${start.run}-`;
  const at = new Date(deps.now()).toISOString();
  const pending: Pending[] = [];
  const manifests = new Map<string, Set<string>>();
  let bytes = 0;
  let next: Position | undefined;
  let after = start.after;
  let resume = start.key === undefined ? undefined : { key: start.key, line: start.line ?? 1 };
  let counted = 0;
  // Adds the records taken since the last call: a running total, not a sum over the chunk per line.
  const isFull = () => {
    for (; counted < pending.length; counted++) bytes += (pending[counted] as Pending).bytes;
    return pending.length >= request.maxRecords || bytes >= request.maxBytes;
  };

  listing: for (;;) {
    const page = resume
      ? { objects: [{ key: resume.key, modifiedMs: Number.NEGATIVE_INFINITY }], truncated: true }
      : await deps.store.list(request.bucket, request.prefix, after);
    for (const { key, modifiedMs } of page.objects) {
      const fromLine = resume?.line ?? 1;
      resume = undefined;
      if (pastLastHour(request, key)) break listing;
      if (modifiedMs >= start.startedMs || key.includes(ownObjects) || !wanted(request, key)) {
        after = key;
        continue;
      }
      if (isFull() || (summary.objects > 0 && deps.now() >= deadlineMs - CHUNK_RESERVE_MS)) {
        next = {
          ...start,
          after,
          key: undefined,
          line: undefined,
          // Stryker disable next-line ConditionalExpression,ObjectLiteral: unreachable: a resumed object is the chunk's first, where neither stop condition holds
          ...(fromLine > 1 ? { key, line: fromLine } : {}),
        };
        break listing;
      }
      const done = await loadManifest(request, key, deps, manifests);
      summary.objects++;
      const body = await deps.store.get(request.bucket, key);
      const object = `s3://${request.bucket}/${key}`;
      if (body !== undefined && request.source === "quarantine") {
        const stoppedAt = takeQuarantine(request, key, object, body, fromLine, done, at, summary, pending, isFull);
        if (stoppedAt !== undefined) {
          next = { ...start, after, key, line: stoppedAt };
          break listing;
        }
      } else if (body !== undefined) {
        await takeOnFailure(request, key, object, body, done, at, summary, pending, deps, deadlineMs);
      }
      after = key;
    }
    if (!page.truncated) break;
  }

  if (
    // Stryker disable next-line LogicalOperator: nothing is pending in a dry run
    !request.dryRun &&
    // Stryker disable next-line ConditionalExpression,EqualityOperator: delivering nothing makes no call and counts nothing
    pending.length > 0
  )
    await deliver(request, pending, manifests, summary, deps, deadlineMs, `${start.run}-${requestId}`);
  return { summary, continuation: next && encodeToken(next) };
}

/** Where a run's listing starts: keys of the first hour in range sort after `<prefix>YYYY/MM/DD/HH`. */
function startAfter(request: RedriveRequest): string | undefined {
  return request.fromHour ? `${request.prefix}${request.fromHour.replace(/[-T]/g, "/")}` : undefined;
}

/** True for a quarantine key of an hour after `toHour`: keys sort by hour, so none after it is wanted. */
function pastLastHour(request: RedriveRequest, key: string): boolean {
  if (
    !request.toHour ||
    !key.startsWith(request.prefix) ||
    // Stryker disable next-line ConditionalExpression: the parser refuses hours on on-failure requests, and both callers run it first
    request.source !== "quarantine"
  )
    return false;
  const last = `${request.prefix}${request.toHour.replace(/[-T]/g, "/")}/`;
  // Stryker disable next-line EqualityOperator: `>=` differs only for the last hour's prefix itself, which startsWith decides the same way
  return key > last && !key.startsWith(last);
}

/** Keys the request covers: not a manifest, and for quarantine within the hours asked for. */
function wanted(request: RedriveRequest, key: string): boolean {
  if (key.startsWith(MANIFEST_PREFIX)) return false;
  if (
    (!request.fromHour && !request.toHour) ||
    // Stryker disable next-line ConditionalExpression: the parser refuses hours on on-failure requests, and both callers run it first
    request.source !== "quarantine"
  )
    return true;
  const match = /^(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\//.exec(key.slice(request.prefix.length));
  if (!match) return false;
  const hour = `${match[1]}-${match[2]}-${match[3]}T${match[4]}`;
  return (
    (!request.fromHour || hour >= request.fromHour) &&
    // Stryker disable next-line ConditionalExpression: a key past toHour never reaches wanted: pastLastHour stops the listing first
    (!request.toHour || hour <= request.toHour)
  );
}
