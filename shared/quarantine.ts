/** Rejected records: one replayable NDJSON line each, written to S3 in one object per invocation. */
import type { PutObjectCommandInput } from "@aws-sdk/client-s3";
import type { RejectionDetail, RejectionReason } from "./rejection.ts";
import { signalAt } from "./time.ts";

/** One line of a quarantine object. `data` is the original bytes in base64, ready to replay. */
export interface QuarantineLine {
  readonly recordId: string;
  readonly partitionKey: string;
  readonly reason: RejectionReason;
  readonly details: readonly RejectionDetail[];
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber?: number;
  readonly arrivalTime: string;
  readonly sourceAccount: string;
  readonly sourceStream: string;
  readonly quarantinedAt: string;
  readonly data: string;
}

/** What quarantine needs of S3: PutObject (`s3ObjectWriter` in aws.ts). */
export interface ObjectWriter {
  putObject(input: PutObjectCommandInput, options?: { abortSignal?: AbortSignal }): Promise<void>;
}

export interface QuarantineTarget {
  readonly bucket: string;
  readonly prefix: string;
}

/**
 * The object key for one invocation's rejects:
 * `<prefix>YYYY/MM/DD/HH/<stream>/<shardId>/<firstSequenceNumber>-<requestId>.ndjson`.
 */
export function quarantineKey(prefix: string, first: QuarantineLine, requestId: string): string {
  const at = first.quarantinedAt;
  const hour = `${at.slice(0, 4)}/${at.slice(5, 7)}/${at.slice(8, 10)}/${at.slice(11, 13)}`;
  return `${prefix}${hour}/${first.sourceStream}/${first.shardId}/${first.sequenceNumber}-${requestId}.ndjson`;
}

/**
 * Writes the lines as one NDJSON object and returns its key. Retries are the SDK's standard ones;
 * the call is abandoned at `deadlineMs`. Throws the S3 error when the object was not written: the
 * caller then reports these records for retry instead of counting them quarantined.
 */
export async function writeQuarantine(
  lines: readonly QuarantineLine[],
  target: QuarantineTarget,
  objects: ObjectWriter,
  requestId: string,
  deadlineMs: number,
  now: () => number,
): Promise<string> {
  const first = lines[0];
  if (first === undefined) throw new RangeError("writeQuarantine needs at least one line");
  const key = quarantineKey(target.prefix, first, requestId);
  let body = "";
  for (const line of lines) body += `${JSON.stringify(line)}\n`;
  await objects.putObject(
    { Bucket: target.bucket, Key: key, Body: Buffer.from(body, "utf8"), ContentType: "application/x-ndjson" },
    { abortSignal: signalAt(deadlineMs, now) },
  );
  return key;
}
