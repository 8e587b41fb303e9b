/**
 * How many cases a property runs, from an environment variable: a positive integer, or the default.
 * Throws for anything else (0 runs would pass while proving nothing).
 */
export function numRunsFrom(variable: string, fallback: number): number {
  const text = process.env[variable];
  if (text === undefined || text === "") return fallback;
  const runs = Number(text);
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`${variable} must be an integer ≥ 1, got "${text}"`);
  return runs;
}
