/** Time helpers shared by the handler and the tools. */

/** Work stops this long before the invocation's timeout, leaving time to report and flush metrics. */
export const SAFETY_MARGIN_MS = 1_000;

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The longest delay a Node timer (and so `AbortSignal.timeout`) accepts. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** An abort signal that fires at `deadlineMs` (epoch ms), or after 1 ms if that has passed. */
export function signalAt(deadlineMs: number, now: () => number): AbortSignal {
  return AbortSignal.timeout(Math.min(Math.max(1, deadlineMs - now()), MAX_TIMER_MS));
}
