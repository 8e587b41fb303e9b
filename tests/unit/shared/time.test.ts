import { describe, expect, it } from "vitest";
import { signalAt, sleep } from "../../../shared/time.ts";

describe("signalAt", () => {
  it("aborts at the deadline", async () => {
    const signal = signalAt(Date.now() + 20, Date.now);
    expect(signal.aborted).toBe(false);
    await sleep(60);
    expect(signal.aborted).toBe(true);
  });

  it("aborts almost at once for a deadline already passed", async () => {
    const signal = signalAt(Date.now() - 1_000, Date.now);
    await sleep(20);
    expect(signal.aborted).toBe(true);
  });

  it("accepts a deadline beyond what a Node timer can hold, and does not fire early for it", async () => {
    const signal = signalAt(Number.MAX_SAFE_INTEGER, Date.now);
    await sleep(20);
    expect(signal.aborted).toBe(false);
  });
});
