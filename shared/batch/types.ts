/** What a batch takes (records, context, collaborators) and what it gives back. */
import type { KinesisStreamBatchResponse } from "aws-lambda";
import type { Config } from "../config.ts";
import type { RedriveInfo } from "../enrich.ts";
import type { FirehoseLimits, FirehoseSender, PackedRecord } from "../firehose/index.ts";
import type { ObjectWriter, QuarantineLine } from "../quarantine.ts";
import type { RejectionReason } from "../rejection.ts";

export interface BatchDeps {
  readonly firehose: FirehoseSender;
  readonly objects: ObjectWriter;
  readonly config: Config;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly limits?: FirehoseLimits;
  /** The rejected-entry bounds; `REJECT_BOUNDS` unless a test narrows them. */
  readonly rejectBounds?: RejectBounds;
}

/** When an aggregate is quarantined whole rather than entry by entry; see the constants above. */
export interface RejectBounds {
  readonly perAggregate: number;
  readonly perBatch: number;
}

export interface BatchContext {
  /** Epoch ms by which all work must be done (the invocation's end less a safety margin). */
  readonly deadlineMs: number;
  readonly requestId: string;
  /**
   * Redrive only (shared/redrive/): per record, by index, the identity it keeps and where it was
   * redriven from. Absent for the trigger's batches, so their path is unchanged.
   */
  readonly origins?: readonly (RecordOrigin | undefined)[];
}

/** A redriven record's original identity beyond what its Kinesis fields carry, and its redrive block. */
export interface RecordOrigin {
  /**
   * The aggregate entry's subSequenceNumber when the record's data is that entry's bytes (a
   * quarantine line of a KPL entry), so its recordId stays `shard:sequence:sub`.
   */
  readonly subSequenceNumber?: number;
  readonly redrive: RedriveInfo;
}

/** What happened to a batch, for the response, the log line and the metrics. */
export interface BatchStats {
  readonly shardId: string | undefined;
  readonly firstSequenceNumber: string | undefined;
  readonly lastSequenceNumber: string | undefined;
  /** Kinesis records in the event. */
  readonly received: number;
  /** User records after de-aggregation (a corrupt aggregate, or one quarantined whole, counts as one). */
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
  /** Firehose entries not accepted, over all attempts: see `DeliveryResult.failedPuts`. */
  readonly firehoseFailedPuts: number;
  /** NDJSON bytes (before any compression) of the Firehose records Firehose confirmed, each once. */
  readonly deliveredBytes: number;
  /** Bytes Firehose bills: each entry it accepted, per attempt, rounded up to 5 KB. */
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
  /**
   * The indexes, ascending, of the Kinesis records not wholly delivered or quarantined: a line of
   * theirs in a Firehose record Firehose did not confirm, or a reject of theirs in a quarantine write
   * that failed. Every other record is done, before the rewind point or after it (a redrive's manifest
   * lists exactly those).
   */
  readonly unsettled: readonly number[];
}

/** A rejected user record and the index of the Kinesis record that carried it. */
export interface Reject {
  readonly line: QuarantineLine;
  readonly owner: number;
}

/** A batch's records prepared: lines packed for Firehose, rejects for quarantine, and the counts. */
export interface Prepared {
  /** Accepted records as NDJSON lines, packed into Firehose records, in batch order. */
  readonly packed: PackedRecord[];
  readonly lines: number;
  /** Lines of each Kinesis record, by index: a record's lines follow the previous record's, in `packed`'s order. */
  readonly ownerLines: Uint32Array;
  readonly rejects: Reject[];
  readonly unknownFields: number;
  readonly overSpeed: number;
  readonly maxArrivalLagMs: number | undefined;
}
