/**
 * Bundle the AWS SDK, or use the one in the Lambda runtime? Builds the function both ways with the
 * template's esbuild options and measures, side by side in one run, the bundle size and the cold
 * init: a fresh Node process loading the bundle (configuration read, clients built).
 *   node scripts/measure-bundle.ts [--runs 21] [--json]
 * The "runtime SDK" variant loads @aws-sdk/* from this project's node_modules, standing in for the
 * runtime's copy; both variants run on this machine's Node 24.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { bundleFunction, coldInitMs, median } from "../tools/bench/bundling.ts";
import { type ArgsOf, command, flag, integer, runCommand } from "../tools/cli/options.ts";

const ROOT = join(import.meta.dirname, "..");
const ENTRY = join(ROOT, "functions", "telemetry-consumer", "index.ts");
const OUT = join(ROOT, ".tmp", "measure-bundle");

const VARIANTS = {
  "SDK bundled": [] as string[],
  "runtime SDK (external)": ["@aws-sdk/*"],
};

const COMMAND = command({
  name: "measure-bundle",
  summary: "Bundle size and cold init with the AWS SDK bundled and with the runtime's, side by side.",
  options: {
    runs: integer({ min: 1, default: 21, description: "cold inits of each variant" }),
    json: flag({ description: "one JSON line instead of the table" }),
  },
});

async function main({ values }: ArgsOf<typeof COMMAND>): Promise<void> {
  const { runs } = values;
  const files = Object.fromEntries(
    await Promise.all(
      Object.entries(VARIANTS).map(
        async ([name, external]) =>
          [name, await bundleFunction(ENTRY, join(OUT, name.replace(/\W+/g, "-")), external)] as const,
      ),
    ),
  );
  const timings: Record<string, number[]> = Object.fromEntries(Object.keys(files).map((name) => [name, []]));
  for (const file of Object.values(files)) coldInitMs(file); // warm the file cache
  for (let run = 0; run < runs; run++) {
    for (const [name, file] of Object.entries(files)) timings[name]?.push(coldInitMs(file));
  }
  const results = Object.entries(files).map(([name, file]) => ({
    variant: name,
    bundleBytes: statSync(file).size,
    initMsMedian: Math.round(median(timings[name] ?? []) * 10) / 10,
    initMsMin: Math.round(Math.min(...(timings[name] ?? [])) * 10) / 10,
  }));
  if (values.json) {
    console.log(JSON.stringify({ runs, node: process.version, results }));
    return;
  }
  console.log(`Cold init, ${runs} alternating runs each, Node ${process.version}`);
  console.log("variant                  bundle bytes   init ms (median)   init ms (min)");
  for (const r of results) {
    console.log(
      `${r.variant.padEnd(24)} ${String(r.bundleBytes).padStart(12)}   ${String(r.initMsMedian).padStart(16)}   ${String(r.initMsMin).padStart(13)}`,
    );
  }
}

await runCommand(COMMAND, main);
