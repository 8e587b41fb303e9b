/**
 * One Kinesis batch from records to outcome: decode, de-aggregate, validate, enrich, deliver to
 * Firehose, quarantine the rejects, and name the record Lambda must rewind to.
 */
import type { KinesisStreamBatchResponse, KinesisStreamRecord } from "aws-lambda";
import type { Config } from "./config.ts";
import { deaggregate, decodeBase64, isKplAggregate, parseJson } from "./decode.ts";
import {
  type BatchInfo,
  enrich,
  type IngestInfo,
  parseStreamArn,
  recordIdOf,
  type StreamSource,
  shardIdOf,
} from "./enrich.ts";
import {
  deliverRecords,
  FIREHOSE_BILLING_INCREMENT,
  FIREHOSE_LIMITS,
  type FirehoseLimits,
  type FirehoseSender,
  packLines,
} from "./firehose.ts";
import { type ObjectWriter, type QuarantineLine, writeQuarantine } from "./quarantine.ts";
import { REJECTION_REASONS, type Rejection, type RejectionReason, reject } from "./rejection.ts";
import { validateTelemetry } from "./validate.ts";

export interface BatchDeps {
  readonly firehose: FirehoseSender;
  readonly s3: ObjectWriter;
  readonly config: Config;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly limits?: FirehoseLimits;
}

export interface BatchContext {
  /** Epoch ms by which all work must be done (the invocation's end less a safety margin). */
  readonly deadlineMs: number;
  readonly requestId: string;
}

/** What happened to a batch, for the response, the log line and the metrics. */
export interface BatchStats {
  readonly shardId: string | undefined;
  readonly firstSequenceNumber: string | undefined;
  readonly lastSequenceNumber: string | undefined;
  /** Kinesis records in the event. */
  readonly received: number;
  /** User records after de-aggregation (a corrupt aggregate counts as one). */
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
  readonly firehoseFailedPuts: number;
  readonly deliveredBytes: number;
  /** Bytes Firehose bills for the records sent: each rounded up to 5 KB. */
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
  const prepared = prepare(records, deps.config.speedLimitKmh, deps.now(), limits);
  const packed = packLines(prepared.lines, limits);

  const [delivery, quarantine] = await Promise.all([
    deliverRecords(packed, {
      firehose: deps.firehose,
      deliveryStreamName: deps.config.deliveryStreamName,
      deadlineMs: context.deadlineMs,
      now: deps.now,
      sleep: deps.sleep,
      random: deps.random,
      limits,
    }),
    quarantineAll(prepared.rejects, context, deps),
  ]);

  const failureReasons: string[] = [];
  let retryFrom = records.length;
  let undeliveredLines = 0;
  for (const index of delivery.undelivered) undeliveredLines += (packed[index] as (typeof packed)[number]).lineCount;
  const firstUndelivered = delivery.undelivered[0];
  if (firstUndelivered !== undefined) {
    const firstLine = (packed[firstUndelivered] as (typeof packed)[number]).firstLine;
    retryFrom = prepared.lineOwners[firstLine] as number;
    failureReasons.push(delivery.stopReason ?? "Firehose did not confirm every record");
  }
  const quarantined = zeroByReason();
  if (quarantine.error === undefined) {
    for (const entry of prepared.rejects) quarantined[entry.line.reason]++;
  } else {
    retryFrom = Math.min(retryFrom, prepared.rejects[0]?.owner ?? retryFrom);
    failureReasons.push(`quarantine write failed: ${quarantine.error}`);
  }

  let billedBytes = 0;
  let deliveredBytes = 0;
  for (const record of packed) {
    const size = record.data.byteLength;
    billedBytes += Math.ceil(size / FIREHOSE_BILLING_INCREMENT) * FIREHOSE_BILLING_INCREMENT;
    deliveredBytes += size;
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
      userRecords: prepared.lines.length + prepared.rejects.length,
      delivered: prepared.lines.length - undeliveredLines,
      quarantined,
      failed: undeliveredLines + (quarantine.error === undefined ? 0 : prepared.rejects.length),
      retryFromSequenceNumber: retryRecord?.kinesis.sequenceNumber,
      retryRecords: records.length - retryFrom,
      firehoseRecords: packed.length,
      firehoseCalls: delivery.calls,
      firehoseRetries: delivery.retries,
      firehoseFailedPuts: delivery.failedPuts,
      deliveredBytes,
      billedBytes,
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
  /** Accepted records as NDJSON lines (without newline), in batch order. */
  readonly lines: string[];
  /** For each line, the index of the Kinesis record that carried it. */
  readonly lineOwners: number[];
  readonly rejects: Reject[];
  readonly unknownFields: number;
  readonly overSpeed: number;
  readonly maxArrivalLagMs: number | undefined;
}

/** The CPU-bound part: every record to a line or a reject. Pure, synchronous, never throws. */
function prepare(
  records: readonly KinesisStreamRecord[],
  speedLimitKmh: number,
  nowMs: number,
  limits: FirehoseLimits,
): Prepared {
  const processedAt = new Date(nowMs).toISOString();
  const lines: string[] = [];
  const lineOwners: number[] = [];
  const rejects: Reject[] = [];
  let unknownFields = 0;
  let overSpeed = 0;
  let maxArrivalLagMs: number | undefined;
  let sourceArn = "";
  let batch: BatchInfo = { processedAt, source: parseStreamArn(""), speedLimitKmh };
  // Lines longer than this many UTF-16 units might exceed a Firehose record once encoded.
  const safeLineChars = Math.floor((limits.recordBytes - 1) / 3);

  for (let owner = 0; owner < records.length; owner++) {
    const record = records[owner] as KinesisStreamRecord;
    const kinesis = record.kinesis;
    if (record.eventSourceARN !== sourceArn) {
      sourceArn = record.eventSourceARN;
      batch = { processedAt, source: parseStreamArn(sourceArn), speedLimitKmh };
    }
    const shardId = shardIdOf(record.eventID);
    const arrivalMs = Math.round(kinesis.approximateArrivalTimestamp * 1000);
    const arrivalTime = new Date(arrivalMs).toISOString();
    const rejectWith = (rejection: Rejection, partitionKey: string, data: string, sub?: number) => {
      rejects.push({
        owner,
        line: quarantineLine(
          rejection,
          record,
          batch.source,
          shardId,
          partitionKey,
          data,
          sub,
          arrivalTime,
          processedAt,
        ),
      });
    };
    const accept = (bytes: Buffer, partitionKey: string, originalData: () => string, sub?: number) => {
      const parsed = parseJson(bytes);
      if (!parsed.ok) return rejectWith(parsed.rejection, partitionKey, originalData(), sub);
      const valid = validateTelemetry(parsed.value);
      if (!valid.ok) return rejectWith(valid.rejection, partitionKey, originalData(), sub);
      const ingest: IngestInfo = {
        recordId: recordIdOf(shardId, kinesis.sequenceNumber, sub),
        partitionKey,
        arrivalMs,
        arrivalTime,
      };
      const enriched = enrich(valid.value, ingest, batch);
      const line = JSON.stringify(enriched);
      if (line.length > safeLineChars && Buffer.byteLength(line, "utf8") + 1 > limits.recordBytes) {
        const message = `enriched line exceeds Firehose's ${limits.recordBytes}-byte record limit`;
        return rejectWith(reject("TOO_LARGE", message), partitionKey, originalData(), sub);
      }
      lines.push(line);
      lineOwners.push(owner);
      unknownFields += valid.value.unknownFields;
      if (enriched.overSpeedLimit) overSpeed++;
      const lag = enriched.ingest.arrivalLagMs;
      if (maxArrivalLagMs === undefined || lag > maxArrivalLagMs) maxArrivalLagMs = lag;
    };

    const decoded = decodeBase64(kinesis.data);
    if (!decoded.ok) {
      rejectWith(decoded.rejection, kinesis.partitionKey, kinesis.data);
      continue;
    }
    const bytes = decoded.value;
    if (!isKplAggregate(bytes)) {
      accept(bytes, kinesis.partitionKey, () => kinesis.data);
      continue;
    }
    const aggregate = deaggregate(kinesis.data, bytes, kinesis.partitionKey, kinesis.sequenceNumber);
    if (!aggregate.ok) {
      rejectWith(aggregate.rejection, kinesis.partitionKey, kinesis.data);
      continue;
    }
    for (const user of aggregate.value) {
      accept(user.data, user.partitionKey, () => user.data.toString("base64"), user.subSequenceNumber);
    }
  }
  return { lines, lineOwners, rejects, unknownFields, overSpeed, maxArrivalLagMs };
}

function quarantineLine(
  rejection: Rejection,
  record: KinesisStreamRecord,
  source: StreamSource,
  shardId: string,
  partitionKey: string,
  data: string,
  subSequenceNumber: number | undefined,
  arrivalTime: string,
  quarantinedAt: string,
): QuarantineLine {
  const sequenceNumber = record.kinesis.sequenceNumber;
  return {
    recordId: recordIdOf(shardId, sequenceNumber, subSequenceNumber),
    partitionKey,
    reason: rejection.reason,
    details: rejection.details,
    shardId,
    sequenceNumber,
    ...(subSequenceNumber === undefined ? {} : { subSequenceNumber }),
    arrivalTime,
    sourceAccount: source.account,
    sourceStream: source.stream,
    quarantinedAt,
    data,
  };
}

async function quarantineAll(
  rejects: readonly Reject[],
  context: BatchContext,
  deps: BatchDeps,
): Promise<{ key: string | undefined; error: string | undefined }> {
  if (rejects.length === 0) return { key: undefined, error: undefined };
  const target = { bucket: deps.config.quarantineBucket, prefix: deps.config.quarantinePrefix };
  try {
    const lines = rejects.map((entry) => entry.line);
    const key = await writeQuarantine(lines, target, deps.s3, context.requestId, context.deadlineMs, deps.now);
    return { key, error: undefined };
  } catch (err) {
    // Handled completely: the caller reports these records for retry.
    return {
      key: undefined,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    };
  }
}

function zeroByReason(): Record<RejectionReason, number> {
  const counts = {} as Record<RejectionReason, number>;
  for (const reason of REJECTION_REASONS) counts[reason] = 0;
  return counts;
}
