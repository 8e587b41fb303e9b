/** Timing contenders side by side: alternating rounds after warm-up, each contender's median. */
import type { KinesisStreamEvent } from "aws-lambda";
import { median } from "./bundling.ts";
import type { Contender } from "./contenders.ts";

/** Milliseconds one contender takes on a fresh parse of the event (as Lambda hands each invocation its own). */
async function timeRun(contender: Contender, eventText: string): Promise<number> {
  const event = JSON.parse(eventText) as KinesisStreamEvent;
  const started = performance.now();
  await contender(event);
  return performance.now() - started;
}

/**
 * Alternating rounds after warm-up, each round starting one contender later, so none always runs
 * first; returns each contender's median milliseconds per event.
 */
export async function race(
  contenders: Readonly<Record<string, Contender>>,
  eventText: string,
  rounds: number,
  warmup: number,
): Promise<Record<string, number>> {
  const names = Object.keys(contenders);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < warmup + rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length] as string);
    for (const name of order) {
      const ms = await timeRun(contenders[name] as Contender, eventText);
      if (round >= warmup) times[name]?.push(ms);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(times[n] ?? [])]));
}
