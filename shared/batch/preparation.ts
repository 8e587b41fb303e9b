/** The CPU-bound part of a batch: every record decoded, validated and enriched to a packed line, or rejected. */
import type { KinesisStreamRecord } from "aws-lambda";
import type { Config } from "../config.ts";
import { decodeBase64, forEachUserRecord, isKplAggregate, parseJson, type UserRecord } from "../decode.ts";
import { jsonPreview } from "../describe.ts";
import { type BatchInfo, enrich, type IngestInfo, parseStreamArn, recordIdOf, shardIdOf } from "../enrich.ts";
import { type FirehoseLimits, RecordPacker } from "../firehose/index.ts";
import type { QuarantineLine } from "../quarantine.ts";
import {
  REJECTION_REASONS,
  Rejection,
  type RejectionDetail,
  type RejectionReason,
  reject,
  zeroByReason,
} from "../rejection.ts";
import { type AcceptedVersions, validateTelemetry } from "../validate.ts";
import type { Prepared, RecordOrigin, Reject, RejectBounds } from "./types.ts";

/**
 * The CPU-bound part of a batch: every record to a packed line or a reject. Synchronous and
 * allocation-light (one pass, lines encoded straight into Firehose records, per-record state in
 * fields rather than closures); never throws for bad data.
 *
 * A backstop with a precise edge: an exception thrown while one record is handled *before its line
 * is added to the packer* (decoding, de-aggregating, parsing, validating, enriching, serialising,
 * measuring) quarantines that record as `UNEXPECTED_ERROR` and the batch goes on. An exception from
 * the packer, from building a quarantine line, or from the counts after the add propagates and
 * fails the invocation (Lambda retries the batch): past the add, the record may be on its way to
 * Firehose, and it must never be both delivered and quarantined. The envelope (shard, arrival,
 * stream ARN) is checked by `kinesisRecordsOf` before any record is handled.
 */
export class Preparation {
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
  // The record in hand once prepared, before it is added: set by #prepare before they are read.
  // Stryker disable next-line StringLiteral: set by #prepare before it is read
  #line = "";
  #lineUnknownFields = 0;
  // Stryker disable next-line BooleanLiteral: set by #prepare before it is read
  #lineOverSpeed = false;
  #lineLagMs = 0;

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
    const ownerLines = new Uint32Array(records.length);
    for (let owner = 0; owner < records.length; owner++) {
      const before = this.#lines;
      this.#take(owner, records[owner] as KinesisStreamRecord);
      ownerLines[owner] = this.#lines - before;
    }
    return {
      packed: this.#packer.finish(),
      lines: this.#lines,
      ownerLines,
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

    let bytes: Buffer | Rejection;
    // Stryker disable next-line BooleanLiteral: read only when decoding returned bytes, after it is assigned
    let aggregate = false;
    try {
      // Decoded into a shared buffer: every use of `bytes` ends before the next record.
      // Stryker disable next-line BooleanLiteral: decoding into a fresh buffer instead of the shared one (performance only)
      bytes = decodeBase64(kinesis.data, true);
      // A redriven aggregate entry is read as the live path read it, a user record: never de-aggregated again.
      aggregate =
        !(bytes instanceof Rejection) && this.#origin?.subSequenceNumber === undefined && isKplAggregate(bytes);
    } catch (err) {
      bytes = unexpected(err);
    }
    if (bytes instanceof Rejection) {
      this.#reject(bytes, kinesis.partitionKey, undefined);
      return;
    }
    if (!aggregate) {
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
    // Set while an entry is visited: an exception then comes from the packer, a quarantine line or
    // the counts, never from the decoder, and fails the invocation.
    let visiting = false;
    let corrupt: Rejection | undefined;
    try {
      corrupt = forEachUserRecord(bytes, (user) => {
        visiting = true;
        entries++;
        this.#accept(user.data, user.partitionKey, user);
        visiting = false;
        if (this.#counts) return;
        overAggregate = this.#entryRejects - entryRejects > this.#bounds.perAggregate;
        if (!overAggregate && this.#entryRejects <= this.#bounds.perBatch) return;
        // From here on the entries are only counted by reason.
        const counts = zeroByReason();
        for (let r = rejects; r < this.#rejects.length; r++) counts[(this.#rejects[r] as Reject).line.reason]++;
        this.#counts = counts;
      });
    } catch (err) {
      if (visiting) throw err;
      // The decoder failed: whatever the aggregate added is taken back below, and it is quarantined whole.
      corrupt = unexpected(err);
    }
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

  /**
   * `user` is the aggregate entry the bytes came from, if any. Everything up to the add is
   * `#prepare`'s, under the backstop; from the add on, nothing is caught.
   */
  #accept(bytes: Buffer, partitionKey: string, user: UserRecord | undefined): void {
    let rejection: Rejection | undefined;
    try {
      rejection = this.#prepare(bytes, partitionKey, user);
    } catch (err) {
      rejection = unexpected(err);
    }
    if (rejection !== undefined) {
      this.#reject(rejection, partitionKey, user);
      return;
    }
    // Stryker disable next-line ConditionalExpression: entries of an aggregate only being counted are packed, then rolled back with it (memory only)
    if (this.#counts) return;
    this.#packer.add(this.#line, this.#owner);
    this.#lines++;
    this.#unknownFields += this.#lineUnknownFields;
    if (this.#lineOverSpeed) this.#overSpeed++;
    const lag = this.#lineLagMs;
    if (
      this.#maxArrivalLagMs === undefined ||
      // Stryker disable next-line EqualityOperator: `>=` assigns the same value again
      lag > this.#maxArrivalLagMs
    )
      this.#maxArrivalLagMs = lag;
  }

  /**
   * The record's line, in `#line` (and its counts beside it), or why it is rejected: parsed,
   * validated, enriched, serialised and measured. Throws only for a bug (the backstop's side of the edge).
   */
  #prepare(bytes: Buffer, partitionKey: string, user: UserRecord | undefined): Rejection | undefined {
    const parsed = parseJson(bytes);
    if (parsed instanceof Rejection) return parsed;
    const valid = validateTelemetry(parsed, this.#acceptedVersions);
    if (valid instanceof Rejection) return valid;
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
      return reject("TOO_LARGE", message);
    }
    this.#line = line;
    this.#lineUnknownFields = valid.unknownFields;
    this.#lineOverSpeed = enriched.overSpeedLimit;
    this.#lineLagMs = enriched.ingest.arrivalLagMs;
    return undefined;
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

/**
 * The UNEXPECTED_ERROR rejection of an exception thrown while a record was handled: its name,
 * message and first stack frame (a bug to fix, not the data's fault). Never throws, whatever was thrown.
 */
function unexpected(err: unknown): Rejection {
  let what: string;
  try {
    if (err instanceof Error) {
      const frame = err.stack?.split("\n").find((line) => line.trimStart().startsWith("at "));
      what = `${err.name}: ${err.message}${frame === undefined ? "" : ` (${frame.trim()})`}`;
    } else what = `a thrown ${jsonPreview(err, 80)}`;
  } catch {
    what = "an exception that cannot be described";
  }
  return reject("UNEXPECTED_ERROR", `exception while handling the record: ${what}`);
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
