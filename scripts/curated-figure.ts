/**
 * The curated layer's figure: a simulated day of a fleet, delivered as raw (gzip NDJSON by arrival
 * hour) and merged hour by hour into the curated layer (Parquet by event day), each moved named
 * query run on both layers with DuckDB; prints the bytes each read and Athena's bill for a
 * 10,000-vehicle fleet reading every second (tools/query/figure.ts).
 *   node scripts/curated-figure.ts [--vehicles 100] [--interval 10] [--hours 24] [--json]
 *   (every option, its accepted values and default: --help)
 * Exits 1 if a query's answers differ between the layers.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type ArgsOf, command, flag, integer, number, runCommand } from "../tools/cli/options.ts";
import { costModel, measureFigure } from "../tools/query/figure.ts";

const COMMAND = command({
  name: "curated-figure",
  summary:
    "Bytes read per named query on the raw and the curated layer, for a simulated day, and Athena's bill at fleet scale.",
  options: {
    vehicles: integer({ min: 1, max: 2_000, default: 100, description: "vehicles in the simulated fleet" }),
    interval: integer({ min: 1, max: 3_600, default: 10, description: "seconds between two readings of a vehicle" }),
    hours: integer({
      min: 1,
      max: 72,
      default: 24,
      description: "hours simulated (arrival hours, ending at this hour)",
    }),
    seed: integer({ min: 0, default: 42, description: "the simulation's seed" }),
    "late-share": number({ min: 0, max: 1, default: 0.01, description: "share of readings arriving 6 hours late" }),
    "redelivered-share": number({ min: 0, max: 1, default: 0.005, description: "share of readings delivered twice" }),
    "row-group-rows": integer({
      min: 1_000,
      default: 122_880,
      description: "rows per Parquet row group of the curated files",
    }),
    "fleet-vehicles": integer({ min: 1, default: 10_000, description: "the cost model's fleet" }),
    json: flag({ description: "print the figure and the cost model as JSON" }),
  },
});

const n = (x: number) => Math.round(x).toLocaleString("en-US");
const gb = (bytes: number) => `${(bytes / 1e9).toFixed(bytes < 1e10 ? 2 : 0)} GB`;

async function main({ values }: ArgsOf<typeof COMMAND>): Promise<number> {
  const dir = join(import.meta.dirname, "..", ".tmp", "curated-figure");
  mkdirSync(dir, { recursive: true });
  const figure = await measureFigure(
    {
      dir,
      vehicles: values.vehicles,
      intervalS: values.interval,
      hours: values.hours,
      seed: values.seed,
      lateShare: values["late-share"],
      redeliveredShare: values["redelivered-share"],
      rowGroupRows: values["row-group-rows"],
    },
    (text) => process.stderr.write(`${text}\n`),
  );
  const cost = costModel(figure, values["fleet-vehicles"], 1);
  if (values.json) console.log(JSON.stringify({ figure, cost }, null, 2));
  else {
    console.log(
      `\n${values.vehicles} vehicles, a reading every ${values.interval} s for ${values.hours} h: ${n(figure.readings)} readings`,
    );
    console.log(
      `raw:     ${n(figure.rawLines)} lines (re-deliveries included) in ${n(figure.rawObjects)} gzip objects, ${n(figure.rawBytes)} B (${(figure.rawBytes / figure.readings).toFixed(1)} B a reading)`,
    );
    console.log(
      `curated: ${n(figure.curatedRows)} rows (one per recordId) in ${n(figure.curatedFiles)} Parquet files (zstd), ${n(figure.curatedBytes)} B (${(figure.curatedBytes / figure.readings).toFixed(1)} B a reading), ${figure.hoursMerged} hourly merges`,
    );
    console.log("\nBytes read per query (DuckDB; the compressed bytes of the objects and column chunks it read):");
    const width = Math.max(...figure.queries.map((q) => q.name.length));
    console.log(
      `  ${"query".padEnd(width)}  ${"raw".padStart(13)}  ${"curated".padStart(13)}  ${"fewer".padStart(7)}  same answer`,
    );
    for (const q of figure.queries)
      console.log(
        `  ${q.name.padEnd(width)}  ${n(q.rawBytes).padStart(13)}  ${n(q.curatedBytes).padStart(13)}  ${`${(q.rawBytes / q.curatedBytes).toFixed(1)}×`.padStart(7)}  ${q.sameAnswer ? "yes" : "NO"}`,
      );
    console.log(
      `\nAthena for ${n(values["fleet-vehicles"])} vehicles reading every second (${n(values["fleet-vehicles"] * 86_400)} readings a day), at $5 per TB scanned:`,
    );
    for (const c of cost)
      console.log(
        `  ${c.name.padEnd(width)}  raw ${gb(c.rawBytes).padStart(8)} $${c.rawUsd.toFixed(3)}   curated ${gb(c.curatedBytes).padStart(8)} $${c.curatedUsd.toFixed(3)}`,
      );
  }
  const differ = figure.queries.filter((q) => !q.sameAnswer);
  for (const q of differ) console.error(`curated-figure: ${q.name}: the layers' answers differ`);
  return differ.length === 0 ? 0 : 1;
}

if (import.meta.main) await runCommand(COMMAND, main);
