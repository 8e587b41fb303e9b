/**
 * Peak memory of ours on an event, in fresh, lean processes (memory-child.ts, bundled to CommonJS)
 * started with the heap flags Lambda's Node.js bootstrap derives from the function's memory.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BUILT_BUNDLE, markCommonJs } from "../lambda/invoke.ts";
import { lambdaHeapFlags } from "../lambda/sam-function.ts";
import { BENCH_OUT, bundleFunction } from "./bundling.ts";

/** The batch's accounting, from its log line. */
export interface Accounting {
  received: number;
  userRecords: number;
  delivered: number;
  quarantined: Record<string, number>;
  failed: number;
  retryRecords: number;
}

/** What the memory child prints: RSS before and at peak, heap after, and the batch's accounting. */
export interface MemoryRun {
  baselineRssMb: number;
  peakRssMb: number;
  heapMb: number;
  accounting: Accounting;
}

let memoryChild: Promise<string> | undefined;

/** The memory child, bundled once per process. */
function memoryChildBundle(): Promise<string> {
  memoryChild ??= bundleFunction(join(import.meta.dirname, "memory-child.ts"), join(BENCH_OUT, "memory-child"), []);
  return memoryChild;
}

/**
 * Peak memory of ours on the event: the median of `runs` fresh, lean processes with Lambda's heap
 * flags for `memoryMb`, each loading the built bundle as Lambda does (CommonJS). The children get
 * this process's environment with `env` over it, where a variable set to undefined is left out
 * (`{ DELIVERY_COMPRESSION: undefined }`: the function's default). Throws when a child fails.
 */
export async function measureMemory(
  eventText: string,
  memoryMb: number,
  name: string,
  runs = 5,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<MemoryRun> {
  markCommonJs(join(dirname(BUILT_BUNDLE), "..", ".."));
  const child = await memoryChildBundle();
  const eventFile = join(BENCH_OUT, `${name}.json`);
  writeFileSync(eventFile, eventText);
  const results = Array.from({ length: runs }, () => {
    const run = spawnSync(process.execPath, [...lambdaHeapFlags(memoryMb), child, BUILT_BUNDLE, eventFile], {
      encoding: "utf8",
      env: { ...process.env, ...env, POWERTOOLS_METRICS_DISABLED: "true" },
    });
    if (run.status !== 0) throw new Error(`memory child failed: ${run.stderr.slice(-2_000)}`);
    return JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}") as MemoryRun;
  });
  // The median child by peak RSS.
  return results.sort((a, b) => a.peakRssMb - b.peakRssMb)[Math.floor(runs / 2)] as MemoryRun;
}

/** True when every user record of the batch is delivered, quarantined or failed (reported for retry), once. */
export function accountedFor(a: Accounting): boolean {
  const quarantined = Object.values(a.quarantined ?? {}).reduce((sum, n) => sum + n, 0);
  return a.delivered + quarantined + a.failed === a.userRecords;
}
