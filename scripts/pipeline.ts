/**
 * The main job, on this machine: the whole local pipeline once (tools/pipeline/run.ts), its
 * reconciliation printed.
 *   node scripts/pipeline.ts [--vehicles 40] [--duration 600] [--rate 1] [--speedup 0]
 *     [--bad-fraction 0.02] [--kpl-share 0.25] [--seed 42] [--batch-size 500] [--firehose-outage 5:3]
 * Exits 1 if any produced record is unaccounted for.
 */
import { parseArgs } from "node:util";
import {
  accountedFor,
  DEFAULTS,
  type PipelineOptions,
  type PipelineReport,
  type Progress,
  runPipeline,
} from "../tools/pipeline/run.ts";
import { LOCAL_DELIVERED_DIR, printFleetQueries } from "../tools/query/report.ts";

const USAGE = `node scripts/pipeline.ts [options]   (bash scripts/demo.sh [options] builds first)
  --vehicles N          simulated vehicles (40)
  --duration S          simulated seconds (600)
  --rate R              readings per vehicle per simulated second (1)
  --speedup X           simulated seconds per real second; 0 = as fast as possible (0)
  --bad-fraction F      share of bad readings: invalid JSON, contract violations, oversized (0.02)
  --kpl-share F         share of vehicles writing through a KPL aggregator, 10 records an aggregate (0.25)
  --seed N              the fleet's random seed (42)
  --shards N            Kinesis shards (2)
  --batch-size N        the trigger's BatchSize (500)
  --firehose-outage A:B delete the delivery stream before invocation A, recreate it B invocations later`;

function printReport(report: PipelineReport): void {
  const r = report.reconciliation;
  const n = (x: number) => x.toLocaleString("en-US");
  const rows: [string, string][] = [
    ["Kinesis records produced", n(r.kinesisRecords)],
    ["user records produced (aggregates expanded)", n(r.produced)],
    ["delivered (distinct)", n(r.delivered)],
    ...Object.entries(r.quarantined)
      .sort()
      .map(([reason, count]): [string, string] => [`quarantined ${reason}`, n(count)]),
    ["sent to the on-failure destination", n(r.toOnFailure)],
    ["records reported for retry (handed over again)", n(report.consumer.recordsRetried)],
    ["duplicates (same recordId, re-delivered)", n(r.duplicates)],
    ["unaccounted for", n(r.missing.length + r.unexpected.length + r.misrouted.length)],
    ["function invocations", n(report.consumer.invocations)],
    [
      "partial failures / function errors",
      `${n(report.consumer.partialFailures)} / ${n(report.consumer.functionErrors)}`,
    ],
    ["Firehose PutRecordBatch calls", n(report.firehoseCalls)],
    ["Firehose billed bytes / payload bytes", report.billedBytesRatio.toFixed(4)],
    ["throughput (user records/s, end to end)", n(Math.round(report.userRecordsPerSecond))],
    [
      "arrival → processed lag p50 / p95 / max (ms)",
      `${n(report.lagMs.p50)} / ${n(report.lagMs.p95)} / ${n(report.lagMs.max)}`,
    ],
    ["wall time (s)", report.wallSeconds.toFixed(1)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log("");
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v.padStart(12)}`);
  console.log("\nEnriched sample lines:");
  for (const line of report.samples) console.log(JSON.stringify(line));
  if (!accountedFor(r)) {
    console.log(
      `\nUnaccounted: missing ${r.missing.slice(0, 5).join(", ")} unexpected ${r.unexpected.slice(0, 5).join(", ")} misrouted ${r.misrouted.slice(0, 5).join(", ")}`,
    );
  } else {
    console.log("\nEvery produced record is accounted for.");
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      vehicles: { type: "string" },
      duration: { type: "string" },
      rate: { type: "string" },
      speedup: { type: "string" },
      "bad-fraction": { type: "string" },
      "kpl-share": { type: "string" },
      seed: { type: "string" },
      shards: { type: "string" },
      "batch-size": { type: "string" },
      "firehose-outage": { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const number = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value));
  const [from, invocations] = (values["firehose-outage"] ?? "").split(":").map(Number);
  const options: PipelineOptions = {
    ...DEFAULTS,
    vehicles: number(values.vehicles, DEFAULTS.vehicles),
    durationS: number(values.duration, DEFAULTS.durationS),
    rate: number(values.rate, DEFAULTS.rate),
    speedup: number(values.speedup, DEFAULTS.speedup),
    badFraction: number(values["bad-fraction"], DEFAULTS.badFraction),
    kplShare: number(values["kpl-share"], DEFAULTS.kplShare),
    seed: number(values.seed, DEFAULTS.seed),
    shards: number(values.shards, DEFAULTS.shards),
    batchSize: number(values["batch-size"], DEFAULTS.batchSize),
    ...(from && invocations ? { firehoseOutage: { from, invocations } } : {}),
    onProgress: progressLine,
  };
  const expected = options.vehicles * Math.round(options.durationS * options.rate);
  console.log(
    `Simulating ${options.vehicles} vehicles for ${options.durationS} s at ${options.rate}/s (${expected.toLocaleString("en-US")} readings), seed ${options.seed}`,
  );
  const report = await runPipeline({ ...options, deliveredDir: LOCAL_DELIVERED_DIR });
  process.stderr.write("\n");
  printReport(report);
  await printFleetQueries(LOCAL_DELIVERED_DIR);
  return accountedFor(report.reconciliation) ? 0 : 1;
}

let lastLineAt = 0;
function progressLine({ producer, consumer }: Progress): void {
  const text = `produced ${producer.userRecords.toLocaleString("en-US")} user records · invoked ${consumer.invocations} times with ${consumer.recordsInvoked.toLocaleString("en-US")} Kinesis records · retried ${consumer.recordsRetried}`;
  if (process.stderr.isTTY) process.stderr.write(`\r${text}`);
  else if (Date.now() - lastLineAt >= 5_000) {
    lastLineAt = Date.now();
    process.stderr.write(`${text}\n`);
  }
}

if (import.meta.main) process.exitCode = await main();
