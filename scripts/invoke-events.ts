/**
 * The built function on the sample events, locally: starts a moto server, creates the delivery stream
 * and buckets, runs the function under Lambda's runtime interface (a local Lambda:
 * tools/lambda/local-lambda.ts) and invokes it on each event through Lambda's Invoke API, reads the
 * data and quarantine buckets back and prints what was delivered and quarantined, with the runtime's
 * own REPORT duration. Exits 1 if any Kinesis record is unaccounted for or the function failed.
 *   node scripts/invoke-events.ts [--timeout 60] [events/<file>.json ...]   (--help for the details)
 */
import type { KinesisStreamEvent } from "aws-lambda";
import { type ArgsOf, command, integer, readJsonFile, runCommand } from "../tools/cli/options.ts";
import type { Invocation } from "../tools/lambda/local-lambda.ts";
import { type Consumer, startConsumer } from "../tools/pipeline/consumer.ts";
import { deliveredLines, freshPipeline, quarantinedLines } from "../tools/pipeline/emulator.ts";
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
  summary:
    "Invokes the built function, under Lambda's runtime interface, on Kinesis events against a local moto and accounts for every record.",
  options: {
    timeout: integer({
      min: 1,
      max: 900,
      description: "the function's timeout in seconds, instead of the template's (Lambda allows 1 to 900)",
    }),
  },
  positionals: {
    name: "event file",
    description: `Kinesis events (JSON with a Records array); default ${DEFAULT_EVENTS.join(", ")}`,
    check: eventFileProblem,
  },
});

/** The events the positional check read, by file: main uses them without reading the files again. */
const checkedEvents = new Map<string, KinesisStreamEvent>();

/** Why a file cannot be one of the events, or undefined if it can (its event then kept in `checkedEvents`). */
function eventFileProblem(file: string): string | undefined {
  const read = readJsonFile(file, "event file");
  if ("problem" in read) return read.problem;
  const records = (read.json as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records)) return `event file ${JSON.stringify(file)} is not a Kinesis event (no Records array)`;
  checkedEvents.set(file, read.json as KinesisStreamEvent);
  return undefined;
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
  const files = positionals.length > 0 ? positionals : DEFAULT_EVENTS;

  const moto = await startMoto();
  let consumer: Consumer | undefined;
  try {
    let last: Invocation | undefined;
    consumer = await startConsumer(moto.endpoint, {
      envVars: { POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "ERROR" },
      ...(values.timeout === undefined ? {} : { timeoutS: values.timeout }),
      onInvocation: (invocation) => {
        last = invocation;
      },
    });
    const rows: Row[] = [];
    const reasons = new Map<string, number>();
    let sample: Record<string, unknown> | undefined;
    let failed = 0;
    for (const file of files) {
      await freshPipeline(moto.endpoint);
      // The default events are not positionals, so not checked: read here.
      const event = checkedEvents.get(file) ?? (readJsonFile(file, "event file") as { json: KinesisStreamEvent }).json;
      const answer = await consumer.invoke(event);
      if (!answer.ok) {
        failed++;
        console.error(`${file}: the function failed: ${answer.error.errorType}: ${answer.error.errorMessage}`);
      }
      const delivered = await deliveredLines(moto.endpoint);
      const quarantined = await quarantinedLines(moto.endpoint);
      for (const line of quarantined) reasons.set(line.reason, (reasons.get(line.reason) ?? 0) + 1);
      sample ??= delivered[0];
      const seen = new Set([
        ...delivered.map((l) => kinesisId(l.ingest.recordId)),
        ...quarantined.map((q) => kinesisId(q.recordId)),
      ]);
      // A function error hands the whole batch back, as a rewind to its first record does.
      const retryFrom = answer.ok
        ? answer.payload.batchItemFailures[0]?.itemIdentifier
        : event.Records[0]?.kinesis.sequenceNumber;
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
        ms: last?.report?.durationMs ?? Number.NaN,
      });
    }
    printTable(rows);
    console.log(`\nQuarantined by reason: ${[...reasons].map(([r, n]) => `${r} ${n}`).join(", ") || "none"}`);
    if (sample) console.log(`\nA delivered line:\n${JSON.stringify(sample, null, 2)}`);
    const lost = rows.reduce((sum, row) => sum + row.unaccounted, 0);
    console.log(
      lost === 0 ? "\nEvery Kinesis record is accounted for." : `\n${lost} Kinesis record(s) unaccounted for.`,
    );
    return lost === 0 && failed === 0 ? 0 : 1;
  } finally {
    await consumer?.lambda.stop();
    await moto.stop();
  }
}

/** The Kinesis record a line came from: its recordId without the sub-sequence number. */
function kinesisId(recordId: string): string {
  const parts = recordId.split(":");
  return `${parts[0]}:${parts[1]}`;
}

function printTable(rows: Row[]): void {
  const header = ["event", "kinesis records", "delivered lines", "quarantined", "retry", "unaccounted", "REPORT ms"];
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
