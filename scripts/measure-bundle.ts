/**
 * Bundle the AWS SDK, or use the one in the Lambda runtime? Builds the function both ways with the
 * template's esbuild options and measures, side by side in one run, the bundle size and the cold
 * init: a fresh Node process loading the bundle (configuration read, clients built).
 *   node scripts/measure-bundle.ts [--runs 21] [--json]
 * The "runtime SDK" variant loads @aws-sdk/* from this project's node_modules, standing in for the
 * runtime's copy; both variants run on this machine's Node 24.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { bundleEnv } from "./lib/emulator.ts";

const ROOT = join(import.meta.dirname, "..");
const ENTRY = join(ROOT, "functions", "telemetry-consumer", "index.ts");
const OUT = join(ROOT, ".tmp", "measure-bundle");

const VARIANTS = {
  "SDK bundled": [] as string[],
  "runtime SDK (external)": ["@aws-sdk/*"],
};

async function bundle(name: string, external: string[]): Promise<string> {
  const outfile = join(OUT, name.replace(/\W+/g, "-"), "index.js");
  mkdirSync(join(outfile, ".."), { recursive: true });
  await build({
    entryPoints: [ENTRY],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "es2024",
    minify: true,
    sourcemap: true,
    external,
    logLevel: "warning",
  });
  return outfile;
}

/** Milliseconds a fresh process spends in `require(bundle)`. */
function initMs(file: string): number {
  const child = spawnSync(
    process.execPath,
    [
      "-e",
      `const t=process.hrtime.bigint();require(${JSON.stringify(file)});console.log(Number(process.hrtime.bigint()-t)/1e6)`,
    ],
    { cwd: ROOT, env: { ...bundleEnv(), PATH: process.env.PATH }, encoding: "utf8" },
  );
  if (child.status !== 0) throw new Error(`loading ${file} failed: ${child.stderr}`);
  return Number(child.stdout.trim());
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: "string", default: "21" }, json: { type: "boolean", default: false } },
  });
  const runs = Number(values.runs);
  // As in Lambda, where the artifact has no package.json: index.js is CommonJS.
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, "package.json"), '{ "type": "commonjs" }\n');
  const files = Object.fromEntries(
    await Promise.all(
      Object.entries(VARIANTS).map(async ([name, external]) => [name, await bundle(name, external)] as const),
    ),
  );
  const timings: Record<string, number[]> = Object.fromEntries(Object.keys(files).map((name) => [name, []]));
  for (const file of Object.values(files)) initMs(file); // warm the file cache
  for (let run = 0; run < runs; run++) {
    for (const [name, file] of Object.entries(files)) timings[name]?.push(initMs(file));
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

await main();
