/** Bundling a Lambda entry point the way the template's esbuild settings do, and timing its cold init. */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { build } from "esbuild";
import { markCommonJs } from "../lambda/invoke.ts";
import { bundleEnv } from "../pipeline/emulator.ts";

const ROOT = join(import.meta.dirname, "..", "..");
/** Where the benchmark writes its bundles and events. */
export const BENCH_OUT = join(ROOT, ".tmp", "bench");

/**
 * Bundles `entry` to `outDir/index.js`: CommonJS, minified, source maps, node, es2024, with `external`
 * left to the runtime, as `sam build` does. Marks `outDir`'s parent CommonJS, as Lambda sees the file.
 */
export async function bundleFunction(entry: string, outDir: string, external: readonly string[]): Promise<string> {
  const outfile = join(outDir, "index.js");
  mkdirSync(outDir, { recursive: true });
  markCommonJs(dirname(outDir));
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "es2024",
    minify: true,
    sourcemap: true,
    external: [...external],
    logLevel: "warning",
  });
  return outfile;
}

/** Milliseconds a fresh Node process spends loading `file` (configuration read, clients built). */
export function coldInitMs(file: string): number {
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

export const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
