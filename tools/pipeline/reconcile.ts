/**
 * Reconciliation: what the producer wrote (its ledger) against what the pipeline delivered,
 * quarantined or sent to the on-failure destination, user record by user record.
 */
import { acceptedSchemaVersions } from "../../shared/config.ts";
import { SCHEMA_VERSIONS } from "../../shared/contract.ts";
import type { OnFailureRecord } from "./event-source-mapping.ts";
import type { Intent } from "./fleet.ts";
import type { LedgerEntry } from "./producer.ts";

export interface Reconciliation {
  /** User records produced (aggregates expanded; a damaged aggregate counts as one). */
  readonly produced: number;
  readonly kinesisRecords: number;
  /** Distinct user records found in the data bucket. */
  readonly delivered: number;
  /** Distinct user records found in quarantine, by reason. */
  readonly quarantined: Readonly<Record<string, number>>;
  /** User records in batches sent to the on-failure destination and found nowhere else. */
  readonly toOnFailure: number;
  /** Extra copies (same recordId seen again) across data and quarantine: at-least-once re-deliveries. */
  readonly duplicates: number;
  /** Produced, but neither delivered, quarantined nor sent to the on-failure destination. */
  readonly missing: readonly string[];
  /** Seen in the buckets, but never produced. */
  readonly unexpected: readonly string[];
  /** Delivered or quarantined against its intent (a valid reading quarantined, a bad one delivered, a wrong reason). */
  readonly misrouted: readonly string[];
}

/** How the run was configured, and what a redrive brought back, so their records count as routed right. */
export interface ReconcileOptions {
  /** Versions the function held back (ACCEPTED_SCHEMA_VERSIONS without them): a valid reading of one belongs in quarantine as SCHEMA_UNSUPPORTED. */
  readonly heldBackVersions?: ReadonlySet<number>;
  /**
   * RecordIds a redrive brought back from quarantine (delivered with `ingest.redrive`, or quarantined
   * again with `redrive`): they are judged by what the function does once the version is accepted,
   * and their original quarantine line (the redrive's source) is not a second copy.
   */
  readonly redriven?: ReadonlySet<string>;
}

/**
 * The versions the function holds back when run with this ACCEPTED_SCHEMA_VERSIONS (unset: none),
 * read by the function's own parser, so the two cannot disagree (an empty value accepts every version).
 */
export function heldBackOf(accepted: string | undefined): ReadonlySet<number> {
  const versions = acceptedSchemaVersions({ ACCEPTED_SCHEMA_VERSIONS: accepted });
  return new Set<number>(SCHEMA_VERSIONS.filter((version) => !versions.has(version)));
}

/**
 * The recordId the function gives the `index`th reading of a ledger entry (`shard:sequence`, plus
 * `:index` inside a KPL aggregate), written out here independently of the function's own code.
 */
export function ledgerRecordId(entry: LedgerEntry, index: number): string {
  return `${entry.shardId}:${entry.sequenceNumber}${entry.aggregated ? `:${index}` : ""}`;
}

/** Compares the ledger with the record ids seen in the buckets. Pure. */
export function reconcile(
  ledger: readonly LedgerEntry[],
  deliveredIds: readonly string[],
  quarantinedLines: readonly { recordId: string; reason: string; redrive?: unknown }[],
  onFailure: readonly OnFailureRecord[],
  options: ReconcileOptions = {},
): Reconciliation {
  const heldBack = options.heldBackVersions ?? new Set<number>();
  const redriven = options.redriven ?? new Set<string>();
  const expected = new Map<string, Intent | "AGGREGATE_CORRUPT">();
  /** Records of a held-back version: a valid or schema-invalid one is SCHEMA_UNSUPPORTED until accepted. */
  const held = new Set<string>();
  for (const entry of ledger) {
    if (entry.corrupt) {
      expected.set(`${entry.shardId}:${entry.sequenceNumber}`, "AGGREGATE_CORRUPT");
      continue;
    }
    entry.readings.forEach((reading, i) => {
      const id = ledgerRecordId(entry, i);
      expected.set(id, reading.intent);
      const versionChecked = reading.intent === "VALID" || reading.intent === "SCHEMA_INVALID";
      if (versionChecked && heldBack.has(reading.schemaVersion ?? 1)) held.add(id);
    });
  }
  const seen = new Map<string, number>();
  const misrouted: string[] = [];
  const unexpected: string[] = [];
  const count = (id: string) => seen.set(id, (seen.get(id) ?? 0) + 1);
  for (const id of deliveredIds) {
    count(id);
    const intent = expected.get(id);
    if (intent === undefined) unexpected.push(id);
    else if (intent !== "VALID" || (held.has(id) && !redriven.has(id))) misrouted.push(id);
  }
  const quarantinedIds = new Map<string, string>();
  for (const line of quarantinedLines) {
    const again = line.redrive !== undefined;
    // A redriven record's original line is where the redrive read it from, not a second copy.
    if (again || !redriven.has(line.recordId)) {
      count(line.recordId);
      quarantinedIds.set(line.recordId, line.reason);
    }
    const intent = expected.get(line.recordId);
    const reason = held.has(line.recordId) && !again ? "SCHEMA_UNSUPPORTED" : intent;
    if (intent === undefined) unexpected.push(line.recordId);
    else if (reason !== line.reason) misrouted.push(line.recordId);
  }
  const quarantined: Record<string, number> = {};
  for (const reason of quarantinedIds.values()) quarantined[reason] = (quarantined[reason] ?? 0) + 1;
  let toOnFailure = 0;
  const missing: string[] = [];
  for (const id of expected.keys()) {
    if (seen.has(id)) continue;
    if (inFailedBatch(id, onFailure)) toOnFailure++;
    else missing.push(id);
  }
  let duplicates = 0;
  for (const n of seen.values()) duplicates += n - 1;
  return {
    produced: expected.size,
    kinesisRecords: ledger.length,
    delivered: new Set(deliveredIds).size,
    quarantined,
    toOnFailure,
    duplicates,
    missing,
    unexpected,
    misrouted,
  };
}

function inFailedBatch(recordId: string, onFailure: readonly OnFailureRecord[]): boolean {
  const [shardId, sequence] = recordId.split(":");
  if (shardId === undefined || sequence === undefined) return false;
  const n = BigInt(sequence);
  return onFailure.some(
    ({ KinesisBatchInfo: b }) =>
      b.shardId === shardId && BigInt(b.startSequenceNumber) <= n && n <= BigInt(b.endSequenceNumber),
  );
}
