/**
 * A local stand-in for Lambda's Kinesis event source mapping, against the emulator: per shard, in
 * order, it reads records, builds events of exactly Lambda's shape, invokes the function through
 * Lambda's Invoke API (the Lambda SDK client's InvokeCommand, against a local Lambda's front end:
 * tools/lambda/local-lambda.ts) and honours the answer the way Lambda does with
 * ReportBatchItemFailures: a reported `itemIdentifier` rewinds the batch to that record, a function
 * error (`FunctionError`: an error thrown, a crashed runtime, the runtime's timeout) retries the
 * batch, split in two first when bisect is on, and a batch that exhausts MaximumRetryAttempts goes to
 * the on-failure destination and is skipped.
 *
 * Differences from Lambda, kept on purpose to stay small:
 * - Shards are polled in one process, one invocation in flight per shard (ParallelizationFactor 1);
 *   the local Lambda gives each its own execution environment.
 * - No MaximumRecordAgeInSeconds, no tumbling windows, no resharding (parent/child shard order).
 * - Retries back off 100 ms · 2^n (capped at 2 s); Lambda's timing differs.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  type _Record as KinesisRecord,
  ListShardsCommand,
} from "@aws-sdk/client-kinesis";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import { shardIdOf } from "../../shared/enrich.ts";
import { type InvokeResult, invokeFunction, TIMED_OUT } from "../lambda/invoke-api.ts";

/** One synchronous invocation of the function with a batch's event, answered as Lambda's Invoke API answers. */
export type Invoke = (event: KinesisStreamEvent) => Promise<InvokeResult<KinesisStreamBatchResponse | null>>;

/** Invokes `functionName` through `client` (a Lambda client for the local Lambda's endpoint), as Lambda's mapping does. */
export function lambdaInvoke(client: LambdaClient, functionName: string): Invoke {
  return (event) => invokeFunction<KinesisStreamBatchResponse | null>(client, functionName, event);
}

export interface EventSourceMappingConfig {
  readonly streamArn: string;
  readonly region: string;
  readonly batchSize: number;
  readonly batchingWindowMs: number;
  readonly startingPosition: "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP";
  /** With AT_TIMESTAMP: each shard is read from its first record that arrived at or after this time. */
  readonly startingPositionTimestamp?: Date;
  /** -1 retries until the batch succeeds, as Lambda's default does. */
  readonly maximumRetryAttempts: number;
  readonly bisectBatchOnFunctionError: boolean;
  readonly invokeIdentityArn: string;
  /** Receives Lambda's on-failure record for a batch that ran out of retries. */
  readonly onFailure: (record: OnFailureRecord) => Promise<void>;
  /** True once nothing more will be written: a shard whose reads come back empty is then done. */
  readonly producerDone: () => boolean;
  /** Called before each invocation with its number (from 1): a hook for fault windows. */
  readonly beforeInvoke?: (invocation: number) => Promise<void>;
  readonly pollIntervalMs?: number;
}

/** The record Lambda sends to an on-failure destination for a Kinesis batch (metadata only, no data). */
export interface OnFailureRecord {
  readonly requestContext: { readonly condition: "RetryAttemptsExhausted"; readonly approximateInvokeCount: number };
  readonly responseContext: { readonly functionError?: string };
  readonly version: "1.0";
  readonly timestamp: string;
  readonly KinesisBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
}

export interface EventSourceMappingStats {
  invocations: number;
  recordsInvoked: number;
  partialFailures: number;
  functionErrors: number;
  bisections: number;
  batchesToOnFailure: number;
  recordsToOnFailure: number;
  /** Records handed over again after a rewind or an error. */
  recordsRetried: number;
  /** The longest invocation, in ms. */
  maxInvocationMs: number;
  /** Invocations the runtime ended at the function's timeout (Sandbox.Timedout). */
  timeouts: number;
  /** The first function errors' messages (at most `KEPT_ERROR_MESSAGES`), to say what failed. */
  errorMessages: string[];
}

const KEPT_ERROR_MESSAGES = 5;

/** Lambda's invoke payload limit: a batch stops growing before its event would pass it. */
const MAX_EVENT_BYTES = 6 * 1024 * 1024;
const GET_RECORDS_LIMIT = 10_000;

export function newEventSourceMappingStats(): EventSourceMappingStats {
  return {
    invocations: 0,
    recordsInvoked: 0,
    partialFailures: 0,
    functionErrors: 0,
    bisections: 0,
    batchesToOnFailure: 0,
    recordsToOnFailure: 0,
    recordsRetried: 0,
    maxInvocationMs: 0,
    timeouts: 0,
    errorMessages: [],
  };
}

/**
 * Polls every shard until the producer is done and the shard is drained, counting into `stats`
 * (which the caller may watch for progress); resolves with them.
 */
export async function runEventSourceMapping(
  kinesis: KinesisClient,
  invoke: Invoke,
  config: EventSourceMappingConfig,
  stats: EventSourceMappingStats = newEventSourceMappingStats(),
): Promise<EventSourceMappingStats> {
  const shards = await kinesis.send(new ListShardsCommand({ StreamARN: config.streamArn }));
  const ids = (shards.Shards ?? []).map((s) => s.ShardId).filter((id): id is string => id !== undefined);
  await Promise.all(ids.map((shardId) => pollShard(kinesis, invoke, config, shardId, stats)));
  return stats;
}

async function pollShard(
  kinesis: KinesisClient,
  invoke: Invoke,
  config: EventSourceMappingConfig,
  shardId: string,
  stats: EventSourceMappingStats,
): Promise<void> {
  const pollMs = config.pollIntervalMs ?? 200;
  const started = await kinesis.send(
    new GetShardIteratorCommand({
      StreamARN: config.streamArn,
      ShardId: shardId,
      ShardIteratorType: config.startingPosition,
      ...(config.startingPosition === "AT_TIMESTAMP" ? { Timestamp: startingTimestamp(config) } : {}),
    }),
  );
  let iterator = started.ShardIterator;
  let buffer: KinesisRecord[] = [];
  let windowStart = Date.now();
  while (iterator) {
    const doneBeforeRead = config.producerDone();
    const read = await kinesis.send(
      new GetRecordsCommand({ StreamARN: config.streamArn, ShardIterator: iterator, Limit: GET_RECORDS_LIMIT }),
    );
    iterator = read.NextShardIterator;
    buffer.push(...(read.Records ?? []));
    const caughtUp = (read.Records ?? []).length === 0;
    // Nothing more will come once the producer was done before an empty read.
    const finished = caughtUp && doneBeforeRead;
    if (buffer.length === 0) {
      if (finished) return;
      await sleep(pollMs);
      windowStart = Date.now();
      continue;
    }
    const windowElapsed = Date.now() - windowStart >= config.batchingWindowMs;
    while (buffer.length >= config.batchSize || (buffer.length > 0 && (windowElapsed || finished))) {
      const batch = takeBatch(buffer, config.batchSize, shardId, config);
      buffer = buffer.slice(batch.length);
      await deliverBatch(invoke, config, batch, stats);
    }
    if (buffer.length === 0) windowStart = Date.now();
    if (caughtUp) await sleep(pollMs);
  }
}

/** The AT_TIMESTAMP position; Lambda refuses a mapping that names AT_TIMESTAMP without one. */
function startingTimestamp(config: EventSourceMappingConfig): Date {
  if (config.startingPositionTimestamp === undefined) {
    throw new TypeError("startingPosition AT_TIMESTAMP needs a startingPositionTimestamp");
  }
  return config.startingPositionTimestamp;
}

/** The next batch: up to `batchSize` records whose event stays under Lambda's payload limit. */
function takeBatch(
  buffer: readonly KinesisRecord[],
  batchSize: number,
  shardId: string,
  config: EventSourceMappingConfig,
): KinesisStreamRecord[] {
  const batch: KinesisStreamRecord[] = [];
  let bytes = 20;
  for (const record of buffer) {
    if (batch.length === batchSize) break;
    const event = toEventRecord(record, shardId, config);
    const size = JSON.stringify(event).length + 1;
    if (batch.length > 0 && bytes + size > MAX_EVENT_BYTES) break;
    batch.push(event);
    bytes += size;
  }
  return batch;
}

/** One record in Lambda's Kinesis event shape. */
export function toEventRecord(
  record: KinesisRecord,
  shardId: string,
  config: EventSourceMappingConfig,
): KinesisStreamRecord {
  const sequenceNumber = record.SequenceNumber ?? "";
  return {
    kinesis: {
      kinesisSchemaVersion: "1.0",
      partitionKey: record.PartitionKey ?? "",
      sequenceNumber,
      data: Buffer.from(record.Data ?? new Uint8Array()).toString("base64"),
      approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
    },
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn: config.invokeIdentityArn,
    awsRegion: config.region,
    eventSourceARN: config.streamArn,
  };
}

type Outcome =
  | { kind: "ok" }
  | { kind: "partial"; from: number }
  /** `functionError`: Lambda's FunctionError ("Unhandled"), or the Invoke API's own error's name. */
  | { kind: "error"; functionError: string; message: string };

/** Invokes until the batch is done: rewinding on partial failure, bisecting on error, and giving up after the retries. */
async function deliverBatch(
  invoke: Invoke,
  config: EventSourceMappingConfig,
  batch: KinesisStreamRecord[],
  stats: EventSourceMappingStats,
): Promise<void> {
  const queue: KinesisStreamRecord[][] = [batch];
  while (queue.length > 0) {
    let current = queue.shift() as KinesisStreamRecord[];
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) {
        stats.recordsRetried += current.length;
        await sleep(Math.min(2_000, 100 * 2 ** (attempt - 1)));
      }
      const outcome = await invokeOnce(invoke, config, current, stats);
      if (outcome.kind === "ok") break;
      const exhausted = config.maximumRetryAttempts >= 0 && attempt >= config.maximumRetryAttempts;
      if (outcome.kind === "partial") {
        stats.partialFailures++;
        current = current.slice(outcome.from);
        if (exhausted) {
          await sendToOnFailure(config, current, stats, attempt + 1, undefined);
          break;
        }
        continue;
      }
      stats.functionErrors++;
      if (stats.errorMessages.length < KEPT_ERROR_MESSAGES) stats.errorMessages.push(outcome.message);
      if (config.bisectBatchOnFunctionError && current.length > 1) {
        // Splitting does not count against the retry attempts (as in Lambda), but both halves are
        // handed over again.
        stats.bisections++;
        stats.recordsRetried += current.length;
        const half = Math.ceil(current.length / 2);
        queue.unshift(current.slice(0, half), current.slice(half));
        break;
      }
      if (exhausted) {
        await sendToOnFailure(config, current, stats, attempt + 1, outcome.functionError);
        break;
      }
    }
  }
}

async function invokeOnce(
  invoke: Invoke,
  config: EventSourceMappingConfig,
  records: KinesisStreamRecord[],
  stats: EventSourceMappingStats,
): Promise<Outcome> {
  stats.invocations++;
  stats.recordsInvoked += records.length;
  await config.beforeInvoke?.(stats.invocations);
  const started = performance.now();
  try {
    const result = await invoke({ Records: records });
    if (!result.ok) {
      if (result.error.errorType === TIMED_OUT) stats.timeouts++;
      return {
        kind: "error",
        functionError: result.functionError,
        message: `${result.error.errorType}: ${result.error.errorMessage}`,
      };
    }
    const failures = result.payload?.batchItemFailures ?? [];
    if (failures.length === 0) return { kind: "ok" };
    const reported = new Set(failures.map((f) => f.itemIdentifier));
    const from = records.findIndex((r) => reported.has(r.kinesis.sequenceNumber));
    // An identifier that names no record of the batch fails the whole batch, as in Lambda.
    return { kind: "partial", from: from === -1 ? 0 : from };
  } catch (err) {
    // The Invoke API itself failed (the local Lambda could not run the function): retried like a function error.
    const name = err instanceof Error ? err.name : "Error";
    return {
      kind: "error",
      functionError: name,
      message: err instanceof Error ? `${name}: ${err.message}` : String(err),
    };
  } finally {
    stats.maxInvocationMs = Math.max(stats.maxInvocationMs, performance.now() - started);
  }
}

async function sendToOnFailure(
  config: EventSourceMappingConfig,
  records: KinesisStreamRecord[],
  stats: EventSourceMappingStats,
  invokeCount: number,
  functionError: string | undefined,
): Promise<void> {
  const first = records[0];
  const last = records[records.length - 1];
  if (!first || !last) return;
  stats.batchesToOnFailure++;
  stats.recordsToOnFailure += records.length;
  const arrival = (r: KinesisStreamRecord) => new Date(r.kinesis.approximateArrivalTimestamp * 1000).toISOString();
  await config.onFailure({
    requestContext: { condition: "RetryAttemptsExhausted", approximateInvokeCount: invokeCount },
    responseContext: functionError === undefined ? {} : { functionError },
    version: "1.0",
    timestamp: new Date().toISOString(),
    KinesisBatchInfo: {
      shardId: shardIdOf(first.eventID),
      startSequenceNumber: first.kinesis.sequenceNumber,
      endSequenceNumber: last.kinesis.sequenceNumber,
      approximateArrivalOfFirstRecord: arrival(first),
      approximateArrivalOfLastRecord: arrival(last),
      batchSize: records.length,
      streamArn: config.streamArn,
    },
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
