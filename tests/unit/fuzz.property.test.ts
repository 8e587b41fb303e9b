import { expect, it } from "vitest";
import { checkHostileInput } from "../../tools/fuzz/hostile-input.ts";

const NUM_RUNS = Number(process.env.FUZZ_NUM_RUNS ?? 1000);

it(`survives hostile input: every record accounted for, output valid, no prototype keys or pollution (${NUM_RUNS} cases)`, async () => {
  expect(await checkHostileInput(NUM_RUNS)).toBe(NUM_RUNS);
}, 120_000);
