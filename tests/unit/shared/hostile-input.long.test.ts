import { expect, it } from "vitest";
import { checkHostileInput } from "../../../tools/fuzz/hostile-input.ts";
import { numRunsFrom } from "../../support/runs.ts";

const NUM_RUNS = numRunsFrom("FUZZ_NUM_RUNS", 1000);

it(`survives hostile input: every record accounted for, output valid, no prototype keys or pollution (${NUM_RUNS} cases)`, async () => {
  expect(await checkHostileInput(NUM_RUNS)).toBe(NUM_RUNS);
}, 120_000);

it("refuses to run a property zero times", async () => {
  await expect(checkHostileInput(0)).rejects.toThrow(RangeError);
});
