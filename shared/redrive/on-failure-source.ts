/** The on-failure source: the batches the trigger gave up on, from the records' payload or the stream. */
import type { KinesisStreamRecord } from "aws-lambda";
import { EventShapeError, kinesisRecordsOf } from "../event.ts";
import { CHUNK_RESERVE_MS } from "./constants.ts";
import { readRange } from "./stream-range.ts";
import type { OnFailureBatch, Pending, RedriveDeps, RedriveRequest, RedriveSummary } from "./types.ts";

/**
 * The batch an on-failure record describes, its payload's records if it carries a usable payload,
 * or why the record is unusable. The payload's records are checked as the live event's are
 * (`kinesisRecordsOf`): a payload that fails is not used (`payloadProblem` says why) and the range
 * is read back from the stream instead.
 */
export function parseOnFailureRecord(
  text: string,
): { batch: OnFailureBatch; payload: readonly KinesisStreamRecord[] | undefined; payloadProblem?: string } | string {
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
  // Stryker disable next-line ConditionalExpression: JSON.parse of a non-string throws (the payload is kept) or gives a value with no more Records
  if (typeof payload === "string") {
    try {
      payload = JSON.parse(payload);
    } catch {
      // Not JSON: a string, which has no Records, so the payload is unusable.
    }
  }
  const batch = { ...(info as unknown as OnFailureBatch), batchSize };
  if (payload === undefined) return { batch, payload: undefined };
  try {
    return { batch, payload: kinesisRecordsOf(payload) };
  } catch (err) {
    // Stryker disable next-line ConditionalExpression: on JSON, kinesisRecordsOf throws nothing but EventShapeError; anything else would be a bug, not a payload's fault
    if (!(err instanceof EventShapeError)) throw err;
    return { batch, payload: undefined, payloadProblem: `the payload is unusable (${err.message})` };
  }
}

/**
 * Takes the records of one on-failure object: its payload's, or its range read back from the
 * stream until `deadlineMs` less the chunk's reserve (counting what is gone as expired, what was not
 * read as failed), filtered and checked against the manifest. Throws the stream's errors other than
 * a refused position.
 */
export async function takeOnFailure(
  request: RedriveRequest,
  key: string,
  object: string,
  body: string,
  done: ReadonlySet<string>,
  at: string,
  summary: RedriveSummary,
  pending: Pending[],
  deps: RedriveDeps,
  deadlineMs: number,
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
  let records: readonly KinesisStreamRecord[];
  if (parsed.payload) {
    records = parsed.payload;
    summary.ranges.push({ ...range, found: records.length, status: "payload" });
  } else {
    // The reads leave the chunk's reserve for processBatch.
    const read = await readRange(batch, deps, deadlineMs - CHUNK_RESERVE_MS);
    records = read.records;
    const detail = [parsed.payloadProblem && `${parsed.payloadProblem}: read back from the stream`, read.detail]
      .filter((d) => d)
      .join("; ");
    summary.ranges.push({ ...range, found: records.length, status: read.status, ...(detail ? { detail } : {}) });
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
