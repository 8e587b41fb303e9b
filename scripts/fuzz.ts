/**
 * The long hostile-input run (the quick one is in the test suite): the property of
 * tests/fuzz/hostile-input.ts over many cases, reporting the count and the time.
 *   node scripts/fuzz.ts [--runs 100000] [--seed N]
 */
import { parseArgs } from "node:util";
import { checkHostileInput } from "../tests/fuzz/hostile-input.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "100000" }, seed: { type: "string" } } });
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
const started = performance.now();
const cases = await checkHostileInput(Number(values.runs), seed);
const seconds = (performance.now() - started) / 1000;
console.log(`${cases.toLocaleString("en-US")} hostile batches passed (seed ${seed}) in ${seconds.toFixed(1)} s`);
