/**
 * Records to Firehose: grouped into PutRecordBatch calls, the entries that failed resent with
 * exponential backoff and full jitter, and what Firehose bills counted.
 */
import { PutRecordBatchCommand, type PutRecordBatchCommandOutput } from "@aws-sdk/client-firehose";
import { isServerError, isThrottlingError, isTransientError } from "@smithy/core/retry";
import { signalAt } from "../time.ts";
import { FIREHOSE_BILLING_INCREMENT, FIREHOSE_LIMITS, type FirehoseLimits } from "./constants.ts";
import type { PackedRecord } from "./packer.ts";

/** Groups records, in order, into PutRecordBatch-sized slices: ≤ 500 records and ≤ 4,000,000 data bytes each. */
export function packBatches<T extends { readonly data: Uint8Array }>(
  records: readonly T[],
  limits: FirehoseLimits = FIREHOSE_LIMITS,
): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = record.data.byteLength;
    if (batch.length === limits.batchRecords || (batch.length > 0 && bytes + size > limits.batchBytes)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(record);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** The part of a Firehose client that delivery uses. */
export interface FirehoseSender {
  send(command: PutRecordBatchCommand, options?: { abortSignal?: AbortSignal }): Promise<PutRecordBatchCommandOutput>;
}

export interface DeliveryDeps {
  readonly firehose: FirehoseSender;
  readonly deliveryStreamName: string;
  /** Epoch ms; the delivery stops (and reports what is left) rather than run past it. */
  readonly deadlineMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1): the jitter source. */
  readonly random: () => number;
  /** One call is abandoned (and retried) after this long, so a hung connection cannot eat the budget. */
  readonly attemptTimeoutMs: number;
  readonly limits?: FirehoseLimits;
}

/** Backoff: full jitter over min(cap, base · 2^attempt), at most `maxAttempts` calls per batch. */
export const RETRY_POLICY = { baseMs: 50, capMs: 2_000, maxAttempts: 8 } as const;

export interface DeliveryResult {
  /** Indices, ascending, of the records Firehose did not confirm; empty when all were. */
  readonly undelivered: readonly number[];
  readonly calls: number;
  readonly retries: number;
  /**
   * Entries not accepted, summed over attempts: each entry a response reports failed (or every entry
   * of a response that does not line up with its request), plus every entry of a call that failed
   * whole (an error, retryable or not, the attempt timeout, or the deadline cutting it short).
   */
  readonly failedPuts: number;
  /** NDJSON bytes (before compression: `payloadBytes`) of the records Firehose confirmed, each counted once. */
  readonly deliveredBytes: number;
  /**
   * What Firehose bills: the data bytes as sent (compressed, when the function compresses) of each
   * entry a response reports accepted, rounded up to 5 KB, summed over
   * attempts (an entry accepted twice, because an earlier response could not be trusted, is billed twice).
   */
  readonly billedBytes: number;
  /** Why delivery stopped short, when it did. */
  readonly stopReason: string | undefined;
}

/**
 * Sends the records in order, one PutRecordBatch call per batch, never past `deadlineMs`.
 * Retries, with full-jitter backoff, exactly the entries that failed: those named by a 200
 * response with `FailedPutCount > 0`, or all of a call that failed with a throttling, 5xx or
 * network error or took longer than `attemptTimeoutMs`. Other errors (access denied, missing stream) are not retried. It stops at the
 * first batch it cannot complete, since Lambda will rewind to it and resend the rest anyway.
 * Never throws: the outcome says which records were not confirmed.
 */
export async function deliverRecords(records: readonly PackedRecord[], deps: DeliveryDeps): Promise<DeliveryResult> {
  const limits = deps.limits ?? FIREHOSE_LIMITS;
  const indexed = records.map((record, index) => ({ data: record.data, index }));
  let calls = 0;
  let retries = 0;
  let failedPuts = 0;
  let billedBytes = 0;
  const confirmed = new Uint8Array(records.length);
  for (const batch of packBatches(indexed, limits)) {
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      if (deps.now() >= deps.deadlineMs) {
        return finish("time budget exhausted before Firehose confirmed the batch");
      }
      calls++;
      let failed: typeof pending;
      let reason: string;
      const attemptSignal = AbortSignal.timeout(deps.attemptTimeoutMs);
      try {
        const output = await deps.firehose.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: deps.deliveryStreamName,
            Records: pending.map((entry) => ({ Data: entry.data })),
          }),
          { abortSignal: AbortSignal.any([signalAt(deps.deadlineMs, deps.now), attemptSignal]) },
        );
        failed = failedEntries(pending, output);
        failedPuts += failed.length;
        billedBytes += acceptedBilledBytes(pending, output);
        reason = `${failed.length} of ${pending.length} entries failed (FailedPutCount)`;
      } catch (err) {
        // The whole call failed: none of its entries is confirmed, whatever happens next.
        failedPuts += pending.length;
        if (deps.now() >= deps.deadlineMs) {
          return finish("time budget exhausted while waiting for Firehose");
        }
        const timedOut = attemptSignal.aborted;
        if (!timedOut && !isRetryable(err)) return finish(`Firehose error: ${describe(err)}`);
        failed = pending;
        reason = timedOut
          ? `Firehose call timed out after ${deps.attemptTimeoutMs} ms`
          : `Firehose error: ${describe(err)}`;
      }
      for (const entry of pending) confirmed[entry.index] = 1;
      for (const entry of failed) confirmed[entry.index] = 0;

      if (failed.length === 0) break;
      const delayMs = deps.random() * Math.min(RETRY_POLICY.capMs, RETRY_POLICY.baseMs * 2 ** attempt);
      if (attempt >= RETRY_POLICY.maxAttempts) return finish(`${reason}, after ${attempt} attempts`);
      if (deps.now() + delayMs >= deps.deadlineMs) return finish(`${reason}; no time left to retry`);
      await deps.sleep(delayMs);
      retries++;
      pending = failed;
    }
  }
  return finish(undefined);

  function finish(stopReason: string | undefined): DeliveryResult {
    const undelivered: number[] = [];
    let deliveredBytes = 0;
    for (let i = 0; i < confirmed.length; i++) {
      if (confirmed[i] === 0) undelivered.push(i);
      else deliveredBytes += (records[i] as PackedRecord).payloadBytes;
    }
    return { undelivered, calls, retries, failedPuts, deliveredBytes, billedBytes, stopReason };
  }
}

/** Bytes Firehose bills for one record: its size rounded up to the next 5 KB. */
function billedSize(bytes: number): number {
  return Math.ceil(bytes / FIREHOSE_BILLING_INCREMENT) * FIREHOSE_BILLING_INCREMENT;
}

/**
 * Billed bytes of the entries a response reports accepted (a `RecordId` and no `ErrorCode`). A
 * response that does not line up with its request says nothing reliable per entry: counted as none
 * accepted, like a call that failed whole (Firehose may have ingested some; nothing says which).
 */
function acceptedBilledBytes(pending: readonly { readonly data: Uint8Array }[], output: PutRecordBatchCommandOutput) {
  const responses = output.RequestResponses;
  if (!responses || responses.length !== pending.length) return 0;
  let bytes = 0;
  // Stryker disable next-line EqualityOperator: one iteration past the responses reads undefined and adds nothing
  for (let i = 0; i < pending.length; i++) {
    const response = responses[i];
    if (response?.ErrorCode === undefined && response?.RecordId !== undefined)
      bytes += billedSize((pending[i] as { readonly data: Uint8Array }).data.byteLength);
  }
  return bytes;
}

/**
 * The entries a 200 response reports failed. A response whose per-entry results do not line up
 * with the request is treated as all failed (a resend can duplicate, never lose).
 */
function failedEntries<T>(pending: readonly T[], output: PutRecordBatchCommandOutput): T[] {
  const responses = output.RequestResponses;
  if (!responses || responses.length !== pending.length) return [...pending];
  return pending.filter((_, i) => {
    const response = responses[i];
    return response?.ErrorCode !== undefined || response?.RecordId === undefined;
  });
}

function isRetryable(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const sdkError = err as Parameters<typeof isTransientError>[0];
  return isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError);
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
