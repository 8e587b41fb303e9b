/** Time helpers shared by the handler and the tools. */

/** Work stops this long before the invocation's timeout, leaving time to report and flush metrics. */
export const SAFETY_MARGIN_MS = 1_000;

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
