/**
 * Speed and cost, side by side in one process: the floor (base64 + JSON.parse + JSON.stringify), the
 * same-output floor (the least work that produces our lines), two Powertools peers, and ours (the
 * built bundle) under each DELIVERY_COMPRESSION measured, on a deterministic maximum-size Kinesis
 * event, with AWS answering in-process. Not a pass/fail test: it prints figures.
 *   npm run bench [-- --rounds 12 --json]
 * Needs the built bundle (scripts/bench.sh builds it first).
 */
import { spawnSync } from "node:child_process";
import { statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { KinesisStreamEvent } from "aws-lambda";
import {
  compressRecord,
  type DeliveryCompression,
  FIREHOSE_LIMITS,
  parseDeliveryCompression,
} from "../shared/firehose/index.ts";
import { bundleFunction, coldInitMs, median } from "../tools/bench/bundling.ts";
import { sameOutputFloor } from "../tools/bench/same-output-floor.ts";
import { installStubTransport } from "../tools/bench/stub-transport.ts";
import { type ArgsOf, command, flag, integer, runCommand } from "../tools/cli/options.ts";
import { maxSizeBatch, WORST_CASE_AGGREGATE_ENTRIES, worstCaseAggregatesBatch } from "../tools/fixtures/events.ts";
import { jsonBytes, kinesisEvent, kinesisRecord, seededRandom, telemetrySample } from "../tools/fixtures/fixtures.ts";
import { captureEmf } from "../tools/lambda/emf.ts";
import { BUILT_BUNDLE, type Handler, lambdaContext, loadHandler } from "../tools/lambda/invoke.ts";
import { bundleEnv } from "../tools/pipeline/emulator.ts";

const ROOT = join(import.meta.dirname, "..");
const OUT = join(ROOT, ".tmp", "bench");
const FIREHOSE_INCREMENT = 5 * 1024;

/** Prices (us-east-1, 2026): Lambda arm64 per GB-s and per request; Firehose Direct PUT per GB ingested (5 KB increments). */
const PRICE = { lambdaGbSecond: 0.0000133334, lambdaRequest: 0.2 / 1e6, firehoseGb: 0.029 } as const;
/** The memory the cost model assumes: 1,769 MB is one full vCPU, the speed measured here on one core. */
const MODEL_MEMORY_GB = 1769 / 1024;

type Contender = (event: KinesisStreamEvent) => Promise<unknown> | unknown;

/**
 * The DELIVERY_COMPRESSION settings measured: none (Firehose compresses after ingestion), and the
 * function compressing with gzip (level 1, the option's, and 6, zlib's default) and zstd (level 1,
 * the option's, and 3, zstd's default).
 */
const COMPRESSIONS = ["none", "gzip", "gzip-6", "zstd", "zstd-3"] as const;
type Compression = (typeof COMPRESSIONS)[number];
/** The template's default (DeliveryCompression), whose figures the targets are held to. */
const DEFAULT_COMPRESSION: Compression = "gzip";
const oursName = (c: Compression) => (c === "none" ? "ours" : `ours ${c}`);

function floor(event: KinesisStreamEvent): void {
  for (const record of event.Records) {
    try {
      JSON.stringify(JSON.parse(Buffer.from(record.kinesis.data, "base64").toString("utf8")));
    } catch {
      // Aggregates and poison records are not JSON; the floor skips them.
    }
  }
}

/** ~1-KB readings: the ~270-byte sample padded with a field the contract does not know. */
function oneKbEvent(count: number): KinesisStreamEvent {
  const random = seededRandom(11);
  return kinesisEvent(
    Array.from({ length: count }, (_, n) => {
      const reading = telemetrySample(random, n % 50, n);
      return kinesisRecord({
        n,
        partitionKey: String(reading.vehicleId),
        data: jsonBytes({ ...reading, diagnostics: "d".repeat(740) }),
      });
    }),
  );
}

async function timeRun(contender: Contender, eventText: string): Promise<number> {
  const event = JSON.parse(eventText) as KinesisStreamEvent;
  const started = performance.now();
  await contender(event);
  return performance.now() - started;
}

/** Alternating rounds after warm-up; returns each contender's median milliseconds per event. */
async function race(contenders: Record<string, Contender>, eventText: string, rounds: number, warmup: number) {
  const names = Object.keys(contenders);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < warmup + rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length] as string);
    for (const name of order) {
      const ms = await timeRun(contenders[name] as Contender, eventText);
      if (round >= warmup) times[name]?.push(ms);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(times[n] ?? [])]));
}

/** Lambda's Node.js bootstrap heap flags for a function of `memoryMb` (new space a tenth, semi-space half of that). */
function lambdaHeapFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}

/** What the memory child prints: RSS before and at peak, heap after, and the batch's accounting. */
interface MemoryRun {
  baselineRssMb: number;
  peakRssMb: number;
  heapMb: number;
  accounting: Accounting;
}

interface Accounting {
  received: number;
  userRecords: number;
  delivered: number;
  quarantined: Record<string, number>;
  failed: number;
  retryRecords: number;
}

/**
 * Peak memory of ours on the event: the median of `runs` fresh, lean processes with Lambda's heap
 * flags for `memoryMb`.
 */
async function measureMemory(eventText: string, memoryMb: number, name: string, runs = 5): Promise<MemoryRun> {
  const child = await bundleFunction(join(ROOT, "tools", "bench", "memory-child.ts"), join(OUT, "memory-child"), []);
  const eventFile = join(OUT, `${name}.json`);
  writeFileSync(eventFile, eventText);
  const results = Array.from({ length: runs }, () => {
    const run = spawnSync(process.execPath, [...lambdaHeapFlags(memoryMb), child, BUILT_BUNDLE, eventFile], {
      encoding: "utf8",
      env: { ...process.env, POWERTOOLS_METRICS_DISABLED: "true" },
    });
    if (run.status !== 0) throw new Error(`memory child failed: ${run.stderr.slice(-2_000)}`);
    return JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}") as MemoryRun;
  });
  // The median child by peak RSS.
  return results.sort((a, b) => a.peakRssMb - b.peakRssMb)[Math.floor(runs / 2)] as MemoryRun;
}

/** True when every user record of the batch is delivered, quarantined or failed (reported for retry), once. */
function accountedFor(a: Accounting): boolean {
  const quarantined = Object.values(a.quarantined ?? {}).reduce((sum, n) => sum + n, 0);
  return a.delivered + quarantined + a.failed === a.userRecords;
}

/**
 * One metered invocation: Firehose calls and billed bytes from what was sent; the payload (the
 * lines' bytes before any compression) from the function's own DeliveredBytes metric.
 */
async function meterRun(
  handler: Handler,
  eventText: string,
  meter: ReturnType<typeof installStubTransport>,
  emf: ReturnType<typeof captureEmf>,
) {
  meter.metering = true;
  meter.firehoseCalls = 0;
  meter.firehoseRecordBytes = [];
  const deliveredBefore = emf.totals.get("DeliveredBytes") ?? 0;
  await handler(JSON.parse(eventText), lambdaContext(60_000));
  meter.metering = false;
  const sent = meter.firehoseRecordBytes.reduce((a, b) => a + b, 0);
  // Peer A emits no such metric: its records are sent uncompressed, so what was sent is the payload.
  const payload = (emf.totals.get("DeliveredBytes") ?? 0) - deliveredBefore || sent;
  const billed = meter.firehoseRecordBytes.reduce(
    (a, b) => a + Math.ceil(b / FIREHOSE_INCREMENT) * FIREHOSE_INCREMENT,
    0,
  );
  return {
    calls: meter.firehoseCalls,
    payload,
    billed,
    ratio: billed / payload,
    records: meter.firehoseRecordBytes.length,
  };
}

function costPerMillion(msPerRecord: number, billedBytesPerRecord: number, recordsPerInvocation: number) {
  const lambda =
    (msPerRecord / 1000) * MODEL_MEMORY_GB * PRICE.lambdaGbSecond * 1e6 +
    (PRICE.lambdaRequest * 1e6) / recordsPerInvocation;
  const firehose = ((billedBytesPerRecord * 1e6) / 2 ** 30) * PRICE.firehoseGb;
  return { lambda, firehose, total: lambda + firehose };
}

const COMMAND = command({
  name: "bench",
  summary: "Speed and cost: the floor, two Powertools peers and ours on a maximum-size event (needs the built bundle).",
  options: {
    rounds: integer({ min: 1, default: 12, description: "measured alternating rounds" }),
    warmup: integer({ min: 0, default: 3, description: "warm-up rounds, not measured" }),
    json: flag({ description: "one JSON line instead of the table" }),
  },
});

async function main({ values }: ArgsOf<typeof COMMAND>): Promise<void> {
  Object.assign(process.env, bundleEnv(), { POWERTOOLS_LOG_LEVEL: "ERROR" });

  // Peer A's parser integration leaks a rejected promise for a record that is not valid base64
  // (the Zod transform throws); unhandled, it would end the process, as it would Lambda's runtime.
  let unhandledRejections = 0;
  process.on("unhandledRejection", () => {
    unhandledRejections++;
  });
  const { rounds, warmup } = values;
  const log = (text: string) => values.json || process.stderr.write(`${text}\n`);
  const meter = installStubTransport(createRequire(import.meta.url));
  const emf = captureEmf();
  const peerAFile = await bundleFunction(join(ROOT, "tools", "bench", "peers", "peer-a.ts"), join(OUT, "peer-a"), [
    "@aws-sdk/*",
  ]);
  const peerBFile = await bundleFunction(join(ROOT, "tools", "bench", "peers", "peer-b.ts"), join(OUT, "peer-b"), [
    "@aws-sdk/*",
  ]);
  // One instance of the bundle per setting: the function reads DELIVERY_COMPRESSION once, at load.
  const oursBy = {} as Record<Compression, Handler>;
  for (const compression of COMPRESSIONS) {
    process.env.DELIVERY_COMPRESSION = compression;
    oursBy[compression] = loadHandler(BUILT_BUNDLE, { fresh: true });
  }
  delete process.env.DELIVERY_COMPRESSION;
  const peerA = loadHandler(peerAFile);
  const peerB = loadHandler(peerBFile);
  const context = () => lambdaContext(60_000);

  const event = maxSizeBatch();
  const eventText = JSON.stringify(event);
  const records = event.Records.length;
  log(
    `event: ${records} Kinesis records, ${eventText.length.toLocaleString("en-US")} bytes; ${warmup} warm-up + ${rounds} alternating rounds`,
  );
  const floorOptions = { processedAt: new Date().toISOString(), speedLimitKmh: 130 };
  const oursContenders = Object.fromEntries(
    COMPRESSIONS.map((c) => [oursName(c), (e: KinesisStreamEvent) => oursBy[c](e, context())]),
  );
  const ms = await race(
    {
      floor,
      sameOutputFloor: (e) => sameOutputFloor(e, floorOptions),
      ...oursContenders,
      peerB: (e) => peerB(e, context()),
      peerA: (e) => peerA(e, context()),
    },
    eventText,
    rounds,
    warmup,
  );
  const rps = (name: string) => records / ((ms[name] ?? Number.NaN) / 1000);

  log("1-KB readings: ours and peer A");
  const kbEvent = oneKbEvent(Math.floor(records * 0.8));
  const kbText = JSON.stringify(kbEvent);
  const kbMs = await race(
    { ...oursContenders, peerA: (e) => peerA(e, context()) },
    kbText,
    Math.max(3, Math.floor(rounds / 2)),
    1,
  );

  const firehoseBy = {} as Record<Compression, Awaited<ReturnType<typeof meterRun>>>;
  const firehoseKbBy = {} as Record<Compression, Awaited<ReturnType<typeof meterRun>>>;
  for (const c of COMPRESSIONS) {
    firehoseBy[c] = await meterRun(oursBy[c], eventText, meter, emf);
    firehoseKbBy[c] = await meterRun(oursBy[c], kbText, meter, emf);
  }
  const oursFirehose = firehoseBy.none;
  // Compression alone, on the records ours sent uncompressed: the codec's share of the event's time,
  // steadier than the difference of two noisy whole-event medians.
  meter.keepData = true;
  meter.firehoseRecords = [];
  await meterRun(oursBy.none, eventText, meter, emf);
  meter.keepData = false;
  const uncompressed = meter.firehoseRecords;
  const codecMs = {} as Record<Compression, number>;
  for (const c of COMPRESSIONS) {
    const setting = parseDeliveryCompression(c) as DeliveryCompression;
    const times = Array.from({ length: 2 + rounds }, () => {
      const started = performance.now();
      for (const record of uncompressed) compressRecord(record, setting);
      return performance.now() - started;
    });
    codecMs[c] = Math.round(median(times.slice(2)) * 10) / 10;
  }
  const peerAFirehose = await meterRun(peerA, eventText, meter, emf);
  const peerAKb = await meterRun(peerA, kbText, meter, emf);
  emf.stop();

  log("memory and cold init");
  const { baselineRssMb, peakRssMb, heapMb } = await measureMemory(eventText, 128, "max-size");
  const worstEvent = worstCaseAggregatesBatch();
  const worstEntries = worstEvent.Records.length * WORST_CASE_AGGREGATE_ENTRIES;
  const worst = await measureMemory(JSON.stringify(worstEvent), 512, "worst-case-aggregates", 3);
  // The memory child inherits this environment: the default compression's peak, on the same event.
  process.env.DELIVERY_COMPRESSION = DEFAULT_COMPRESSION;
  const compressedPeak = await measureMemory(eventText, 128, "max-size", 3);
  delete process.env.DELIVERY_COMPRESSION;
  const init: Record<string, number[]> = { ours: [], peerA: [] };
  for (let i = 0; i < 21; i++) {
    init.ours?.push(coldInitMs(BUILT_BUNDLE));
    init.peerA?.push(coldInitMs(peerAFile));
  }

  const kbRecords = kbEvent.Records.length;
  const costs = {
    "270 B": {
      ...Object.fromEntries(
        COMPRESSIONS.map((c) => [
          oursName(c),
          costPerMillion((ms[oursName(c)] ?? 0) / records, firehoseBy[c].billed / records, records),
        ]),
      ),
      peerA: costPerMillion((ms.peerA ?? 0) / records, peerAFirehose.billed / records, records),
    },
    "1 KB": {
      ...Object.fromEntries(
        COMPRESSIONS.map((c) => [
          oursName(c),
          costPerMillion((kbMs[oursName(c)] ?? 0) / kbRecords, firehoseKbBy[c].billed / kbRecords, kbRecords),
        ]),
      ),
      peerA: costPerMillion(
        (kbMs.peerA ?? 0) / kbEvent.Records.length,
        peerAKb.billed / kbEvent.Records.length,
        kbEvent.Records.length,
      ),
    },
  };
  const result: BenchResult = {
    records,
    eventBytes: eventText.length,
    floorRps: Math.round(rps("floor")),
    sameOutputFloorRps: Math.round(rps("sameOutputFloor")),
    oursRps: Math.round(rps("ours")),
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
    defaultCompression: DEFAULT_COMPRESSION,
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
  if (values.json) {
    console.log(JSON.stringify(result));
    return;
  }
  printTable(result);
}

interface BenchResult {
  records: number;
  eventBytes: number;
  floorRps: number;
  sameOutputFloorRps: number;
  oursRps: number;
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

function accountingText(a: Accounting): string {
  const quarantined = Object.entries(a.quarantined ?? {})
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${count} ${reason}`)
    .join(", ");
  return `${a.received} Kinesis records, ${a.userRecords} user records: ${a.delivered} delivered, quarantined ${quarantined || "none"}, ${a.failed} failed, ${a.retryRecords} reported for retry`;
}

function printTable(r: BenchResult): void {
  const n = (x: number) => x.toLocaleString("en-US");
  const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const lines: [string, string, string][] = [
    ["records/s: floor (base64 + parse + stringify)", n(r.floorRps), ""],
    [
      "records/s: same-output floor (+ build our line, encode)",
      n(r.sameOutputFloorRps),
      "the least work that produces our lines",
    ],
    [
      "records/s: ours (built bundle)",
      n(r.oursRps),
      `${x(r.oursRps, r.sameOutputFloorRps)} same-output floor (target ≥ 0.6); ${x(r.oursRps, r.floorRps)} floor`,
    ],
    [
      "records/s: peer B (BatchProcessor, Zod in handler)",
      n(r.peerBRps),
      `ours ${x(r.oursRps, r.peerBRps)} (target ≥ 1.5)`,
    ],
    ["records/s: peer A (Powertools parser idiom)", n(r.peerARps), `ours ${x(r.oursRps, r.peerARps)} (target ≥ 50)`],
    [
      "peak RSS, ours on the 6 MB event (MB)",
      String(r.peakRssMb),
      `target ≤ 112 at Lambda's heap flags for 128 MB; before the event is read ${r.baselineRssMb}`,
    ],
    ["heap used after an invocation, at most (MB)", String(r.heapMb), "Lambda's heap flags for 128 MB"],
    [
      `peak RSS, ours ${r.defaultCompression} on the 6 MB event (MB)`,
      String(r.compressedPeakRssMb),
      "target ≤ 112 at Lambda's heap flags for 128 MB",
    ],
    [
      "peak RSS, ours on worst-case aggregates (MB)",
      String(r.worstCase.peakRssMb),
      `target ≤ 256 at Lambda's heap flags for 512 MB; ${r.worstCase.records} aggregates of ${n(r.worstCase.entries / r.worstCase.records)} one-byte rejects, ${n(r.worstCase.eventBytes)} bytes`,
    ],
    [
      "  accounting of the worst-case aggregates",
      r.worstCase.accountedFor ? "all" : "NOT ALL",
      accountingText(r.worstCase.accounting),
    ],
    ["Firehose billed / payload bytes: ours", String(r.billedBytesRatio), "target ≤ 1.02"],
    ["Firehose billed / payload bytes: peer A", String(r.peerABilledBytesRatio), ""],
    ["PutRecordBatch calls: ours (minimum)", `${r.firehoseCalls} (${r.firehoseCallsMin})`, "target ≤ minimum + 1"],
    ["Firehose calls: peer A", n(r.peerAFirehoseCalls), ""],
    [
      "unhandled promise rejections (peer A, invalid base64)",
      n(r.peerAUnhandledRejections),
      "each would end a Lambda process",
    ],
    ["bundle bytes: ours / peer A", `${n(r.bundleBytes)} / ${n(r.peerABundleBytes)}`, "target ≤ 400,000"],
    ["cold init ms: ours / peer A", `${r.initMs} / ${r.peerAInitMs}`, "target ours ≤ peer A"],
  ];
  for (const [c, v] of Object.entries(r.compression)) {
    const name = c === "none" ? "ours, none" : `ours, ${c}`;
    lines.push([
      `DELIVERY_COMPRESSION ${c}: records/s`,
      n(v.rps),
      `${name}: ${x(v.rps, r.peerBRps)} peer B (target ≥ 1.5); ${x(v.rps, r.sameOutputFloorRps)} same-output floor`,
    ]);
    lines.push([
      `DELIVERY_COMPRESSION ${c}: Lambda ms per 6 MB event`,
      v.msPerEvent.toFixed(1),
      `of which compressing, measured alone: ${v.codecMsPerEvent.toFixed(1)} ms`,
    ]);
    lines.push([
      `DELIVERY_COMPRESSION ${c}: Firehose billed / payload bytes`,
      String(v.billedPerPayload),
      `1-KB readings ${v.billedPerPayloadKb}; ${v.firehoseRecords} records in ${v.firehoseCalls} calls`,
    ]);
  }
  const none = r.costPerMillionRecords["270 B"]?.ours?.total ?? Number.NaN;
  for (const [size, c] of Object.entries(r.costPerMillionRecords)) {
    for (const [who, v] of Object.entries(c)) {
      lines.push([
        `$ per million ${size} records: ${who}`,
        `$${v.total.toFixed(4)}`,
        `Lambda $${v.lambda.toFixed(4)} + Firehose $${v.firehose.toFixed(4)}${size === "270 B" && who.startsWith("ours ") ? `; ${x(none, v.total)} cheaper than none (target ≥ 5)` : ""}`,
      ]);
    }
  }
  const w = Math.max(...lines.map(([a]) => a.length));
  const v = Math.max(...lines.map(([, b]) => b.length));
  console.log(
    `${r.records} Kinesis records, ${n(r.eventBytes)} bytes; Node ${r.node}; medians in ms per event: ${JSON.stringify(r.msPerEvent)}`,
  );
  for (const [a, b, c] of lines) console.log(`${a.padEnd(w)}  ${b.padStart(v)}  ${c}`);
}

await runCommand(COMMAND, main);
