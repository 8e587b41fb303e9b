/**
 * One run of the whole local pipeline: producer → Kinesis → trigger → function → Firehose → S3, with
 * the built artifact that `sam deploy` ships run under Lambda's runtime interface (a local Lambda:
 * tools/lambda/local-lambda.ts), against a moto server (started here unless given). A simulated
 * fleet writes to a Kinesis stream while a local event source mapping invokes the function through
 * Lambda's Invoke API; then both buckets are read back and reconciled with what was produced, record
 * by record.
 */
import { DescribeStreamSummaryCommand } from "@aws-sdk/client-kinesis";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import type { EnrichedTelemetry } from "../../shared/contract.ts";
import { type FaultRule, startFaultProxy } from "../faults/fault-proxy.ts";
import { seededRandom } from "../fixtures/fixtures.ts";
import { emfTotals } from "../lambda/emf.ts";
import { type Consumer, startConsumer } from "./consumer.ts";
import { saveDelivered } from "./delivered.ts";
import {
  bucketObjects,
  createDeliveryStream,
  DATA_BUCKET,
  deleteDeliveryStream,
  FAILURE_BUCKET,
  freshPipeline,
  linesOf,
  quarantinedLines,
  REGION,
  STREAM,
  s3Client,
} from "./emulator.ts";
import {
  type EventSourceMappingStats,
  newEventSourceMappingStats,
  type OnFailureRecord,
  runEventSourceMapping,
} from "./event-source-mapping.ts";
import { Fleet } from "./fleet.ts";
import { kinesisClient } from "./kinesis-client.ts";
import { startMoto } from "./moto.ts";
import { type LedgerEntry, type ProducerStats, simulate } from "./producer.ts";
import { heldBackOf, type Reconciliation, reconcile } from "./reconcile.ts";

export interface PipelineOptions {
  readonly vehicles: number;
  readonly durationS: number;
  readonly rate: number;
  readonly speedup: number;
  readonly badFraction: number;
  readonly kplShare: number;
  readonly kplSize: number;
  /** Share of the fleet sending telemetry v2 (electric vehicles); 0 unless given. */
  readonly v2Share?: number;
  /** The function's ACCEPTED_SCHEMA_VERSIONS ("1" holds v2 back); every version unless given. */
  readonly acceptedSchemaVersions?: string;
  readonly seed: number;
  readonly shards: number;
  readonly batchSize: number;
  readonly batchingWindowMs: number;
  readonly maximumRetryAttempts: number;
  readonly bisect: boolean;
  /** The function's timeout in milliseconds, a whole number of seconds as in Lambda, instead of the template's. */
  readonly functionTimeoutMs?: number;
  /** Delete the delivery stream before invocation `from` and recreate it `invocations` later. */
  readonly firehoseOutage?: { readonly from: number; readonly invocations: number };
  /** Share of KPL aggregates the producer damages on purpose (they must be quarantined whole). */
  readonly corruptAggregateShare?: number;
  /** Faults between the function and AWS (a proxy in front of the emulator), and a crash. */
  readonly faults?: {
    /** The proxy's rule, built from a generator seeded with the run's seed. */
    readonly rule?: (random: () => number) => FaultRule;
    /** Kill the function's runtime process (SIGKILL) once, right after Firehose accepted its Nth PutRecordBatch. */
    readonly crashAfterAcceptedPuts?: number;
    /** Variables the template does not declare, for the function (FIREHOSE_ATTEMPT_TIMEOUT_MS, say). */
    readonly functionEnv?: Readonly<Record<string, string>>;
  };
  /** The function's DELIVERY_COMPRESSION (none, gzip, zstd, with an optional level); unset: none. */
  readonly deliveryCompression?: string;
  /** Use this emulator instead of starting one. */
  readonly endpoint?: string;
  /** Download the delivered objects here, in Firehose's layout, before the emulator stops (for local queries). */
  readonly deliveredDir?: string;
  readonly onProgress?: (progress: Progress) => void;
}

export interface Progress {
  readonly producer: ProducerStats;
  readonly consumer: EventSourceMappingStats;
}

export interface PipelineReport {
  readonly reconciliation: Reconciliation;
  readonly producer: ProducerStats;
  readonly consumer: EventSourceMappingStats;
  /** The function's timeout the runtime enforced. */
  readonly functionTimeoutMs: number;
  readonly firehoseCalls: number;
  readonly billedBytesRatio: number;
  readonly wallSeconds: number;
  readonly userRecordsPerSecond: number;
  readonly lagMs: { readonly p50: number; readonly p95: number; readonly max: number };
  readonly samples: readonly EnrichedTelemetry[];
  /** What the fault proxy did, by action, when there was one. */
  readonly faultCounts: Readonly<Record<string, number>>;
  /** What was produced and what went to the on-failure destination: to reconcile again after a redrive. */
  readonly ledger: readonly LedgerEntry[];
  readonly onFailure: readonly OnFailureRecord[];
  /** The versions the function held back, for the same. */
  readonly heldBackVersions: ReadonlySet<number>;
}

export const DEFAULTS: PipelineOptions = {
  vehicles: 40,
  durationS: 600,
  rate: 1,
  speedup: 0,
  badFraction: 0.02,
  kplShare: 0.25,
  kplSize: 10,
  seed: 42,
  shards: 2,
  batchSize: 500,
  batchingWindowMs: 0,
  maximumRetryAttempts: 10,
  bisect: true,
};

/** Runs the whole pipeline once and reconciles it. Throws if moto, the local Lambda or the artifact cannot start. */
export async function runPipeline(options: PipelineOptions): Promise<PipelineReport> {
  const moto = options.endpoint ? undefined : await startMoto();
  const endpoint = options.endpoint ?? (moto?.endpoint as string);
  const faultProxy = options.faults ? await startFaultProxy(endpoint) : undefined;
  const emf = emfTotals();
  const crashAfter = options.faults?.crashAfterAcceptedPuts;
  let consumerFunction: Consumer | undefined;
  try {
    consumerFunction = await startConsumer(faultProxy?.endpoint ?? endpoint, {
      envVars: {
        POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "ERROR",
        DELIVERY_COMPRESSION: options.deliveryCompression ?? "none",
        ...(options.acceptedSchemaVersions ? { ACCEPTED_SCHEMA_VERSIONS: options.acceptedSchemaVersions } : {}),
      },
      ...(options.functionTimeoutMs === undefined ? {} : { timeoutS: options.functionTimeoutMs / 1000 }),
      // AWS_SDK_UA_APP_ID: the SDK adds `app/<id>` to the User-Agent of every request it sends, so the
      // proxy knows which execution environment made a call.
      extraEnv: (instance) => ({
        ...options.faults?.functionEnv,
        ...(crashAfter ? { AWS_SDK_UA_APP_ID: instance } : {}),
      }),
      onLine: (line) => emf.add(line),
    });
    const running = consumerFunction.lambda;
    await freshPipeline(endpoint, { streamShards: options.shards });
    const rule = options.faults?.rule;
    if (faultProxy && rule) faultProxy.setRule(rule(seededRandom(options.seed + 1)));
    let accepted = 0;
    // The runtime that made the accepted call is killed (not whichever shard's is in flight); if none
    // can be found the response goes through and the scenario's "killed" count says so.
    faultProxy?.onFirehoseAccepted((request) => {
      if (++accepted !== crashAfter) return false;
      // Powertools appends its own mark to the app id (`app/instance-3-PT-…`).
      const instance = / app\/(instance-\d+)(?!\d)/.exec(String(request.headers["user-agent"] ?? ""))?.[1];
      return instance !== undefined && running.killRuntime(instance);
    });
    const kinesis = kinesisClient({ endpoint, region: REGION });
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: STREAM }));
    const streamArn = summary.StreamDescriptionSummary?.StreamARN ?? "";
    const producer: ProducerStats = { calls: 0, retries: 0, kinesisRecords: 0, userRecords: 0, bytes: 0 };
    const onFailure: OnFailureRecord[] = [];
    let producerDone = false;
    const consumerStats = newEventSourceMappingStats();
    const started = performance.now();
    const report = setInterval(() => options.onProgress?.({ producer, consumer: consumerStats }), 1_000);
    const outage = options.firehoseOutage;
    const consuming = runEventSourceMapping(
      kinesis,
      consumerFunction.mapping,
      {
        streamArn,
        region: REGION,
        batchSize: options.batchSize,
        batchingWindowMs: options.batchingWindowMs,
        startingPosition: "TRIM_HORIZON",
        maximumRetryAttempts: options.maximumRetryAttempts,
        bisectBatchOnFunctionError: options.bisect,
        invokeIdentityArn: "arn:aws:iam::444455556666:role/telemetry-consumer-role",
        producerDone: () => producerDone,
        onFailure: async (record) => {
          onFailure.push(record);
          const key = `kinesis/${record.KinesisBatchInfo.shardId}/${record.KinesisBatchInfo.startSequenceNumber}.json`;
          await s3Client(endpoint).send(
            new PutObjectCommand({ Bucket: FAILURE_BUCKET, Key: key, Body: JSON.stringify(record) }),
          );
        },
        beforeInvoke: async (n) => {
          if (outage && n === outage.from) await deleteDeliveryStream(endpoint);
          if (outage && n === outage.from + outage.invocations) await createDeliveryStream(endpoint);
        },
      },
      consumerStats,
    );
    const producing = simulate(
      kinesis,
      { streamName: STREAM },
      {
        fleet: new Fleet({
          vehicles: options.vehicles,
          random: seededRandom(options.seed),
          badFraction: options.badFraction,
          v2Share: options.v2Share ?? 0,
        }),
        durationS: options.durationS,
        rate: options.rate,
        speedup: options.speedup,
        kplShare: options.kplShare,
        kplSize: options.kplSize,
        corruptAggregateShare: options.corruptAggregateShare ?? 0,
        random: seededRandom(options.seed + 2),
        // The simulated period ends about now: replayed at once (speedup 0) or played at `speedup`.
        startMs:
          Date.now() - options.durationS * 1000 * (options.speedup > 0 ? Math.max(0, 1 - 1 / options.speedup) : 1),
      },
      producer,
    ).finally(() => {
      producerDone = true;
    });
    // Both settle before anything is rethrown, so the emulator is never stopped under a running side.
    const [produced, consumed] = await Promise.allSettled([producing, consuming]);
    clearInterval(report);
    if (produced.status === "rejected") throw produced.reason;
    if (consumed.status === "rejected") throw consumed.reason;
    const ledger = produced.value;
    const consumer = consumed.value;
    const wallSeconds = (performance.now() - started) / 1000;

    // The data bucket read once: for the lines, and for the copy on disk.
    const dataObjects = await bucketObjects(endpoint, DATA_BUCKET);
    const delivered = linesOf<EnrichedTelemetry>(dataObjects);
    const quarantined = await quarantinedLines(endpoint);
    if (options.deliveredDir) saveDelivered(options.deliveredDir, dataObjects);
    const heldBackVersions = heldBackOf(options.acceptedSchemaVersions);
    const reconciliation = reconcile(
      ledger,
      delivered.map((l) => l.ingest.recordId),
      quarantined,
      onFailure,
      { heldBackVersions },
    );
    const lags = delivered
      .map((l) => Date.parse(l.ingest.processedAt) - Date.parse(l.ingest.arrivalTime))
      .sort((a, b) => a - b);
    const pick = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] ?? 0;
    const billed = emf.totals.get("FirehoseBilledBytes") ?? 0;
    const payload = emf.totals.get("DeliveredBytes") ?? 0;
    return {
      reconciliation,
      producer,
      consumer,
      functionTimeoutMs: Number(running.environment.AWS_LAMBDA_FUNCTION_TIMEOUT) * 1000,
      firehoseCalls: emf.totals.get("FirehoseCalls") ?? 0,
      billedBytesRatio: payload === 0 ? 0 : billed / payload,
      wallSeconds,
      userRecordsPerSecond: reconciliation.produced / wallSeconds,
      lagMs: { p50: pick(0.5), p95: pick(0.95), max: lags.at(-1) ?? 0 },
      samples: delivered.slice(0, 2),
      faultCounts: { ...faultProxy?.counts },
      ledger,
      onFailure,
      heldBackVersions,
    };
  } finally {
    await consumerFunction?.lambda.stop();
    await faultProxy?.stop();
    await moto?.stop();
  }
}

/** True when every produced record was delivered, quarantined (as intended) or sent to the on-failure destination. */
export function accountedFor(r: Reconciliation): boolean {
  return r.missing.length === 0 && r.unexpected.length === 0 && r.misrouted.length === 0;
}
