/**
 * Redrive: records back from the quarantine bucket or from the trigger's on-failure destination,
 * through the function's own path (`processBatch`: decode, de-aggregate, validate, enrich, deliver,
 * quarantine), keeping their original identity and adding `ingest.redrive`. One bounded chunk per
 * call, and a continuation token to resume from, so the command and RedriveFunction share it all.
 */
import { randomUUID } from "node:crypto";
import type { KinesisStreamRecord } from "aws-lambda";
import { type BatchDeps, processBatch, type RecordOrigin } from "./batch/index.ts";
import type { RedriveInfo } from "./enrich.ts";
import type { QuarantineLine } from "./quarantine.ts";
import { REJECTION_REASONS, type RejectionReason } from "./rejection.ts";

export type RedriveSource = RedriveInfo["source"];

/** What to redrive; the same for every chunk of one run. */
export interface RedriveRequest {
  readonly source: RedriveSource;
  /** The bucket holding the quarantine objects or the on-failure records. */
  readonly bucket: string;
  /** Key prefix to list under (the quarantine prefix, or the on-failure records' prefix). */
  readonly prefix: string;
  /** Quarantine only: the first and last hour (`YYYY-MM-DDTHH`, UTC) of the keys to read. */
  readonly fromHour?: string;
  readonly toHour?: string;
  /** Quarantine only: only lines with these reasons. */
  readonly reasons?: readonly RejectionReason[];
  readonly partitionKeys?: readonly string[];
  /** Quarantine lines with these recordIds; on-failure records whose `shard:sequence` is listed. */
  readonly recordIds?: readonly string[];
  readonly dryRun: boolean;
  /** Redrive records the manifest already lists. */
  readonly force: boolean;
  /** Bounds of one chunk. */
  readonly maxRecords: number;
  readonly maxBytes: number;
}

/** Where a run stands: the last key read whole, the object and line to resume within, the run's start. */
interface Position {
  /** ListObjectsV2's StartAfter: every key up to it is done. */
  readonly after: string | undefined;
  /** An object stopped part-way, and its 1-based line to resume at. */
  readonly key?: string;
  readonly line?: number;
  /** Epoch ms: objects written since (the run's own re-quarantines among them) are not read. */
  readonly startedMs: number;
  /** The run's id: its own re-quarantine objects are named with it, and never read back by it. */
  readonly run: string;
}

/** A record that could not be read: object, line (1-based; 1 for an on-failure record) and why. */
export interface Malformed {
  readonly object: string;
  readonly line: number;
  readonly error: string;
}

/** One on-failure record's sequence range, as read back from the stream. */
export interface RangeReport {
  readonly object: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
  /** Records read back (or found in the record's own payload). */
  readonly found: number;
  /**
   * "payload": the record carried the batch; "stream": read back; "expired"/"trimmed": partly or
   * wholly gone; "incomplete": the reads stopped before the range's end (the rest count as failed).
   */
  readonly status: "payload" | "stream" | "expired" | "trimmed" | "incomplete";
  readonly detail?: string;
}

export interface RedriveSummary {
  /** Quarantine lines or Kinesis records read from the source. */
  read: number;
  /** User records Firehose confirmed. */
  delivered: number;
  /** User records rejected again, by reason (a new quarantine object, attempt count in each line). */
  quarantinedAgain: Record<string, number>;
  /**
   * Records neither delivered nor quarantined (Firehose or S3 failed), or of an incomplete range not
   * read back: not in the manifest, so the next run takes them.
   */
  failed: number;
  /** Records of on-failure ranges no longer within the stream's retention. */
  expired: number;
  /** Filtered out by reason, partition key or recordId. */
  skipped: number;
  /** Listed in the manifest of an earlier run (redriven again only with force). */
  alreadyRedriven: number;
  /** Dry run: what would be redriven, by quarantine reason (on-failure: by the record's condition). */
  wouldRedrive: Record<string, number>;
  objects: number;
  malformed: Malformed[];
  ranges: RangeReport[];
  /** Manifests that could not be written: their records may be delivered again by a later run. */
  manifestErrors: string[];
}

export interface ChunkResult {
  readonly summary: RedriveSummary;
  /** Pass back to continue; undefined when the source is exhausted. */
  readonly continuation: string | undefined;
}

/** What redrive needs of S3 besides the quarantine writer `processBatch` uses. */
export interface ObjectStore {
  /** Keys after `startAfter` under `prefix`, in key order, with their last-modified time (epoch ms). */
  list(
    bucket: string,
    prefix: string,
    startAfter: string | undefined,
  ): Promise<{ readonly objects: readonly { key: string; modifiedMs: number }[]; readonly truncated: boolean }>;
  /** The object's text, or undefined if there is none. */
  get(bucket: string, key: string): Promise<string | undefined>;
  put(bucket: string, key: string, body: string): Promise<void>;
}

/** A record as Kinesis GetRecords returns it. */
export interface StreamRecord {
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly arrivalMs: number;
}

/** What redrive needs of Kinesis: reads of one shard from a sequence number. */
export interface StreamReader {
  /** Throws when Kinesis refuses the position (past retention, trimmed, no such shard). */
  iteratorAt(streamArn: string, shardId: string, sequenceNumber: string): Promise<string>;
  /** `streamArn` as well: GetRecords takes it, and a cross-account read must name the stream by ARN. */
  read(
    streamArn: string,
    iterator: string,
  ): Promise<{
    readonly records: readonly StreamRecord[];
    readonly next: string | undefined;
    readonly behindMs: number;
  }>;
}

export interface RedriveDeps extends BatchDeps {
  readonly store: ObjectStore;
  /** Needed for on-failure records without a payload. */
  readonly stream?: StreamReader;
}

/** A request or continuation token that cannot be used; the message says which field and why. */
export class RedriveRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RedriveRequestError";
  }
}

/** Prefix, in the quarantine bucket, of the manifests listing what each source object had redriven. */
export const MANIFEST_PREFIX = "redrive/manifests/";

/** Reserved for the last `processBatch` of a chunk: no object is started later than this before the deadline. */
export const CHUNK_RESERVE_MS = 15_000;

const HOUR = /^\d{4}-\d{2}-\d{2}T\d{2}$/;
/** A request's fields, and `continuation`, which the function's event carries beside them. */
const REQUEST_FIELDS: readonly string[] = [
  "source",
  "bucket",
  "prefix",
  "fromHour",
  "toHour",
  "reasons",
  "partitionKeys",
  "recordIds",
  "dryRun",
  "force",
  "maxRecords",
  "maxBytes",
  "continuation",
];
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Validates a request from the command's options or the function's event. Throws a
 * `RedriveRequestError` naming the first bad field.
 */
export function parseRedriveRequest(input: unknown): RedriveRequest {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw new RedriveRequestError("the request must be a JSON object");
  const o = input as Record<string, unknown>;
  // A misspelt filter must not widen the redrive to everything.
  const unknownField = Object.keys(o).find((key) => !REQUEST_FIELDS.includes(key));
  if (unknownField !== undefined)
    throw new RedriveRequestError(`unknown field "${unknownField}"; the fields are ${REQUEST_FIELDS.join(", ")}`);
  const source = o.source;
  if (source !== "quarantine" && source !== "on-failure")
    throw new RedriveRequestError(`source must be "quarantine" or "on-failure"; got ${JSON.stringify(source)}`);
  const bucket = o.bucket;
  if (typeof bucket !== "string" || !BUCKET.test(bucket))
    throw new RedriveRequestError(`bucket must be an S3 bucket name; got ${JSON.stringify(bucket)}`);
  const prefix = o.prefix ?? (source === "quarantine" ? "quarantine/" : "");
  if (typeof prefix !== "string" || prefix.length > 512)
    throw new RedriveRequestError(`prefix must be a string of at most 512 characters; got ${JSON.stringify(prefix)}`);
  const hour = (name: string): string | undefined => {
    const value = o[name];
    if (value === undefined) return undefined;
    if (typeof value !== "string" || !HOUR.test(value))
      throw new RedriveRequestError(`${name} must be an hour as YYYY-MM-DDTHH (UTC); got ${JSON.stringify(value)}`);
    return value;
  };
  const strings = (name: string): string[] | undefined => {
    const value = o[name];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === "string" && v !== ""))
      throw new RedriveRequestError(`${name} must be a non-empty list of non-empty strings`);
    return value as string[];
  };
  const reasons = strings("reasons");
  const known: readonly string[] = REJECTION_REASONS;
  const unknown = reasons?.find((r) => !known.includes(r));
  if (unknown !== undefined)
    throw new RedriveRequestError(`reasons: unknown reason "${unknown}"; choose from ${REJECTION_REASONS.join(", ")}`);
  if (source === "on-failure" && (reasons || o.fromHour !== undefined || o.toHour !== undefined))
    throw new RedriveRequestError("reasons, fromHour and toHour apply to the quarantine source only");
  const count = (name: string, fallback: number, max: number): number => {
    const value = o[name] ?? fallback;
    if (
      !Number.isInteger(value) ||
      // Stryker disable next-line ConditionalExpression: Number.isInteger has refused every non-number (this narrows the type)
      typeof value !== "number" ||
      value < 1 ||
      value > max
    )
      throw new RedriveRequestError(`${name} must be an integer from 1 to ${max}; got ${JSON.stringify(value)}`);
    return value;
  };
  const flag = (name: string): boolean => {
    const value = o[name] ?? false;
    if (typeof value !== "boolean") throw new RedriveRequestError(`${name} must be true or false`);
    return value;
  };
  const fromHour = hour("fromHour");
  const toHour = hour("toHour");
  if (
    // Stryker disable next-line ConditionalExpression,LogicalOperator: comparing with an undefined hour is false either way; an hour is never empty
    fromHour &&
    toHour &&
    fromHour > toHour
  )
    throw new RedriveRequestError("fromHour is after toHour");
  const partitionKeys = strings("partitionKeys");
  const recordIds = strings("recordIds");
  return {
    source,
    bucket,
    prefix,
    ...(fromHour ? { fromHour } : {}),
    ...(toHour ? { toHour } : {}),
    ...(reasons ? { reasons: reasons as RejectionReason[] } : {}),
    ...(partitionKeys ? { partitionKeys } : {}),
    ...(recordIds ? { recordIds } : {}),
    dryRun: flag("dryRun"),
    force: flag("force"),
    // A Kinesis batch holds 10,000 records; Lambda's event, 6 MB: a chunk stays within both.
    maxRecords: count("maxRecords", 1_000, 10_000),
    maxBytes: count("maxBytes", 4 * 1024 * 1024, 6 * 1024 * 1024),
  };
}

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

function encodeToken(position: Position): string {
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

function decodeToken(token: string): Position {
  try {
    const p = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Position;
    const afterOk = p.after === undefined || typeof p.after === "string";
    const keyOk =
      p.key === undefined || (typeof p.key === "string" && Number.isInteger(p.line) && (p.line as number) >= 1);
    if (afterOk && keyOk && Number.isFinite(p.startedMs) && typeof p.run === "string" && /^[0-9a-f]{8}$/.test(p.run))
      return p;
  } catch {
    // Reported below as one error whatever the cause.
  }
  throw new RedriveRequestError("continuation is not a token this redrive returned");
}

/** The manifest of one source object: the ids it had redriven (quarantine recordIds, or `shard:sequence`). */
export function manifestKey(sourceBucket: string, sourceKey: string): string {
  return `${MANIFEST_PREFIX}${sourceBucket}/${sourceKey}.json`;
}

/** A record ready for `processBatch`, with the id the manifest lists for it. */
interface Pending {
  readonly record: KinesisStreamRecord;
  readonly origin: RecordOrigin;
  readonly manifestId: string;
  readonly object: string;
  readonly bytes: number;
}

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
        await takeOnFailure(request, key, object, body, done, at, summary, pending, deps);
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

async function loadManifest(
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

/**
 * Takes the lines of one quarantine object from `fromLine`; returns the line to resume at when
 * `isFull` stops it first.
 */
function takeQuarantine(
  request: RedriveRequest,
  key: string,
  object: string,
  body: string,
  fromLine: number,
  done: ReadonlySet<string>,
  at: string,
  summary: RedriveSummary,
  pending: Pending[],
  isFull: () => boolean,
): number | undefined {
  const lines = body.split("\n");
  for (let i = fromLine - 1; i < lines.length; i++) {
    const text = lines[i] as string;
    if (text === "") continue;
    const n = i + 1;
    if (isFull()) return n;
    summary.read++;
    const line = parseQuarantineLine(text);
    if (typeof line === "string") {
      summary.malformed.push({ object, line: n, error: line });
      continue;
    }
    if (
      (request.reasons && !request.reasons.includes(line.reason)) ||
      (request.partitionKeys && !request.partitionKeys.includes(line.partitionKey)) ||
      (request.recordIds && !request.recordIds.includes(line.recordId))
    ) {
      summary.skipped++;
      continue;
    }
    if (!request.force && done.has(line.recordId)) {
      summary.alreadyRedriven++;
      continue;
    }
    if (request.dryRun) {
      summary.wouldRedrive[line.reason] = (summary.wouldRedrive[line.reason] ?? 0) + 1;
      continue;
    }
    const arrivalMs = Date.parse(line.arrivalTime);
    pending.push({
      record: kinesisRecord(
        line.shardId,
        line.sequenceNumber,
        line.partitionKey,
        line.data,
        arrivalMs,
        `arn:aws:kinesis:unknown:${line.sourceAccount}:stream/${line.sourceStream}`,
      ),
      origin: {
        ...(line.subSequenceNumber === undefined ? {} : { subSequenceNumber: line.subSequenceNumber }),
        redrive: { source: "quarantine", object, line: n, at, attempt: (line.redrive?.attempt ?? 0) + 1 },
      },
      manifestId: line.recordId,
      object: key,
      bytes: line.data.length,
    });
  }
  return undefined;
}

/** A quarantine line, or why it is not one. */
export function parseQuarantineLine(text: string): QuarantineLine | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not a JSON object";
  const o = value as Record<string, unknown>;
  for (const field of [
    "recordId",
    "partitionKey",
    "reason",
    "shardId",
    "sequenceNumber",
    "arrivalTime",
    "sourceAccount",
    "sourceStream",
    "data",
  ]) {
    if (typeof o[field] !== "string") return `${field} is missing or not a string`;
  }
  if (!/^\d{1,128}$/.test(o.sequenceNumber as string)) return "sequenceNumber is not a Kinesis sequence number";
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(o.data as string)) return "data is not base64";
  if (Number.isNaN(Date.parse(o.arrivalTime as string))) return "arrivalTime is not a date";
  if (o.subSequenceNumber !== undefined && !Number.isSafeInteger(o.subSequenceNumber))
    return "subSequenceNumber is not an integer";
  const attempt = (o.redrive as { attempt?: unknown } | undefined)?.attempt;
  if (o.redrive !== undefined && !(Number.isSafeInteger(attempt) && (attempt as number) >= 1))
    return "redrive.attempt is not an integer ≥ 1";
  return value as QuarantineLine;
}

interface OnFailureBatch {
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
  readonly streamArn: string;
}

/** The batch an on-failure record describes, its payload's records if it carries them, or why it is unusable. */
export function parseOnFailureRecord(
  text: string,
): { batch: OnFailureBatch; payload: KinesisStreamRecord[] | undefined } | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  const info = (value as { KinesisBatchInfo?: Record<string, unknown> } | null)?.KinesisBatchInfo;
  if (typeof info !== "object" || info === null) return "no KinesisBatchInfo";
  for (const field of ["shardId", "startSequenceNumber", "endSequenceNumber", "streamArn"]) {
    if (typeof info[field] !== "string") return `KinesisBatchInfo.${field} is missing or not a string`;
  }
  if (!/^\d{1,128}$/.test(info.startSequenceNumber as string) || !/^\d{1,128}$/.test(info.endSequenceNumber as string))
    return "KinesisBatchInfo's sequence numbers are not Kinesis sequence numbers";
  if (!/^arn:[\w-]+:kinesis:[\w-]+:\d{12}:stream\/[\w.-]+$/.test(info.streamArn as string))
    return "KinesisBatchInfo.streamArn is not a Kinesis stream ARN";
  const batchSize = Number.isSafeInteger(info.batchSize) ? (info.batchSize as number) : 0;
  // With an S3 destination Lambda may also store the invocation's event; a string or an object.
  let payload = (value as { payload?: unknown }).payload;
  if (typeof payload === "string") {
    try {
      payload = JSON.parse(payload);
    } catch {
      // Not JSON: a string, which has no Records, so the payload is unusable.
    }
  }
  const records = (payload as { Records?: unknown } | undefined)?.Records;
  const usable =
    Array.isArray(records) &&
    records.every(
      (r) =>
        typeof r?.kinesis?.data === "string" &&
        // Stryker disable next-line OptionalChaining: the data check on the left already proved r and r.kinesis exist
        typeof r?.kinesis?.sequenceNumber === "string",
    );
  return {
    batch: { ...(info as unknown as OnFailureBatch), batchSize },
    payload: usable ? (records as KinesisStreamRecord[]) : undefined,
  };
}

async function takeOnFailure(
  request: RedriveRequest,
  key: string,
  object: string,
  body: string,
  done: ReadonlySet<string>,
  at: string,
  summary: RedriveSummary,
  pending: Pending[],
  deps: RedriveDeps,
): Promise<void> {
  const parsed = parseOnFailureRecord(body);
  if (typeof parsed === "string") {
    summary.malformed.push({ object, line: 1, error: parsed });
    return;
  }
  const { batch } = parsed;
  if (request.dryRun && parsed.payload === undefined) {
    summary.wouldRedrive.RetryAttemptsExhausted = (summary.wouldRedrive.RetryAttemptsExhausted ?? 0) + batch.batchSize;
    return;
  }
  const range = {
    object,
    shardId: batch.shardId,
    startSequenceNumber: batch.startSequenceNumber,
    endSequenceNumber: batch.endSequenceNumber,
    batchSize: batch.batchSize,
  };
  let records: KinesisStreamRecord[];
  if (parsed.payload) {
    records = parsed.payload;
    summary.ranges.push({ ...range, found: records.length, status: "payload" });
  } else {
    const read = await readRange(batch, deps);
    records = read.records;
    summary.ranges.push({
      ...range,
      found: records.length,
      status: read.status,
      ...(read.detail ? { detail: read.detail } : {}),
    });
    const unread = Math.max(0, batch.batchSize - records.length);
    if (read.status === "incomplete") summary.failed += unread;
    else if (read.status !== "stream") summary.expired += unread;
  }
  for (const record of records) {
    summary.read++;
    const id = `${batch.shardId}:${record.kinesis.sequenceNumber}`;
    if (
      (request.partitionKeys && !request.partitionKeys.includes(record.kinesis.partitionKey)) ||
      (request.recordIds && !request.recordIds.includes(id))
    ) {
      summary.skipped++;
      continue;
    }
    if (!request.force && done.has(id)) {
      summary.alreadyRedriven++;
      continue;
    }
    if (request.dryRun) {
      summary.wouldRedrive.RetryAttemptsExhausted = (summary.wouldRedrive.RetryAttemptsExhausted ?? 0) + 1;
      continue;
    }
    pending.push({
      record,
      origin: { redrive: { source: "on-failure", object, at, attempt: 1 } },
      manifestId: id,
      object: key,
      bytes: record.kinesis.data.length,
    });
  }
}

/** GetShardIterator's answers for a position the stream no longer holds (past retention, shard gone). */
const POSITION_REFUSED = new Set(["InvalidArgumentException", "ResourceNotFoundException"]);

/**
 * The batch's records back from the stream: from its first sequence number until past its last.
 * "expired" when the first record returned is later than the start (the start is past retention),
 * "trimmed" when Kinesis refuses the position, "incomplete" when the reads stop (five empty pages,
 * the shard's end) before the range's last record. Throws any other error of the stream (throttling,
 * access denied), so the run stops and can be resumed rather than count readable records as lost.
 */
async function readRange(
  batch: OnFailureBatch,
  deps: RedriveDeps,
): Promise<{ records: KinesisStreamRecord[]; status: RangeReport["status"]; detail?: string }> {
  const stream = deps.stream;
  if (!stream) return { records: [], status: "trimmed", detail: "no stream reader configured" };
  const end = BigInt(batch.endSequenceNumber);
  const records: KinesisStreamRecord[] = [];
  let iterator: string | undefined;
  try {
    iterator = await stream.iteratorAt(batch.streamArn, batch.shardId, batch.startSequenceNumber);
  } catch (err) {
    // Only Kinesis's own "not here any more" answers mean the records are gone; throttling, access
    // denied or a network error must fail the run (it can be resumed), never read as data loss.
    if (!(err instanceof Error) || !POSITION_REFUSED.has(err.name)) throw err;
    return { records, status: "trimmed", detail: `${err.name}: ${err.message}` };
  }
  let first: string | undefined;
  // Each empty read with the shard caught up ends the range; a few empty reads are normal mid-shard.
  for (let empty = 0; iterator && empty < 5; ) {
    const page = await stream.read(batch.streamArn, iterator);
    iterator = page.next;
    if (page.records.length === 0) {
      empty++;
      if (page.behindMs === 0) break;
      continue;
    }
    for (const r of page.records) {
      if (BigInt(r.sequenceNumber) > end) return finish(true);
      first ??= r.sequenceNumber;
      records.push(
        kinesisRecord(
          batch.shardId,
          r.sequenceNumber,
          r.partitionKey,
          Buffer.from(r.data).toString("base64"),
          r.arrivalMs,
          batch.streamArn,
        ),
      );
    }
  }
  const last = records.at(-1)?.kinesis.sequenceNumber;
  return finish(last !== undefined && BigInt(last) === end);

  function finish(ended: boolean): { records: KinesisStreamRecord[]; status: RangeReport["status"]; detail?: string } {
    if (first !== batch.startSequenceNumber)
      return {
        records,
        status: "expired",
        detail:
          first === undefined
            ? "no record of the range is left in the stream"
            : `the first record left is ${first}, after the range's start`,
      };
    if (!ended)
      return {
        records,
        status: "incomplete",
        detail: `the stream gave no record after ${(records[records.length - 1] as KinesisStreamRecord).kinesis.sequenceNumber}, before the range's end: run again`,
      };
    return { records, status: "stream" };
  }
}

function kinesisRecord(
  shardId: string,
  sequenceNumber: string,
  partitionKey: string,
  data: string,
  arrivalMs: number,
  streamArn: string,
): KinesisStreamRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: "1.0",
      partitionKey,
      sequenceNumber,
      data,
      approximateArrivalTimestamp: arrivalMs / 1000,
    },
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn: "",
    awsRegion: "",
    eventSourceARN: streamArn,
  };
}

/**
 * One `processBatch` of the chunk's records, then each source object's manifest with the ids now
 * delivered or quarantined again (those before the record `processBatch` reports for retry).
 */
async function deliver(
  request: RedriveRequest,
  pending: readonly Pending[],
  manifests: Map<string, Set<string>>,
  summary: RedriveSummary,
  deps: RedriveDeps,
  deadlineMs: number,
  requestId: string,
): Promise<void> {
  const { stats } = await processBatch(
    pending.map((p) => p.record),
    { deadlineMs, requestId: `redrive-${requestId}`, origins: pending.map((p) => p.origin) },
    deps,
  );
  summary.delivered += stats.delivered;
  for (const [reason, n] of Object.entries(stats.quarantined)) if (n > 0) summary.quarantinedAgain[reason] = n;
  const doneCount = stats.received - stats.retryRecords;
  summary.failed += stats.retryRecords;
  const touched = new Set<string>();
  for (let i = 0; i < doneCount; i++) {
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

/** The summary as label/value rows, in the order the runbook explains them (the command prints these). */
export function summaryRows(summary: RedriveSummary, dryRun: boolean): [string, string][] {
  const n = (x: number) => x.toLocaleString("en-US");
  const byReason = (counts: Record<string, number>, label: string): [string, string][] =>
    Object.entries(counts)
      .sort()
      .map(([reason, count]) => [`${label} ${reason}`, n(count)]);
  return [
    ["source objects read", n(summary.objects)],
    ["records read", n(summary.read)],
    ...(dryRun
      ? byReason(summary.wouldRedrive, "would redrive")
      : [
          ["delivered", n(summary.delivered)] as [string, string],
          ...byReason(summary.quarantinedAgain, "quarantined again"),
          ["failed (not delivered, not in the manifest: run again)", n(summary.failed)] as [string, string],
        ]),
    ["expired (past the stream's retention)", n(summary.expired)],
    ["skipped (filtered out)", n(summary.skipped)],
    ["already redriven (manifest; --force to repeat)", n(summary.alreadyRedriven)],
    ["malformed (reported, skipped)", n(summary.malformed.length)],
    ["manifest write errors", n(summary.manifestErrors.length)],
  ];
}
