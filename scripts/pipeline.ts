/**
 * The main job, on this machine: the whole local pipeline once (tools/pipeline/run.ts), its
 * reconciliation printed, then the curated layer built from what was delivered and the named
 * queries run on both layers (tools/query/report.ts).
 *   node scripts/pipeline.ts [--vehicles 40] [--duration 600] [--batch-size 500] [--firehose-outage 5:3] …
 *   node scripts/pipeline.ts --scenario redrive   (v2 held back then redriven; an outage past the retries then redriven)
 *   (every option, its accepted values and default: --help)
 * Exits 1 if any produced record is unaccounted for, the curated layer does not reconcile with raw,
 * or a query's answers differ between the layers.
 */

import { type ArgsOf, choice, command, custom, integer, number, runCommand } from "../tools/cli/options.ts";
import { fleetOptions } from "../tools/pipeline/fleet-options.ts";
import {
  REDRIVE_SCENARIOS,
  type RedriveScenario,
  redriveProblems,
  redriveTable,
  runRedriveScenario,
} from "../tools/pipeline/redrive-scenarios.ts";
import {
  accountedFor,
  DEFAULTS,
  type PipelineOptions,
  type PipelineReport,
  type Progress,
  runPipeline,
} from "../tools/pipeline/run.ts";
import { LOCAL_CURATED_DIR, LOCAL_DELIVERED_DIR, printLayers } from "../tools/query/report.ts";

const COMMAND = command({
  name: "pipeline",
  summary: "The whole local pipeline once, reconciled (bash scripts/demo.sh [options] builds first).",
  options: {
    ...fleetOptions(DEFAULTS),
    shards: integer({ min: 1, max: 500, default: DEFAULTS.shards, description: "Kinesis shards" }),
    "batch-size": integer({
      min: 1,
      max: 10_000,
      default: DEFAULTS.batchSize,
      description: "the trigger's BatchSize",
    }),
    scenario: choice({
      choices: ["pipeline", ...REDRIVE_SCENARIOS, "redrive"],
      default: "pipeline",
      description:
        "pipeline: one run; redrive-versions / redrive-on-failure / redrive (both): the run, then RedriveFunction chunk by chunk, with a before/after table",
    }),
    "v2-share": number({
      min: 0,
      max: 1,
      default: 0,
      description: "share of the fleet sending telemetry v2 (redrive-versions: 0.3 unless given)",
    }),
    "firehose-outage": custom({
      placeholder: "A:B",
      expected: "two integers ≥ 1 as A:B",
      description: "delete the delivery stream before invocation A, recreate it B invocations later",
      parse: (text) => {
        const match = /^(\d+):(\d+)$/.exec(text);
        const [from, invocations] = [Number(match?.[1]), Number(match?.[2])];
        return from >= 1 && invocations >= 1 ? { from, invocations } : undefined;
      },
    }),
  },
});

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

async function main({ values }: ArgsOf<typeof COMMAND>): Promise<number> {
  const outage = values["firehose-outage"];
  if (values.scenario !== "pipeline") return redrive(values);
  const options: PipelineOptions = {
    ...runOptions(values),
    v2Share: values["v2-share"],
    ...(outage ? { firehoseOutage: outage } : {}),
  };
  const expected = options.vehicles * Math.round(options.durationS * options.rate);
  console.log(
    `Simulating ${options.vehicles} vehicles for ${options.durationS} s at ${options.rate}/s (${expected.toLocaleString("en-US")} readings), seed ${options.seed}`,
  );
  const report = await runPipeline({ ...options, deliveredDir: LOCAL_DELIVERED_DIR });
  process.stderr.write("\n");
  printReport(report);
  const problems = await printLayers(LOCAL_DELIVERED_DIR, LOCAL_CURATED_DIR);
  for (const problem of problems) console.error(`pipeline: ${problem}`);
  return accountedFor(report.reconciliation) && problems.length === 0 ? 0 : 1;
}

/** The run's options from the command line, but for the share of v2 readings and the outage. */
function runOptions(values: ArgsOf<typeof COMMAND>["values"]) {
  return {
    ...DEFAULTS,
    vehicles: values.vehicles,
    durationS: values.duration,
    rate: values.rate,
    speedup: values.speedup,
    badFraction: values["bad-fraction"],
    kplShare: values["kpl-share"],
    seed: values.seed,
    shards: values.shards,
    batchSize: values["batch-size"],
    onProgress: progressLine,
  };
}

/** The redrive scenarios: each run, redriven, reconciled before and after; exit 1 on any of `redriveProblems`. */
async function redrive(values: ArgsOf<typeof COMMAND>["values"]): Promise<number> {
  const scenarios: readonly RedriveScenario[] =
    values.scenario === "redrive" ? REDRIVE_SCENARIOS : [values.scenario as RedriveScenario];
  let failed = 0;
  for (const scenario of scenarios) {
    console.log(`\n${scenario}: ${values.vehicles} vehicles for ${values.duration} s, seed ${values.seed}`);
    const report = await runRedriveScenario(scenario, {
      ...runOptions(values),
      // 0 (the default) lets the scenario choose the share of v2 readings it needs.
      ...(values["v2-share"] > 0 ? { v2Share: values["v2-share"] } : {}),
    });
    process.stderr.write("\n");
    const rows = redriveTable(report);
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log(`${"".padEnd(width)}  ${"before".padStart(10)}  ${"after".padStart(10)}`);
    for (const [k, before, after] of rows)
      console.log(`${k.padEnd(width)}  ${before.padStart(10)}  ${after.padStart(10)}`);
    const redriven = new Set(report.redrivenIds);
    const notBack = report.expectedIds.filter((id) => !redriven.has(id));
    console.log(
      `redriven recordIds: ${report.redrivenIds.length} (${notBack.length === 0 ? "every one expected back, with its original recordId" : `${notBack.length} expected ones missing: ${notBack.slice(0, 5).join(", ")}`}), ${report.chunks} RedriveFunction chunks`,
    );
    const problems = redriveProblems(report);
    for (const problem of problems) console.error(`${scenario}: ${problem}`);
    failed += problems.length;
  }
  return failed === 0 ? 0 : 1;
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

if (import.meta.main) await runCommand(COMMAND, main);
