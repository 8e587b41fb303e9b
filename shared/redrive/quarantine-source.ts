/** The quarantine source: lines of the quarantine objects, back as the records they were. */
import type { QuarantineLine } from "../quarantine.ts";
import { kinesisRecord } from "./kinesis-record.ts";
import type { Pending, RedriveRequest, RedriveSummary } from "./types.ts";

/**
 * Takes the lines of one quarantine object from `fromLine`; returns the line to resume at when
 * `isFull` stops it first.
 */
export function takeQuarantine(
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
