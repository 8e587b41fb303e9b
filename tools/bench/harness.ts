/**
 * The benchmark, side by side in one process: the floor, the same-output floor (lines only, and with
 * the PutRecordBatch requests any sender must make), two Powertools peers, and ours (the built
 * bundle) under each DELIVERY_COMPRESSION measured, on a deterministic maximum-size Kinesis event and
 * on ~1-KB readings, with AWS answering in-process; then Firehose billing, the codec alone, peak
 * memory, cold init and cost; and ours under Lambda's runtime interface (a local Lambda), whose own
 * REPORT line gives its duration. Returns figures, never a verdict.
 */
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { FirehoseClient } from "@aws-sdk/client-firehose";
import type { KinesisStreamEvent } from "aws-lambda";
import { FIREHOSE_LIMITS } from "../../shared/firehose/index.ts";
import {
  maxSizeBatch,
  oneKbReadingsBatch,
  WORST_CASE_AGGREGATE_ENTRIES,
  worstCaseAggregatesBatch,
} from "../fixtures/events.ts";
import { captureEmf } from "../lambda/emf.ts";
import { BUILT_BUNDLE, lambdaContext } from "../lambda/invoke.ts";
import type { Report } from "../lambda/local-lambda.ts";
import { startConsumer } from "../pipeline/consumer.ts";
import { bundleEnv, DELIVERY_STREAM, REGION } from "../pipeline/emulator.ts";
import { coldInitMs, median } from "./bundling.ts";
import {
  COMPRESSIONS,
  type Compression,
  defaultCompression as defaultCompressionOf,
  floor,
  loadHandlers,
  oursName,
} from "./contenders.ts";
import { costPerMillion } from "./cost.ts";
import { accountedFor, type MemoryRun, measureMemory } from "./memory.ts";
import { codecMsPerEvent, type Metered, meterRun } from "./metering.ts";
import { race } from "./race.ts";
import { sameOutputFloor, sameOutputSendFloor } from "./same-output-floor.ts";
import { startStubAws } from "./stub-aws-server.ts";
import { installStubTransport } from "./stub-transport.ts";

export interface BenchOptions {
  /** Measured alternating rounds. */
  readonly rounds: number;
  /** Warm-up rounds, not measured. */
  readonly warmup: number;
  /** Where progress goes. */
  readonly log: (text: string) => void;
}

export interface BenchResult {
  records: number;
  eventBytes: number;
  floorRps: number;
  /** The same-output floor's lines alone (the old floor). */
  sameOutputFloorRps: number;
  /** The same-output floor with the PutRecordBatch requests built, serialised and signed (the fair floor). */
  sendFloorRps: number;
  /** PutRecordBatch calls the fair floor makes for the event. */
  sendFloorCalls: number;
  oursRps: number;
  /** Ours under Lambda's runtime interface: the runtime's own REPORT durations for the event. */
  runtime: RuntimeFigures;
  /** Ours under each DELIVERY_COMPRESSION: speed, Lambda ms per event, Firehose billed bytes per payload byte. */
  compression: Record<
    Compression,
    {
      rps: number;
      msPerEvent: number;
      /** Compressing the event's records alone (none: 0). */
      codecMsPerEvent: number;
      billedPerPayload: number;
      billedPerPayloadKb: number;
      firehoseCalls: number;
      firehoseRecords: number;
    }
  >;
  defaultCompression: Compression;
  compressedPeakRssMb: number;
  peerARps: number;
  peerBRps: number;
  msPerEvent: Record<string, number>;
  baselineRssMb: number;
  peakRssMb: number;
  heapMb: number;
  worstCase: MemoryRun & { records: number; entries: number; eventBytes: number; accountedFor: boolean };
  billedBytesRatio: number;
  peerABilledBytesRatio: number;
  firehoseCalls: number;
  firehoseCallsMin: number;
  peerAFirehoseCalls: number;
  peerAUnhandledRejections: number;
  bundleBytes: number;
  peerABundleBytes: number;
  initMs: number;
  peerAInitMs: number;
  costPerMillionRecords: Record<string, Record<string, { lambda: number; firehose: number; total: number }>>;
  node: string;
}

/**
 * Runs the whole benchmark in this process (its environment is the emulator's, and each fresh
 * load of the bundle reads it). Needs the built bundle; throws when a memory child fails.
 */
export async function runBench({ rounds, warmup, log }: BenchOptions): Promise<BenchResult> {
  const defaultCompression = defaultCompressionOf();
  Object.assign(process.env, bundleEnv(), { POWERTOOLS_LOG_LEVEL: "ERROR" });

  // Peer A's parser integration leaks a rejected promise for a record that is not valid base64
  // (the Zod transform throws); unhandled, it would end the process, as it would Lambda's runtime.
  let unhandledRejections = 0;
  process.on("unhandledRejection", () => {
    unhandledRejections++;
  });
  const event = maxSizeBatch();
  const eventText = JSON.stringify(event);
  const meter = installStubTransport(createRequire(import.meta.url));
  const emf = captureEmf();
  const { ours, peerA, peerB, peerAFile } = await loadHandlers();
  const context = () => lambdaContext(60_000);

  const records = event.Records.length;
  log(
    `event: ${records} Kinesis records, ${eventText.length.toLocaleString("en-US")} bytes; ${warmup} warm-up + ${rounds} alternating rounds`,
  );
  const floorOptions = { processedAt: new Date().toISOString(), speedLimitKmh: 130 };
  const floorFirehose = new FirehoseClient({
    region: REGION,
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
    maxAttempts: 1,
  });
  const oursContenders = Object.fromEntries(
    COMPRESSIONS.map((c) => [oursName(c), (e: KinesisStreamEvent) => ours[c](e, context())]),
  );
  // Started last, after the bundling that can fail, so that the finally below always stops it.
  const underRuntime = await startOursUnderRuntime();
  let ms: Record<string, number>;
  try {
    ms = await race(
      {
        floor,
        sameOutputFloor: (e) => sameOutputFloor(e, floorOptions),
        sendFloor: (e) => sameOutputSendFloor(e, floorOptions, floorFirehose, DELIVERY_STREAM),
        ...oursContenders,
        // Its figure is the runtime's own REPORT Duration of each invocation, not this round trip.
        oursUnderRuntime: underRuntime.invoke,
        peerB: (e) => peerB(e, context()),
        peerA: (e) => peerA(e, context()),
      },
      eventText,
      rounds,
      warmup,
    );
  } finally {
    await underRuntime.stop();
  }
  const runtime = underRuntime.figures(warmup);
  const rps = (name: string) => records / ((ms[name] ?? Number.NaN) / 1000);

  log("1-KB readings: ours and peer A");
  const kbEvent = oneKbReadingsBatch(Math.floor(records * 0.8));
  const kbText = JSON.stringify(kbEvent);
  const kbMs = await race(
    { ...oursContenders, peerA: (e) => peerA(e, context()) },
    kbText,
    Math.max(3, Math.floor(rounds / 2)),
    1,
  );

  const firehoseBy = {} as Record<Compression, Metered>;
  const firehoseKbBy = {} as Record<Compression, Metered>;
  for (const c of COMPRESSIONS) {
    firehoseBy[c] = await meterRun(ours[c], eventText, meter, emf);
    firehoseKbBy[c] = await meterRun(ours[c], kbText, meter, emf);
  }
  const oursFirehose = firehoseBy.none;
  const codecMs = await codecMsPerEvent(ours.none, eventText, meter, emf, rounds);
  const peerAFirehose = await meterRun(peerA, eventText, meter, emf);
  const peerAKb = await meterRun(peerA, kbText, meter, emf);
  emf.stop();

  log("memory and cold init");
  const { baselineRssMb, peakRssMb, heapMb } = await measureMemory(eventText, 128, "max-size");
  const worstEvent = worstCaseAggregatesBatch();
  const worstEntries = worstEvent.Records.length * WORST_CASE_AGGREGATE_ENTRIES;
  const worst = await measureMemory(JSON.stringify(worstEvent), 512, "worst-case-aggregates", 3);
  // The memory child inherits this environment: the default compression's peak, on the same event.
  process.env.DELIVERY_COMPRESSION = defaultCompression;
  const compressedPeak = await measureMemory(eventText, 128, "max-size", 3);
  delete process.env.DELIVERY_COMPRESSION;
  const init: Record<string, number[]> = { ours: [], peerA: [] };
  for (let i = 0; i < 21; i++) {
    init.ours?.push(coldInitMs(BUILT_BUNDLE));
    init.peerA?.push(coldInitMs(peerAFile));
  }

  const sendFloorCalls = await sameOutputSendFloor(JSON.parse(eventText), floorOptions, floorFirehose, DELIVERY_STREAM);

  const costs = {
    "270 B": costsPerMillion(ms, firehoseBy, peerAFirehose, records),
    "1 KB": costsPerMillion(kbMs, firehoseKbBy, peerAKb, kbEvent.Records.length),
  };
  return {
    records,
    eventBytes: eventText.length,
    floorRps: Math.round(rps("floor")),
    sameOutputFloorRps: Math.round(rps("sameOutputFloor")),
    sendFloorRps: Math.round(rps("sendFloor")),
    sendFloorCalls,
    oursRps: Math.round(rps("ours")),
    runtime,
    compression: Object.fromEntries(
      COMPRESSIONS.map((c) => [
        c,
        {
          rps: Math.round(rps(oursName(c))),
          msPerEvent: Math.round((ms[oursName(c)] ?? 0) * 10) / 10,
          codecMsPerEvent: codecMs[c],
          billedPerPayload: Math.round((firehoseBy[c].billed / firehoseBy[c].payload) * 10_000) / 10_000,
          billedPerPayloadKb: Math.round((firehoseKbBy[c].billed / firehoseKbBy[c].payload) * 10_000) / 10_000,
          firehoseCalls: firehoseBy[c].calls,
          firehoseRecords: firehoseBy[c].records,
        },
      ]),
    ) as BenchResult["compression"],
    defaultCompression,
    compressedPeakRssMb: compressedPeak.peakRssMb,
    peerARps: Math.round(rps("peerA")),
    peerBRps: Math.round(rps("peerB")),
    msPerEvent: ms,
    baselineRssMb,
    peakRssMb,
    heapMb,
    worstCase: {
      records: worstEvent.Records.length,
      entries: worstEntries,
      eventBytes: JSON.stringify(worstEvent).length,
      ...worst,
      accountedFor: accountedFor(worst.accounting),
    },
    billedBytesRatio: Math.round(oursFirehose.ratio * 10_000) / 10_000,
    peerABilledBytesRatio: Math.round(peerAFirehose.ratio * 100) / 100,
    firehoseCalls: oursFirehose.calls,
    firehoseCallsMin: Math.ceil(oursFirehose.payload / FIREHOSE_LIMITS.batchBytes),
    peerAFirehoseCalls: peerAFirehose.calls,
    bundleBytes: statSync(BUILT_BUNDLE).size,
    peerABundleBytes: statSync(peerAFile).size,
    initMs: Math.round(median(init.ours ?? []) * 10) / 10,
    peerAInitMs: Math.round(median(init.peerA ?? []) * 10) / 10,
    costPerMillionRecords: costs,
    peerAUnhandledRejections: unhandledRejections,
    node: process.version,
  };
}

/** Dollars per million records of one event size: ours under each setting, and peer A. */
function costsPerMillion(
  ms: Readonly<Record<string, number>>,
  ours: Readonly<Record<Compression, Metered>>,
  peerA: Metered,
  records: number,
) {
  return {
    ...Object.fromEntries(
      COMPRESSIONS.map((c) => [
        oursName(c),
        costPerMillion((ms[oursName(c)] ?? 0) / records, ours[c].billed / records, records),
      ]),
    ),
    peerA: costPerMillion((ms.peerA ?? 0) / records, peerA.billed / records, records),
  };
}

/** Ours under Lambda's runtime interface, on the same event, AWS answering over HTTP on this machine. */
export interface RuntimeFigures {
  /** The REPORT Duration of the execution environment's first invocation (its init included). */
  readonly firstMs: number;
  /** The median REPORT Duration of the measured rounds' invocations, in the same environment. */
  readonly medianMs: number;
  /** Invocations measured (the rounds). */
  readonly invocations: number;
  /** The REPORT's Memory Size (its Max Memory Used only repeats it). */
  readonly memorySizeMb: number;
}

/**
 * The built function under the local Lambda with the template's configuration (DELIVERY_COMPRESSION
 * none, as ours in the table), AWS answering success over HTTP (stub-aws-server.ts), raced among the
 * in-process contenders so every figure meets the same machine: each invocation is timed by the
 * runtime's own REPORT line. `figures(warmup)` leaves out the warm-up rounds' invocations.
 */
async function startOursUnderRuntime() {
  const aws = await startStubAws();
  const reports: Report[] = [];
  const consumer = await startConsumer(aws.endpoint, {
    onInvocation: (invocation) => {
      if (invocation.report) reports.push(invocation.report);
    },
  }).catch(async (err: unknown) => {
    await aws.stop();
    throw err;
  });
  return {
    async invoke(event: KinesisStreamEvent): Promise<void> {
      const answer = await consumer.invoke(event);
      if (!answer.ok)
        throw new Error(`ours failed under the runtime: ${answer.error.errorType}: ${answer.error.errorMessage}`);
    },
    async stop(): Promise<void> {
      await consumer.lambda.stop();
      await aws.stop();
    },
    figures(warmup: number): RuntimeFigures {
      const [first] = reports;
      const measured = reports.slice(warmup);
      if (first === undefined || measured.length === 0) throw new Error("the runtime printed no REPORT line");
      return {
        firstMs: first.durationMs,
        medianMs: Math.round(median(measured.map((r) => r.durationMs)) * 10) / 10,
        invocations: measured.length,
        memorySizeMb: first.memorySizeMb,
      };
    },
  };
}
