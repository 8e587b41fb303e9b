/** An on-failure record's sequence range, read back from the stream. */
import type { KinesisStreamRecord } from "aws-lambda";
import { kinesisRecord } from "./kinesis-record.ts";
import type { OnFailureBatch, RangeReport, RedriveDeps } from "./types.ts";

/** GetShardIterator's answers for a position the stream no longer holds (past retention, shard gone). */
const POSITION_REFUSED = new Set(["InvalidArgumentException", "ResourceNotFoundException"]);

/**
 * The batch's records back from the stream: from its first sequence number until past its last.
 * "expired" when the first record returned is later than the start (the start is past retention),
 * "trimmed" when Kinesis refuses the position, "incomplete" when the reads stop (five empty pages,
 * the shard's end) before the range's last record. Throws any other error of the stream (throttling,
 * access denied), so the run stops and can be resumed rather than count readable records as lost.
 */
export async function readRange(
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
