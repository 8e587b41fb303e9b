/**
 * The long hostile-input run (the quick one is in the test suite): the properties of
 * tools/fuzz/hostile-input.ts (batches) and tools/fuzz/hostile-redrive.ts (malformed on-failure
 * payloads) over many cases each, reporting the count and the time.
 *   node scripts/fuzz.ts [--runs 100000] [--seed N]
 */
import { type ArgsOf, command, integer, runCommand } from "../tools/cli/options.ts";
import { checkHostileInput } from "../tools/fuzz/hostile-input.ts";
import { checkHostileOnFailure } from "../tools/fuzz/hostile-redrive.ts";

const COMMAND = command({
  name: "fuzz",
  summary:
    "The long hostile-input run: the properties of tools/fuzz/hostile-input.ts and hostile-redrive.ts over many cases.",
  options: {
    runs: integer({ min: 1, default: 100_000, description: "hostile batches to check" }),
    seed: integer({ min: 0, max: 2 ** 31 - 1, description: "the first chunk's seed (default from the clock)" }),
  },
});

async function main({ values }: ArgsOf<typeof COMMAND>): Promise<void> {
  const { runs } = values;
  const seed = values.seed ?? Date.now() % 2 ** 31;
  const started = performance.now();
  // In chunks of 10,000 with their own seeds, so no per-run state (mock call history) grows without bound.
  let cases = 0;
  for (let chunk = 0; cases < runs; chunk++) {
    const size = Math.min(10_000, runs - cases);
    cases += await checkHostileInput(size, seed + chunk);
    await checkHostileOnFailure(size, seed + chunk);
    process.stderr.write(
      `${cases.toLocaleString("en-US")} cases, heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MB\n`,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${cases.toLocaleString("en-US")} hostile batches and as many malformed on-failure records passed (seeds ${seed}…) in ${seconds.toFixed(1)} s`,
  );
}

await runCommand(COMMAND, main);
