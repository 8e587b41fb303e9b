/**
 * The built bundle on the sample events, locally: starts a moto server, creates the delivery stream
 * and buckets, invokes the bundle on each event as Lambda would, reads the data and quarantine
 * buckets back and prints what was delivered and quarantined. Exits 1 if any Kinesis record is unaccounted for.
 *   node scripts/invoke-events.ts [--timeout-ms 60000] [events/<file>.json ...]   (--help for the details)
 */
import { readFileSync } from "node:fs";
import type { KinesisStreamEvent } from "aws-lambda";
import { type ArgsOf, command, integer, runCommand } from "../tools/cli/options.ts";
import { lambdaContext, loadHandler } from "../tools/lambda/invoke.ts";
import { bundleEnv, deliveredLines, freshPipeline, quarantinedLines } from "../tools/pipeline/emulator.ts";
import { startMoto } from "../tools/pipeline/moto.ts";

const DEFAULT_EVENTS = [
  "events/valid-batch.json",
  "events/mixed-batch.json",
  "events/kpl-aggregated-batch.json",
  "events/poison-only-batch.json",
  "events/max-size-batch.json",
];

const COMMAND = command({
  name: "invoke-events",
  summary: "Invokes the built bundle on Kinesis events against a local moto and accounts for every record.",
  options: {
    "timeout-ms": integer({
      min: 1,
      max: 900_000,
      default: 60_000,
      description: "the remaining time the Lambda context reports (Lambda allows up to 15 minutes)",
    }),
  },
  positionals: {
    name: "event file",
    description: `Kinesis events (JSON with a Records array); default ${DEFAULT_EVENTS.join(", ")}`,
    check: eventFileProblem,
  },
});

/** Why a file cannot be one of the events, or undefined if it can. */
function eventFileProblem(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    return `event file ${JSON.stringify(file)} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (error) {
    return `event file ${JSON.stringify(file)} is not JSON (${(error as Error).message})`;
  }
  const records = (event as { Records?: unknown } | null)?.Records;
  return Array.isArray(records)
    ? undefined
    : `event file ${JSON.stringify(file)} is not a Kinesis event (no Records array)`;
}

interface Row {
  event: string;
  records: number;
  delivered: number;
  quarantined: number;
  reported: string;
  unaccounted: number;
  ms: number;
}

async function main({ values, positionals }: ArgsOf<typeof COMMAND>): Promise<number> {
  const timeoutMs = values["timeout-ms"];
  const files = positionals.length > 0 ? positionals : DEFAULT_EVENTS;

  const moto = await startMoto();
  try {
    Object.assign(process.env, bundleEnv(moto.endpoint), {
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "ERROR",
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? "true",
    });
    const handler = loadHandler();
    const rows: Row[] = [];
    const reasons = new Map<string, number>();
    let sample: Record<string, unknown> | undefined;
    for (const file of files) {
      await freshPipeline(moto.endpoint);
      const event = JSON.parse(readFileSync(file, "utf8")) as KinesisStreamEvent;
      const started = performance.now();
      const response = await handler(event, lambdaContext(timeoutMs));
      const ms = performance.now() - started;
      const delivered = await deliveredLines(moto.endpoint);
      const quarantined = await quarantinedLines(moto.endpoint);
      for (const line of quarantined) reasons.set(line.reason, (reasons.get(line.reason) ?? 0) + 1);
      sample ??= delivered[0];
      const seen = new Set([
        ...delivered.map((l) => kinesisId(l.ingest.recordId)),
        ...quarantined.map((q) => kinesisId(q.recordId)),
      ]);
      const retryFrom = response.batchItemFailures[0]?.itemIdentifier;
      const retryIndex =
        retryFrom === undefined
          ? event.Records.length
          : event.Records.findIndex((r) => r.kinesis.sequenceNumber === retryFrom);
      const unaccounted = event.Records.filter((r, i) => i < retryIndex && !seen.has(r.eventID)).length;
      rows.push({
        event: file,
        records: event.Records.length,
        delivered: delivered.length,
        quarantined: quarantined.length,
        reported: retryFrom === undefined ? "-" : `from #${retryIndex}`,
        unaccounted,
        ms: Math.round(ms),
      });
    }
    printTable(rows);
    console.log(`\nQuarantined by reason: ${[...reasons].map(([r, n]) => `${r} ${n}`).join(", ") || "none"}`);
    if (sample) console.log(`\nA delivered line:\n${JSON.stringify(sample, null, 2)}`);
    const lost = rows.reduce((sum, row) => sum + row.unaccounted, 0);
    console.log(
      lost === 0 ? "\nEvery Kinesis record is accounted for." : `\n${lost} Kinesis record(s) unaccounted for.`,
    );
    return lost === 0 ? 0 : 1;
  } finally {
    await moto.stop();
  }
}

/** The Kinesis record a line came from: its recordId without the sub-sequence number. */
function kinesisId(recordId: string): string {
  const parts = recordId.split(":");
  return `${parts[0]}:${parts[1]}`;
}

function printTable(rows: Row[]): void {
  const header = ["event", "kinesis records", "delivered lines", "quarantined", "retry", "unaccounted", "ms"];
  const cells = rows.map((r) =>
    [r.event, r.records, r.delivered, r.quarantined, r.reported, r.unaccounted, r.ms].map(String),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const format = (cols: string[]) =>
    cols.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  console.log(format(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const c of cells) console.log(format(c));
}

await runCommand(COMMAND, main);
