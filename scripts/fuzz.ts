/**
 * The long hostile-input run (the quick one is in the test suite): the property of
 * tools/fuzz/hostile-input.ts over many cases, reporting the count and the time.
 *   node scripts/fuzz.ts [--runs 100000] [--seed N]
 */
import { parseArgs } from "node:util";
import { checkHostileInput } from "../tools/fuzz/hostile-input.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "100000" }, seed: { type: "string" } } });
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
const started = performance.now();
// In chunks of 10,000 with their own seeds, so no per-run state (mock call history) grows without bound.
let cases = 0;
for (let chunk = 0; cases < Number(values.runs); chunk++) {
  cases += await checkHostileInput(Math.min(10_000, Number(values.runs) - cases), seed + chunk);
  process.stderr.write(
    `${cases.toLocaleString("en-US")} cases, heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MB\n`,
  );
}
const seconds = (performance.now() - started) / 1000;
console.log(`${cases.toLocaleString("en-US")} hostile batches passed (seeds ${seed}…) in ${seconds.toFixed(1)} s`);
