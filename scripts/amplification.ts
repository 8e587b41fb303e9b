/**
 * The amplification bound's figures (docs/reliability.md, "Amplification"): for each worst case of
 * tools/fixtures/events.ts (AMPLIFICATION_CASES), an event of nearly Lambda's 6 MB, the bytes read,
 * the bytes written (Firehose lines and quarantine objects, uncompressed), the ratio, what the bound
 * allows, and the function's peak RSS on it: the built bundle in fresh processes with the heap flags
 * of the template's 512 MB function (tools/bench/memory.ts), uncompressed and with the default
 * DeliveryCompression. Not a pass/fail test: it prints figures (the property tests assert the bound).
 *   node scripts/amplification.ts [--cases repeated-keys,tiny-entries] [--runs 3] [--json]
 * Needs the built bundle (npm run build).
 */
import { measureMemory } from "../tools/bench/memory.ts";
import { type ArgsOf, command, flag, integer, list, runCommand } from "../tools/cli/options.ts";
import { AMPLIFICATION_CASES } from "../tools/fixtures/events.ts";
import { measureBatch } from "../tools/fuzz/amplification.ts";
import { requireBuilt } from "../tools/lambda/invoke.ts";
import { bundleEnv } from "../tools/pipeline/emulator.ts";
import { consumerTemplate, parameterDefault } from "../tools/templates/consumer-template.ts";

/** The template's function memory: the heap flags the children get. */
const FUNCTION_MB = 512;
/** The peak the issue sets for it: half the function's memory. */
const TARGET_MB = 256;

const COMMAND = command({
  name: "amplification",
  summary:
    "The amplification bound's worst cases: bytes read and written, the ratio, and peak RSS (needs the built bundle).",
  options: {
    cases: list({
      choices: Object.keys(AMPLIFICATION_CASES),
      default: Object.keys(AMPLIFICATION_CASES),
      description: "the worst cases to measure",
    }),
    runs: integer({
      min: 1,
      max: 9,
      default: 3,
      description: "fresh processes per peak RSS figure (the median is kept)",
    }),
    json: flag({ description: "one JSON line instead of the table" }),
  },
});

interface Row {
  readonly case: string;
  readonly records: number;
  readonly userRecords: number;
  readonly eventBytes: number;
  readonly readBytes: number;
  readonly writtenBytes: number;
  readonly ratio: number;
  readonly allowedBytes: number;
  readonly peakRssMb: number;
  readonly peakRssCompressedMb: number;
}

async function main({ values }: ArgsOf<typeof COMMAND>): Promise<number> {
  requireBuilt();
  // The children run with the function's configuration.
  const env = { ...bundleEnv(), POWERTOOLS_LOG_LEVEL: "ERROR" };
  const compression = parameterDefault(consumerTemplate(), "DeliveryCompression");
  const rows: Row[] = [];
  for (const name of values.cases) {
    const build = AMPLIFICATION_CASES[name];
    if (build === undefined) continue;
    const event = build();
    const text = JSON.stringify(event);
    const measured = await measureBatch(event.Records);
    if (!values.json) process.stderr.write(`${name}: bytes measured; peak RSS in ${values.runs} fresh processes…\n`);
    const plain = await measureMemory(text, FUNCTION_MB, `amplification-${name}`, values.runs, {
      ...env,
      DELIVERY_COMPRESSION: undefined,
    });
    const compressed = await measureMemory(text, FUNCTION_MB, `amplification-${name}`, values.runs, {
      ...env,
      DELIVERY_COMPRESSION: compression,
    });
    const written = measured.firehoseBytes + measured.quarantineBytes;
    rows.push({
      case: name,
      records: event.Records.length,
      userRecords: measured.outcome.stats.userRecords,
      eventBytes: text.length,
      readBytes: measured.read,
      writtenBytes: written,
      ratio: Math.round((written / measured.read) * 100) / 100,
      allowedBytes: measured.allowed,
      peakRssMb: plain.peakRssMb,
      peakRssCompressedMb: compressed.peakRssMb,
    });
  }
  if (values.json) console.log(JSON.stringify({ functionMb: FUNCTION_MB, targetMb: TARGET_MB, compression, rows }));
  else {
    const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    console.log(
      `| case | records | user records | read MB | written MB | written / read | allowed MB | peak RSS MB (none) | peak RSS MB (${compression}) |`,
    );
    console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const r of rows)
      console.log(
        `| ${r.case} | ${r.records} | ${r.userRecords} | ${mb(r.readBytes)} | ${mb(r.writtenBytes)} | ${r.ratio} | ${mb(r.allowedBytes)} | ${r.peakRssMb} | ${r.peakRssCompressedMb} |`,
      );
  }
  // Every case within the bound and the target, or the figures say what is wrong.
  return rows.every((r) => r.writtenBytes <= r.allowedBytes && r.peakRssMb <= TARGET_MB) ? 0 : 1;
}

await runCommand(COMMAND, main);
