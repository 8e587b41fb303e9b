/**
 * The producer side: puts fleet readings into a Kinesis stream with PutRecords (≤ 500 entries and
 * ≤ 5 MiB a call), optionally KPL-aggregated, resending exactly the entries that failed, and keeps
 * a ledger of every user record written (where it landed and what it is meant to become).
 */
import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { isServerError, isThrottlingError, isTransientError } from "@smithy/core/retry";
import { kplAggregate } from "../fixtures/fixtures.ts";
import type { Fleet, Intent, Reading } from "./fleet.ts";

/** One Kinesis record written: its place in the stream and the user records it carries. */
export interface LedgerEntry {
  readonly shardId: string;
  readonly sequenceNumber: string;
  /** True for a KPL aggregate: its user records are identified by sub-sequence number. */
  readonly aggregated: boolean;
  /** True for an aggregate damaged on purpose: the whole Kinesis record should be quarantined. */
  readonly corrupt: boolean;
  readonly readings: readonly {
    readonly vehicleId: string;
    readonly intent: Intent;
    /** The contract version it was written in (absent: 1). */
    readonly schemaVersion?: 1 | 2;
  }[];
}

/** The stream to write to: by name (the emulator) or by ARN (a real stream, possibly another account's). */
export type StreamTarget = { readonly streamName: string } | { readonly streamArn: string };

const MAX_ENTRIES = 500;
const MAX_CALL_BYTES = 5 * 1024 * 1024;
const MAX_ATTEMPTS = 10;

interface Entry {
  readonly partitionKey: string;
  readonly data: Buffer;
  readonly aggregated: boolean;
  readonly corrupt: boolean;
  readonly readings: readonly Reading[];
}

export interface ProducerStats {
  calls: number;
  retries: number;
  kinesisRecords: number;
  userRecords: number;
  bytes: number;
}

/**
 * Turns one tick's readings into entries: plain ones, and KPL aggregates of up to `kplSize` for KPL
 * vehicles. `damage` may return a corrupted copy of an aggregate (flipped or truncated past the magic).
 */
export function toEntries(
  readings: readonly Reading[],
  isKplVehicle: (vehicleId: string) => boolean,
  kplSize: number,
  damage: (aggregate: Buffer) => Buffer | undefined = () => undefined,
): Entry[] {
  const entries: Entry[] = [];
  let group: Reading[] = [];
  const flush = () => {
    const first = group[0];
    if (first) {
      const data = kplAggregate(group.map((r) => ({ partitionKey: r.vehicleId, data: r.data })));
      const damaged = damage(data);
      entries.push({
        partitionKey: first.vehicleId,
        data: damaged ?? data,
        aggregated: true,
        corrupt: damaged !== undefined,
        readings: group,
      });
    }
    group = [];
  };
  for (const reading of readings) {
    if (!isKplVehicle(reading.vehicleId)) {
      entries.push({
        partitionKey: reading.vehicleId,
        data: reading.data,
        aggregated: false,
        corrupt: false,
        readings: [reading],
      });
      continue;
    }
    group.push(reading);
    if (group.length === kplSize) flush();
  }
  flush();
  return entries;
}

/**
 * Writes entries in order, in calls of ≤ 500 entries and ≤ 5 MiB, resending failed entries with
 * full-jitter backoff (at most 10 calls per slice). Throws when an entry still fails, or on an error
 * that is not throttling, 5xx or network.
 */
export async function putEntries(
  kinesis: KinesisClient,
  target: StreamTarget,
  entries: readonly Entry[],
  ledger: LedgerEntry[],
  stats: ProducerStats,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  for (const slice of slices(entries)) {
    let pending = slice;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > MAX_ATTEMPTS)
        throw new Error(`PutRecords: ${pending.length} entries still failing after ${MAX_ATTEMPTS} calls`);
      if (attempt > 1) {
        stats.retries++;
        await sleep(Math.random() * Math.min(2_000, 50 * 2 ** attempt));
      }
      stats.calls++;
      let failed: Entry[] = [];
      try {
        const output = await kinesis.send(
          new PutRecordsCommand({
            ...("streamArn" in target ? { StreamARN: target.streamArn } : { StreamName: target.streamName }),
            Records: pending.map((e): PutRecordsRequestEntry => ({ PartitionKey: e.partitionKey, Data: e.data })),
          }),
        );
        const results = output.Records ?? [];
        if (results.length !== pending.length) throw new Error("PutRecords answered a different number of results");
        pending.forEach((entry, i) => {
          const result = results[i];
          if (!result?.SequenceNumber || !result.ShardId || result.ErrorCode) {
            failed.push(entry);
            return;
          }
          ledger.push({
            shardId: result.ShardId,
            sequenceNumber: result.SequenceNumber,
            aggregated: entry.aggregated,
            corrupt: entry.corrupt,
            readings: entry.readings.map((r) => ({
              vehicleId: r.vehicleId,
              intent: r.intent,
              ...(r.schemaVersion === undefined ? {} : { schemaVersion: r.schemaVersion }),
            })),
          });
          stats.kinesisRecords++;
          stats.userRecords += entry.readings.length;
          stats.bytes += entry.data.length;
        });
      } catch (err) {
        const sdkError = err as Parameters<typeof isTransientError>[0];
        if (!isThrottlingError(sdkError) && !isTransientError(sdkError) && !isServerError(sdkError)) throw err;
        failed = [...pending];
      }
      pending = failed;
    }
  }
}

function* slices(entries: readonly Entry[]): Generator<Entry[]> {
  let slice: Entry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entry.data.length + Buffer.byteLength(entry.partitionKey);
    if (slice.length === MAX_ENTRIES || (slice.length > 0 && bytes + size > MAX_CALL_BYTES)) {
      yield slice;
      slice = [];
      bytes = 0;
    }
    slice.push(entry);
    bytes += size;
  }
  if (slice.length > 0) yield slice;
}

export interface SimulationOptions {
  readonly fleet: Fleet;
  /** Simulated seconds to run. */
  readonly durationS: number;
  /** Readings per vehicle per simulated second. */
  readonly rate: number;
  /** Simulated seconds per wall-clock second; 0 runs as fast as the stream accepts. */
  readonly speedup: number;
  /** Share of vehicles whose readings go through a KPL aggregator, and its aggregate size. */
  readonly kplShare: number;
  readonly kplSize: number;
  /** Share of aggregates damaged on purpose (a flipped byte or a truncation after the magic number). */
  readonly corruptAggregateShare?: number;
  readonly random?: () => number;
  /** Epoch ms of the first reading. */
  readonly startMs: number;
  readonly onProgress?: (stats: ProducerStats) => void;
}

/** Runs the fleet for the simulated duration, writing each tick's readings; returns the ledger. */
export async function simulate(
  kinesis: KinesisClient,
  target: StreamTarget,
  options: SimulationOptions,
  stats: ProducerStats = { calls: 0, retries: 0, kinesisRecords: 0, userRecords: 0, bytes: 0 },
): Promise<LedgerEntry[]> {
  const ledger: LedgerEntry[] = [];
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  const kplVehicles = Math.round(options.fleet.size * options.kplShare);
  const isKpl = (vehicleId: string) => Number(vehicleId.slice(4)) <= kplVehicles;
  const dtS = 1 / options.rate;
  const random = options.random ?? Math.random;
  const damage = (aggregate: Buffer): Buffer | undefined => {
    if (random() >= (options.corruptAggregateShare ?? 0)) return undefined;
    const at = 4 + Math.floor(random() * (aggregate.length - 4));
    if (random() < 0.5) return aggregate.subarray(0, at);
    const copy = Buffer.from(aggregate);
    copy[at] = (copy[at] as number) ^ 0x5a;
    return copy;
  };
  const ticks = Math.round(options.durationS * options.rate);
  const wallStart = performance.now();
  let pending: Entry[] = [];
  for (let tick = 0; tick < ticks; tick++) {
    const atMs = options.startMs + tick * dtS * 1000;
    pending.push(...toEntries(options.fleet.tick(dtS, atMs), isKpl, options.kplSize, damage));
    const lastTick = tick === ticks - 1;
    if (pending.length >= MAX_ENTRIES || lastTick || options.speedup > 0) {
      await putEntries(kinesis, target, pending, ledger, stats, sleep);
      pending = [];
      options.onProgress?.(stats);
    }
    if (options.speedup > 0) {
      const dueMs = ((tick + 1) * dtS * 1000) / options.speedup;
      const aheadMs = dueMs - (performance.now() - wallStart);
      if (aheadMs > 0) await sleep(aheadMs);
    }
  }
  return ledger;
}
