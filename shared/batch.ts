/**
 * One Kinesis batch from records to outcome: decode, de-aggregate, validate, enrich, deliver to
 * Firehose, quarantine the rejects, and name the record Lambda must rewind to.
 */
import type { KinesisStreamBatchResponse, KinesisStreamRecord } from "aws-lambda";
import type { Config } from "./config.ts";
import { decodeBase64, forEachUserRecord, isKplAggregate, parseJson, type UserRecord } from "./decode.ts";
import {
  type BatchInfo,
  enrich,
  type IngestInfo,
  parseStreamArn,
  type RedriveInfo,
  recordIdOf,
  shardIdOf,
} from "./enrich.ts";
import {
  deliverRecords,
  FIREHOSE_LIMITS,
  type FirehoseLimits,
  type FirehoseSender,
  type PackedRecord,
  RecordPacker,
} from "./firehose/index.ts";
import { type ObjectWriter, type QuarantineLine, writeQuarantine } from "./quarantine.ts";
import { REJECTION_REASONS, Rejection, type RejectionDetail, type RejectionReason, reject } from "./rejection.ts";
import { type AcceptedVersions, validateTelemetry } from "./validate.ts";

/**
 * Rejected entries one aggregate may have quarantined one by one; past it the aggregate is
 * quarantined whole. Above any aggregate the KPL builds by default (at most 51,200 bytes: ~190
 * readings of ~270 bytes), so a producer's bad readings keep a line each, and below the point where
 * lines outweigh the aggregate: a line costs ~400 bytes plus its data (and ~1 KB of heap while the
 * batch runs), so 1,000 lines stay under ~1 MB, a full aggregate's size.
 */
export const MAX_REJECTED_ENTRIES_PER_AGGREGATE = 1_000;

/**
 * Rejected entries of aggregates one batch may have quarantined one by one (as many as the
 * 10,000 records a Kinesis batch holds at most): many small aggregates, each under the bound
 * above, cannot make the quarantine object grow with the entries' count either (a 6 MB event holds
 * ~850 aggregates of 1,000 one-byte entries). Later aggregates with rejects are quarantined whole.
 */
export const MAX_REJECTED_ENTRIES_PER_BATCH = 10_000;

export interface BatchDeps {
  readonly firehose: FirehoseSender;
  readonly objects: ObjectWriter;
  readonly config: Config;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly limits?: FirehoseLimits;
  /** The rejected-entry bounds; `REJECT_BOUNDS` unless a test narrows them. */
  readonly rejectBounds?: RejectBounds;
}

/** When an aggregate is quarantined whole rather than entry by entry; see the constants above. */
export interface RejectBounds {
  readonly perAggregate: number;
  readonly perBatch: number;
}

export const REJECT_BOUNDS: RejectBounds = {
  perAggregate: MAX_REJECTED_ENTRIES_PER_AGGREGATE,
  perBatch: MAX_REJECTED_ENTRIES_PER_BATCH,
};

export interface BatchContext {
  /** Epoch ms by which all work must be done (the invocation's end less a safety margin). */
  readonly deadlineMs: number;
  readonly requestId: string;
  /**
   * Redrive only (shared/redrive.ts): per record, by index, the identity it keeps and where it was
   * redriven from. Absent for the trigger's batches, so their path is unchanged.
   */
  readonly origins?: readonly (RecordOrigin | undefined)[];
}

/** A redriven record's original identity beyond what its Kinesis fields carry, and its redrive block. */
export interface RecordOrigin {
  /**
   * The aggregate entry's subSequenceNumber when the record's data is that entry's bytes (a
   * quarantine line of a KPL entry), so its recordId stays `shard:sequence:sub`.
   */
  readonly subSequenceNumber?: number;
  readonly redrive: RedriveInfo;
}

/** What happened to a batch, for the response, the log line and the metrics. */
export interface BatchStats {
  readonly shardId: string | undefined;
  readonly firstSequenceNumber: string | undefined;
  readonly lastSequenceNumber: string | undefined;
  /** Kinesis records in the event. */
  readonly received: number;
  /** User records after de-aggregation (a corrupt aggregate, or one quarantined whole, counts as one). */
  readonly userRecords: number;
  /** User records Firehose confirmed. */
  readonly delivered: number;
  /** User records written to quarantine, by reason. */
  readonly quarantined: Readonly<Record<RejectionReason, number>>;
  /** User records neither confirmed by Firehose nor written to quarantine. */
  readonly failed: number;
  /** The sequence number reported in `batchItemFailures`, if any. */
  readonly retryFromSequenceNumber: string | undefined;
  /** Kinesis records Lambda will hand over again: from the reported one to the end of the batch. */
  readonly retryRecords: number;
  readonly firehoseRecords: number;
  readonly firehoseCalls: number;
  readonly firehoseRetries: number;
  /** Firehose entries not accepted, over all attempts: see `DeliveryResult.failedPuts`. */
  readonly firehoseFailedPuts: number;
  /** NDJSON bytes (before any compression) of the Firehose records Firehose confirmed, each once. */
  readonly deliveredBytes: number;
  /** Bytes Firehose bills: each entry it accepted, per attempt, rounded up to 5 KB. */
  readonly billedBytes: number;
  readonly unknownFieldsDropped: number;
  readonly overSpeedEvents: number;
  readonly maxArrivalLagMs: number | undefined;
  readonly quarantineKey: string | undefined;
  /** Why some records could not be accounted for, when that happened. */
  readonly failureReasons: readonly string[];
}

export interface BatchOutcome {
  readonly response: KinesisStreamBatchResponse;
  readonly stats: BatchStats;
}

/**
 * Processes one batch. Every user record ends delivered, quarantined, or at or after the record
 * named in `batchItemFailures` (so Lambda hands it over again); the response is empty only when
 * everything is delivered or quarantined. Delivery and the quarantine write run concurrently.
 * Never throws for bad data or AWS failures; an exception here is a bug and fails the invocation
 * (Lambda then retries the whole batch), never a silent success.
 */
export async function processBatch(
  records: readonly KinesisStreamRecord[],
  context: BatchContext,
  deps: BatchDeps,
): Promise<BatchOutcome> {
  const limits = deps.limits ?? FIREHOSE_LIMITS;
  const bounds = deps.rejectBounds ?? REJECT_BOUNDS;
  const prepared = new Preparation(deps.config, deps.now(), limits, bounds).run(records, context.origins);
  const packed = prepared.packed;

  const [delivery, quarantine] = await Promise.all([
    deliverRecords(packed, {
      firehose: deps.firehose,
      deliveryStreamName: deps.config.deliveryStreamName,
      deadlineMs: context.deadlineMs,
      now: deps.now,
      sleep: deps.sleep,
      random: deps.random,
      attemptTimeoutMs: deps.config.firehoseAttemptTimeoutMs,
      limits,
    }),
    quarantineAll(prepared.rejects, context, deps),
  ]);

  const failureReasons: string[] = [];
  let retryFrom = records.length;
  let undeliveredLines = 0;
  for (const index of delivery.undelivered) undeliveredLines += (packed[index] as PackedRecord).lineCount;
  const firstUndelivered = delivery.undelivered[0];
  if (firstUndelivered !== undefined) {
    // A record's tag is the index of the Kinesis record that carried its first line.
    retryFrom = (packed[firstUndelivered] as PackedRecord).firstTag;
    // Stryker disable next-line StringLiteral: unreachable: deliverRecords gives no stop reason only when every batch was confirmed
    failureReasons.push(delivery.stopReason ?? "Firehose did not confirm every record");
  }
  const quarantined = zeroByReason();
  if (quarantine.error === undefined) {
    for (const entry of prepared.rejects) quarantined[entry.line.reason]++;
  } else {
    // Stryker disable next-line OptionalChaining: unreachable: a quarantine error is set only when there are rejects
    retryFrom = Math.min(retryFrom, prepared.rejects[0]?.owner ?? retryFrom);
    failureReasons.push(`quarantine write failed: ${quarantine.error}`);
  }

  const retryRecord = records[retryFrom];
  const first = records[0];
  const last = records[records.length - 1];
  return {
    response: {
      batchItemFailures: retryRecord ? [{ itemIdentifier: retryRecord.kinesis.sequenceNumber }] : [],
    },
    stats: {
      shardId: first && shardIdOf(first.eventID),
      firstSequenceNumber: first?.kinesis.sequenceNumber,
      lastSequenceNumber: last?.kinesis.sequenceNumber,
      received: records.length,
      userRecords: prepared.lines + prepared.rejects.length,
      delivered: prepared.lines - undeliveredLines,
      quarantined,
      failed: undeliveredLines + (quarantine.error === undefined ? 0 : prepared.rejects.length),
      retryFromSequenceNumber: retryRecord?.kinesis.sequenceNumber,
      retryRecords: records.length - retryFrom,
      firehoseRecords: packed.length,
      firehoseCalls: delivery.calls,
      firehoseRetries: delivery.retries,
      firehoseFailedPuts: delivery.failedPuts,
      deliveredBytes: delivery.deliveredBytes,
      billedBytes: delivery.billedBytes,
      unknownFieldsDropped: prepared.unknownFields,
      overSpeedEvents: prepared.overSpeed,
      maxArrivalLagMs: prepared.maxArrivalLagMs,
      quarantineKey: quarantine.key,
      failureReasons,
    },
  };
}

/** A rejected user record and the index of the Kinesis record that carried it. */
interface Reject {
  readonly line: QuarantineLine;
  readonly owner: number;
}

interface Prepared {
  /** Accepted records as NDJSON lines, packed into Firehose records, in batch order. */
  readonly packed: PackedRecord[];
  readonly lines: number;
  readonly rejects: Reject[];
  readonly unknownFields: number;
  readonly overSpeed: number;
  readonly maxArrivalLagMs: number | undefined;
}

/**
 * The CPU-bound part of a batch: every record to a packed line or a reject. Synchronous and
 * allocation-light (one pass, lines encoded straight into Firehose records, per-record state in
 * fields rather than closures); never throws for bad data.
 */
class Preparation {
  readonly #limits: FirehoseLimits;
  readonly #bounds: RejectBounds;
  readonly #packer: RecordPacker;
  readonly #processedAt: string;
  readonly #speedLimitKmh: number;
  readonly #acceptedVersions: AcceptedVersions;
  /** Lines longer than this many UTF-16 units might exceed a Firehose record once encoded. */
  readonly #safeLineChars: number;
  readonly #rejects: Reject[] = [];
  #lines = 0;
  #unknownFields = 0;
  #overSpeed = 0;
  #maxArrivalLagMs: number | undefined;
  /** Rejected entries of aggregates, in the batch. */
  #entryRejects = 0;
  /** Set while an aggregate's remaining entries are only counted by reason. */
  #counts: Record<RejectionReason, number> | undefined;
  // The record in hand, and values that repeat from one record to the next.
  #owner = 0;
  #record!: KinesisStreamRecord;
  #origins: readonly (RecordOrigin | undefined)[] | undefined;
  #origin: RecordOrigin | undefined;
  #batch!: BatchInfo;
  #sourceArn: string | undefined;
  // Stryker disable next-line StringLiteral: a cache's initial value, never read before the first record sets it
  #shardId = "";
  #arrivalMs = Number.NaN;
  // Stryker disable next-line StringLiteral: a cache's initial value, never read before the first record sets it
  #arrivalTime = "";

  constructor(config: Config, nowMs: number, limits: FirehoseLimits, bounds: RejectBounds) {
    this.#limits = limits;
    this.#bounds = bounds;
    this.#packer = new RecordPacker(limits, config.deliveryCompression);
    this.#processedAt = new Date(nowMs).toISOString();
    this.#speedLimitKmh = config.speedLimitKmh;
    this.#acceptedVersions = config.acceptedSchemaVersions;
    // Stryker disable next-line ArithmeticOperator: `+ 1` leaves unmeasured only lines of nearly all 3-byte characters; an enriched line's keys and punctuation are ASCII
    const lineBytes = this.#packer.lineLimit - 1;
    this.#safeLineChars = Math.floor(lineBytes / 3);
  }

  run(records: readonly KinesisStreamRecord[], origins?: readonly (RecordOrigin | undefined)[]): Prepared {
    this.#origins = origins;
    for (let owner = 0; owner < records.length; owner++) this.#take(owner, records[owner] as KinesisStreamRecord);
    return {
      packed: this.#packer.finish(),
      lines: this.#lines,
      rejects: this.#rejects,
      unknownFields: this.#unknownFields,
      overSpeed: this.#overSpeed,
      maxArrivalLagMs: this.#maxArrivalLagMs,
    };
  }

  #take(owner: number, record: KinesisStreamRecord): void {
    const kinesis = record.kinesis;
    this.#owner = owner;
    this.#record = record;
    if (this.#origins !== undefined) this.#origin = this.#origins[owner];
    // Stryker disable next-line ConditionalExpression: a cache: recomputed, the same value (performance only)
    if (record.eventSourceARN !== this.#sourceArn) {
      this.#sourceArn = record.eventSourceARN;
      this.#batch = {
        processedAt: this.#processedAt,
        source: parseStreamArn(this.#sourceArn),
        speedLimitKmh: this.#speedLimitKmh,
      };
    }
    const eventId = record.eventID;
    const shardLength = this.#shardId.length;
    // Stryker disable next-line ConditionalExpression,MethodExpression: a cache: recomputed, the same value (performance only)
    if (!(eventId.charCodeAt(shardLength) === 58 && eventId.startsWith(this.#shardId)))
      this.#shardId = shardIdOf(eventId);
    const arrivalMs = Math.round(kinesis.approximateArrivalTimestamp * 1000);
    // Stryker disable next-line ConditionalExpression: a cache: recomputed, the same value (performance only)
    if (arrivalMs !== this.#arrivalMs) {
      this.#arrivalMs = arrivalMs;
      this.#arrivalTime = new Date(arrivalMs).toISOString();
    }

    // Decoded into a shared buffer: every use of `bytes` ends before the next record.
    // Stryker disable next-line BooleanLiteral: decoding into a fresh buffer instead of the shared one (performance only)
    const bytes = decodeBase64(kinesis.data, true);
    if (bytes instanceof Rejection) {
      this.#reject(bytes, kinesis.partitionKey, undefined);
      return;
    }
    if (!isKplAggregate(bytes)) {
      this.#accept(bytes, kinesis.partitionKey, undefined);
      return;
    }
    this.#takeAggregate(kinesis, bytes);
  }

  /**
   * An aggregate's entries, each delivered or quarantined on its own, unless too many are rejected
   * (more than `bounds.perAggregate` of its own, or more than `bounds.perBatch` entries of aggregates
   * in the batch): then the rest are only counted, everything the aggregate added is taken back, and
   * it is quarantined once, whole, as `AGGREGATE_REJECTED`, with the count of its entries by reason.
   * This bounds the quarantine lines, and so memory, whatever an aggregate holds (a 1 MB aggregate
   * can hold ~140,000 one-byte entries). A corrupt aggregate is rejected before any entry is visited.
   */
  #takeAggregate(kinesis: KinesisStreamRecord["kinesis"], bytes: Buffer): void {
    const mark = this.#packer.mark();
    const lines = this.#lines;
    const unknownFields = this.#unknownFields;
    const overSpeed = this.#overSpeed;
    const maxArrivalLagMs = this.#maxArrivalLagMs;
    const rejects = this.#rejects.length;
    const entryRejects = this.#entryRejects;
    let entries = 0;
    // Stryker disable next-line BooleanLiteral: assigned at the first entry before it is read
    let overAggregate = false;
    const corrupt = forEachUserRecord(bytes, (user) => {
      entries++;
      this.#accept(user.data, user.partitionKey, user);
      if (this.#counts) return;
      overAggregate = this.#entryRejects - entryRejects > this.#bounds.perAggregate;
      if (!overAggregate && this.#entryRejects <= this.#bounds.perBatch) return;
      // From here on the entries are only counted by reason.
      const counts = zeroByReason();
      for (let r = rejects; r < this.#rejects.length; r++) counts[(this.#rejects[r] as Reject).line.reason]++;
      this.#counts = counts;
    });
    const counts = this.#counts;
    this.#counts = undefined;
    if (corrupt === undefined && counts === undefined) {
      // Stryker disable next-line CallExpression: unreleased, the records closed since the mark are sealed at the next rollback or finish: the same bytes, later (memory only)
      this.#packer.release();
      return;
    }

    this.#packer.rollback(mark);
    this.#lines = lines;
    this.#unknownFields = unknownFields;
    this.#overSpeed = overSpeed;
    this.#maxArrivalLagMs = maxArrivalLagMs;
    this.#rejects.length = rejects;
    this.#entryRejects = entryRejects;
    const rejection = corrupt ?? aggregateRejection(counts ?? zeroByReason(), entries, overAggregate, this.#bounds);
    this.#reject(rejection, kinesis.partitionKey, undefined);
  }

  /** `user` is the aggregate entry the bytes came from, if any. */
  #accept(bytes: Buffer, partitionKey: string, user: UserRecord | undefined): void {
    const parsed = parseJson(bytes);
    if (parsed instanceof Rejection) {
      this.#reject(parsed, partitionKey, user);
      return;
    }
    const valid = validateTelemetry(parsed, this.#acceptedVersions);
    if (valid instanceof Rejection) {
      this.#reject(valid, partitionKey, user);
      return;
    }
    const origin = this.#origin;
    const ingest: IngestInfo = {
      recordId: recordIdOf(
        this.#shardId,
        this.#record.kinesis.sequenceNumber,
        user?.subSequenceNumber ?? origin?.subSequenceNumber,
      ),
      partitionKey,
      arrivalMs: this.#arrivalMs,
      arrivalTime: this.#arrivalTime,
      redrive: origin?.redrive,
    };
    const enriched = enrich(valid, ingest, this.#batch);
    const line = JSON.stringify(enriched);
    const lineLimit = this.#packer.lineLimit;
    if (
      // Stryker disable next-line ConditionalExpression,EqualityOperator: the cheap length check before the exact size (performance only)
      line.length > this.#safeLineChars &&
      RecordPacker.sizeOf(line) > lineLimit
    ) {
      const message =
        lineLimit === this.#limits.recordBytes
          ? `enriched line exceeds Firehose's ${lineLimit}-byte record limit`
          : `enriched line exceeds the ${lineLimit}-byte record limit (Firehose's ${this.#limits.recordBytes} bytes, less compression's worst case)`;
      this.#reject(reject("TOO_LARGE", message), partitionKey, user);
      return;
    }
    // Stryker disable next-line ConditionalExpression: entries of an aggregate only being counted are packed, then rolled back with it (memory only)
    if (this.#counts) return;
    this.#packer.add(line, this.#owner);
    this.#lines++;
    this.#unknownFields += valid.unknownFields;
    if (enriched.overSpeedLimit) this.#overSpeed++;
    const lag = enriched.ingest.arrivalLagMs;
    if (
      this.#maxArrivalLagMs === undefined ||
      // Stryker disable next-line EqualityOperator: `>=` assigns the same value again
      lag > this.#maxArrivalLagMs
    )
      this.#maxArrivalLagMs = lag;
  }

  /** Keeps the original bytes for replay: the Kinesis data as received, or the aggregate entry's bytes. */
  #reject(rejection: Rejection, partitionKey: string, user: UserRecord | undefined): void {
    if (this.#counts) {
      this.#counts[rejection.reason]++;
      return;
    }
    if (user) this.#entryRejects++;
    const kinesis = this.#record.kinesis;
    const origin = this.#origin;
    const subSequenceNumber = user?.subSequenceNumber ?? origin?.subSequenceNumber;
    const line: QuarantineLine = {
      recordId: recordIdOf(this.#shardId, kinesis.sequenceNumber, subSequenceNumber),
      partitionKey,
      reason: rejection.reason,
      details: rejection.details,
      shardId: this.#shardId,
      sequenceNumber: kinesis.sequenceNumber,
      // Stryker disable next-line ConditionalExpression: a line with subSequenceNumber: undefined serialises without it
      ...(subSequenceNumber === undefined ? {} : { subSequenceNumber }),
      arrivalTime: this.#arrivalTime,
      sourceAccount: this.#batch.source.account,
      sourceStream: this.#batch.source.stream,
      quarantinedAt: this.#processedAt,
      data: user ? user.data.toString("base64") : kinesis.data,
    };
    // Redriven records only: ordinary lines keep their one shape (no spread on the path).
    this.#rejects.push({
      owner: this.#owner,
      line: origin === undefined ? line : { ...line, redrive: origin.redrive },
    });
  }
}

async function quarantineAll(
  rejects: readonly Reject[],
  context: BatchContext,
  deps: BatchDeps,
): Promise<{ key: string | undefined; error: string | undefined }> {
  // Stryker disable next-line ObjectLiteral: {} reads as { key: undefined, error: undefined }
  if (rejects.length === 0) return { key: undefined, error: undefined };
  const target = { bucket: deps.config.quarantineBucket, prefix: deps.config.quarantinePrefix };
  try {
    const lines = rejects.map((entry) => entry.line);
    const key = await writeQuarantine(lines, target, deps.objects, context.requestId, context.deadlineMs, deps.now);
    return { key, error: undefined };
  } catch (err) {
    // Handled completely: the caller reports these records for retry.
    return {
      key: undefined,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    };
  }
}

/**
 * The AGGREGATE_REJECTED rejection: a summary, then one detail per reason met, in
 * `REJECTION_REASONS` order, each `"<REASON>: <entries>"`.
 */
function aggregateRejection(
  counts: Readonly<Record<RejectionReason, number>>,
  entries: number,
  overAggregate: boolean,
  bounds: RejectBounds,
): Rejection {
  let rejected = 0;
  for (const reason of REJECTION_REASONS) rejected += counts[reason];
  const bound = overAggregate
    ? `more than ${bounds.perAggregate} in one aggregate`
    : `more than ${bounds.perBatch} entries of aggregates in one batch`;
  const details: RejectionDetail[] = [
    {
      path: "",
      message: `${rejected} of ${entries} entries rejected (${bound}): the aggregate is quarantined whole, none of its entries delivered`,
    },
  ];
  for (const reason of REJECTION_REASONS) {
    if (counts[reason] > 0) details.push({ path: "", message: `${reason}: ${counts[reason]}` });
  }
  return new Rejection("AGGREGATE_REJECTED", details);
}

function zeroByReason(): Record<RejectionReason, number> {
  const counts = {} as Record<RejectionReason, number>;
  for (const reason of REJECTION_REASONS) counts[reason] = 0;
  return counts;
}
