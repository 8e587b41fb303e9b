/** An on-failure record's sequence range, read back from the stream. */
import type { KinesisStreamRecord } from "aws-lambda";
import { kinesisRecord } from "./kinesis-record.ts";
import type { OnFailureBatch, RangeReport, RedriveDeps } from "./types.ts";

/** GetShardIterator's answers for a position the stream no longer holds (past retention, shard gone). */
const POSITION_REFUSED = new Set(["InvalidArgumentException", "ResourceNotFoundException"]);

/**
 * The most a range is read back: what one Lambda batch can hold (10,000 records, and 6 MB of event,
 * so less of data). A range the trigger gave up on never holds more; one that claims to (a forged or
 * corrupt on-failure record) is read no further, so one record cannot make a redrive read a shard whole.
 */
export const MAX_RANGE_RECORDS = 10_000;
export const MAX_RANGE_BYTES = 6 * 1024 * 1024;

/**
 * The batch's records back from the stream: from its first sequence number until past its last.
 * "expired" when the first record returned is later than the start (the start is past retention),
 * "trimmed" when Kinesis refuses the position, "incomplete" when the reads stop before the range's
 * last record: five empty pages, the shard's end, `deadlineMs` (no read is started at or after it)
 * or the cap of one Lambda batch (`MAX_RANGE_RECORDS`, `MAX_RANGE_BYTES` of data). Throws any other
 * error of the stream (throttling, access denied), so the run stops and can be resumed rather than
 * count readable records as lost.
 */
export async function readRange(
  batch: OnFailureBatch,
  deps: RedriveDeps,
  deadlineMs: number,
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
  let bytes = 0;
  /** Why the reads stopped short of the range's end, when a limit of ours stopped them. */
  let stopped: string | undefined;
  // Each empty read with the shard caught up ends the range; a few empty reads are normal mid-shard.
  reads: for (let empty = 0; iterator && empty < 5; ) {
    if (deps.now() >= deadlineMs) {
      stopped = "the chunk's time ran out (run again)";
      break;
    }
    const page = await stream.read(batch.streamArn, iterator);
    iterator = page.next;
    if (page.records.length === 0) {
      empty++;
      if (page.behindMs === 0) break;
      continue;
    }
    for (const r of page.records) {
      if (BigInt(r.sequenceNumber) > end) return finish(true);
      if (records.length >= MAX_RANGE_RECORDS || bytes + r.data.length > MAX_RANGE_BYTES) {
        stopped = `the range holds more than one Lambda batch can (${MAX_RANGE_RECORDS} records, ${MAX_RANGE_BYTES} bytes of data): not read further`;
        break reads;
      }
      bytes += r.data.length;
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
    const last = records[records.length - 1]?.kinesis.sequenceNumber;
    // A limit of ours stopped the reads: the rest of the range was not looked at, so none of it is called gone.
    if (stopped !== undefined)
      return {
        records,
        status: "incomplete",
        detail: `${stopped} ${last === undefined ? "before the first read" : `after ${last}`}, before the range's end`,
      };
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
        detail: `the stream gave no record after ${last}, before the range's end: run again`,
      };
    return { records, status: "stream" };
  }
}
