import { afterEach, describe, expect, it } from "vitest";
import { numRunsFrom } from "../../support/runs.ts";

describe("numRunsFrom", () => {
  afterEach(() => {
    delete process.env.VTC_TEST_RUNS;
  });

  it("takes the default when the variable is unset or empty, and a positive integer when set", () => {
    expect(numRunsFrom("VTC_TEST_RUNS", 7)).toBe(7);
    process.env.VTC_TEST_RUNS = "";
    expect(numRunsFrom("VTC_TEST_RUNS", 7)).toBe(7);
    process.env.VTC_TEST_RUNS = "25";
    expect(numRunsFrom("VTC_TEST_RUNS", 7)).toBe(25);
  });

  it.each(["0", "-5", "1.5", "abc"])("refuses %s, naming the variable", (text) => {
    process.env.VTC_TEST_RUNS = text;
    expect(() => numRunsFrom("VTC_TEST_RUNS", 7)).toThrow(`VTC_TEST_RUNS must be an integer ≥ 1, got "${text}"`);
  });
});
