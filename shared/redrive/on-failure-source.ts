/** The on-failure source: the batches the trigger gave up on, from the records' payload or the stream. */
import type { KinesisStreamRecord } from "aws-lambda";
import { readRange } from "./stream-range.ts";
import type { OnFailureBatch, Pending, RedriveDeps, RedriveRequest, RedriveSummary } from "./types.ts";

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
  // Stryker disable next-line ConditionalExpression: JSON.parse of a non-string throws (the payload is kept) or gives a value with no more Records
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

/**
 * Takes the records of one on-failure object: its payload's, or its range read back from the
 * stream (counting what is gone as expired, what was not read as failed), filtered and checked
 * against the manifest. Throws the stream's errors other than a refused position.
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
