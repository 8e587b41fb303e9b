import { expect, it } from "vitest";
import { checkHostileInput } from "../../../tools/fuzz/hostile-input.ts";
import { checkHostileOnFailure } from "../../../tools/fuzz/hostile-redrive.ts";
import { numRunsFrom } from "../../support/runs.ts";

const NUM_RUNS = numRunsFrom("FUZZ_NUM_RUNS", 1000);

it(`survives hostile input: every record accounted for, output valid, within the amplification bound, no prototype keys or pollution (${NUM_RUNS} cases)`, async () => {
  expect(await checkHostileInput(NUM_RUNS)).toBe(NUM_RUNS);
}, 120_000);

it(`redrives malformed on-failure payloads without throwing: set aside for the stream when the live event's check fails them (${NUM_RUNS} cases)`, async () => {
  expect(await checkHostileOnFailure(NUM_RUNS)).toBe(NUM_RUNS);
}, 120_000);

it("refuses to run a property zero times", async () => {
  await expect(checkHostileInput(0)).rejects.toThrow(RangeError);
  await expect(checkHostileOnFailure(0)).rejects.toThrow(RangeError);
});
