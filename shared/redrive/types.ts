/** The redrive's shapes: the request, where a run stands, the summary, and what it needs of S3 and Kinesis. */
import type { KinesisStreamRecord } from "aws-lambda";
import type { BatchDeps, RecordOrigin } from "../batch/index.ts";
import type { RedriveInfo } from "../enrich.ts";
import type { RejectionReason } from "../rejection.ts";

export type RedriveSource = RedriveInfo["source"];

/** What to redrive; the same for every chunk of one run. */
export interface RedriveRequest {
  readonly source: RedriveSource;
  /** The bucket holding the quarantine objects or the on-failure records. */
  readonly bucket: string;
  /** Key prefix to list under (the quarantine prefix, or the on-failure records' prefix). */
  readonly prefix: string;
  /** Quarantine only: the first and last hour (`YYYY-MM-DDTHH`, UTC) of the keys to read. */
  readonly fromHour?: string;
  readonly toHour?: string;
  /** Quarantine only: only lines with these reasons. */
  readonly reasons?: readonly RejectionReason[];
  readonly partitionKeys?: readonly string[];
  /** Quarantine lines with these recordIds; on-failure records whose `shard:sequence` is listed. */
  readonly recordIds?: readonly string[];
  readonly dryRun: boolean;
  /** Redrive records the manifest already lists. */
  readonly force: boolean;
  /** Bounds of one chunk. */
  readonly maxRecords: number;
  readonly maxBytes: number;
}

/** Where a run stands: the last key read whole, the object and line to resume within, the run's start. */
export interface Position {
  /** ListObjectsV2's StartAfter: every key up to it is done. */
  readonly after: string | undefined;
  /** An object stopped part-way, and its 1-based line to resume at. */
  readonly key?: string;
  readonly line?: number;
  /** Epoch ms: objects written since (the run's own re-quarantines among them) are not read. */
  readonly startedMs: number;
  /** The run's id: its own re-quarantine objects are named with it, and never read back by it. */
  readonly run: string;
}

/** A record that could not be read: object, line (1-based; 1 for an on-failure record) and why. */
export interface Malformed {
  readonly object: string;
  readonly line: number;
  readonly error: string;
}

/** One on-failure record's sequence range, as read back from the stream. */
export interface RangeReport {
  readonly object: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
  /** Records read back (or found in the record's own payload). */
  readonly found: number;
  /**
   * "payload": the record carried the batch; "stream": read back; "expired"/"trimmed": partly or
   * wholly gone; "incomplete": the reads stopped before the range's end (the rest count as failed).
   */
  readonly status: "payload" | "stream" | "expired" | "trimmed" | "incomplete";
  readonly detail?: string;
}

export interface RedriveSummary {
  /** Quarantine lines or Kinesis records read from the source. */
  read: number;
  /** User records Firehose confirmed. */
  delivered: number;
  /** User records rejected again, by reason (a new quarantine object, attempt count in each line). */
  quarantinedAgain: Record<string, number>;
  /**
   * Records neither delivered nor quarantined (Firehose or S3 failed), or of an incomplete range not
   * read back: not in the manifest, so the next run takes them.
   */
  failed: number;
  /** Records of on-failure ranges no longer within the stream's retention. */
  expired: number;
  /** Filtered out by reason, partition key or recordId. */
  skipped: number;
  /** Listed in the manifest of an earlier run (redriven again only with force). */
  alreadyRedriven: number;
  /** Dry run: what would be redriven, by quarantine reason (on-failure: by the record's condition). */
  wouldRedrive: Record<string, number>;
  objects: number;
  malformed: Malformed[];
  ranges: RangeReport[];
  /** Manifests that could not be written: their records may be delivered again by a later run. */
  manifestErrors: string[];
}

export interface ChunkResult {
  readonly summary: RedriveSummary;
  /** Pass back to continue; undefined when the source is exhausted. */
  readonly continuation: string | undefined;
}

/** What redrive needs of S3 besides the quarantine writer `processBatch` uses. */
export interface ObjectStore {
  /** Keys after `startAfter` under `prefix`, in key order, with their last-modified time (epoch ms). */
  list(
    bucket: string,
    prefix: string,
    startAfter: string | undefined,
  ): Promise<{ readonly objects: readonly { key: string; modifiedMs: number }[]; readonly truncated: boolean }>;
  /** The object's text, or undefined if there is none. */
  get(bucket: string, key: string): Promise<string | undefined>;
  put(bucket: string, key: string, body: string): Promise<void>;
}

/** A record as Kinesis GetRecords returns it. */
export interface StreamRecord {
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly arrivalMs: number;
}

/** What redrive needs of Kinesis: reads of one shard from a sequence number. */
export interface StreamReader {
  /** Throws when Kinesis refuses the position (past retention, trimmed, no such shard). */
  iteratorAt(streamArn: string, shardId: string, sequenceNumber: string): Promise<string>;
  /** `streamArn` as well: GetRecords takes it, and a cross-account read must name the stream by ARN. */
  read(
    streamArn: string,
    iterator: string,
  ): Promise<{
    readonly records: readonly StreamRecord[];
    readonly next: string | undefined;
    readonly behindMs: number;
  }>;
}

export interface RedriveDeps extends BatchDeps {
  readonly store: ObjectStore;
  /** Needed for on-failure records without a payload. */
  readonly stream?: StreamReader;
}

/** A record ready for `processBatch`, with the id the manifest lists for it. */
export interface Pending {
  readonly record: KinesisStreamRecord;
  readonly origin: RecordOrigin;
  readonly manifestId: string;
  readonly object: string;
  readonly bytes: number;
}

/** The Kinesis batch an on-failure record describes. */
export interface OnFailureBatch {
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
  readonly streamArn: string;
}
