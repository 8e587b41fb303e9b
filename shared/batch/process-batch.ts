/** One Kinesis batch from records to outcome: prepared, delivered and quarantined at once, and the record to rewind to named. */
import type { KinesisStreamRecord } from "aws-lambda";
import { shardIdOf } from "../enrich.ts";
import { deliverRecords, FIREHOSE_LIMITS, type PackedRecord } from "../firehose/index.ts";
import { writeQuarantine } from "../quarantine.ts";
import { zeroByReason } from "../rejection.ts";
import { REJECT_BOUNDS } from "./constants.ts";
import { Preparation } from "./preparation.ts";
import type { BatchContext, BatchDeps, BatchOutcome, Prepared, Reject } from "./types.ts";

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

  const unsettled = unsettledOf(prepared, delivery.undelivered, quarantine.error !== undefined);
  const retryRecord = records[retryFrom];
  const first = records[0];
  const last = records[records.length - 1];
  return {
    unsettled,
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

/**
 * The indexes, ascending, of the Kinesis records with a line in a Firehose record not confirmed
 * (`undelivered`, indexes of `prepared.packed`) or, when the quarantine write failed, a reject. Lines are packed in
 * record order, so each Kinesis record's lines are one run of the packed lines, `ownerLines` long,
 * and each Firehose record's another, `lineCount` long: a record is unsettled when its run and an
 * undelivered Firehose record's overlap.
 */
function unsettledOf(prepared: Prepared, undelivered: readonly number[], quarantineFailed: boolean): number[] {
  const owners = new Set<number>();
  if (quarantineFailed) for (const entry of prepared.rejects) owners.add(entry.owner);
  const runs = (counts: Iterable<number>) => {
    const starts: number[] = [];
    let line = 0;
    for (const count of counts) {
      starts.push(line);
      line += count;
    }
    return starts;
  };
  const recordStarts = runs(prepared.packed.map((record) => record.lineCount));
  const failed = undelivered.map((r) => {
    const from = recordStarts[r] as number;
    return { from, to: from + (prepared.packed[r] as PackedRecord).lineCount };
  });
  const ownerStarts = runs(prepared.ownerLines);
  const unsettled: number[] = [];
  prepared.ownerLines.forEach((count, owner) => {
    const start = ownerStarts[owner] as number;
    const end = start + count;
    if (owners.has(owner) || failed.some(({ from, to }) => Math.max(start, from) < Math.min(end, to)))
      unsettled.push(owner);
  });
  return unsettled;
}

/**
 * Writes the batch's rejects as one quarantine object: its key, or the error that stopped it (the
 * caller reports the rejects for retry). Never throws.
 */
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
