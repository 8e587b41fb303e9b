/**
 * Peak memory of ours on the maximum-size event, in a process as lean as Lambda's: bundled to
 * CommonJS by memory.ts and started with the heap flags Lambda's Node.js bootstrap derives from
 * the function's memory (new space = memory/10, semi-space = half of it, old space = the rest).
 * Prints one JSON line: RSS before the event is read, peak RSS through one invocation, heap after it, and
 * the batch's accounting (from its log line).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { installStubTransport } from "./stub-transport.ts";

const [bundle, eventFile] = process.argv.slice(2) as [string, string];
// Bundled to CommonJS: __filename is the bundle, inside this project, so it resolves the same SDK.
const require = createRequire(__filename);
installStubTransport(require);
// The batch's INFO line is the accounting; every other line is dropped unread.
process.env.POWERTOOLS_LOG_LEVEL = "INFO";
let outcome: Record<string, unknown> | undefined;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array) => {
  const text = String(chunk);
  if (text.includes('"batch processed"')) outcome = JSON.parse(text);
  return true;
}) as typeof process.stdout.write;
const { handler } = require(bundle) as { handler: (event: unknown, context: unknown) => Promise<unknown> };
const context = { awsRequestId: "memory", functionName: "memory", getRemainingTimeInMillis: () => 60_000 };
const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

async function main(): Promise<void> {
  const baselineRssMb = mb(process.memoryUsage().rss);
  await handler(readEvent(), context);
  const heapMb = mb(process.memoryUsage().heapUsed);
  const { received, userRecords, delivered, quarantined, failed, retryRecords } = outcome ?? {};
  const accounting = { received, userRecords, delivered, quarantined, failed, retryRecords };
  write(`${JSON.stringify({ baselineRssMb, peakRssMb: mb(peakRssBytes()), heapMb, accounting })}\n`);
}

/**
 * The event as Lambda's runtime hands it over: it reads the invoke body, parses it and keeps only
 * the parsed event, so the text is not held through the invocation.
 */
function readEvent(): unknown {
  return JSON.parse(readFileSync(eventFile, "utf8"));
}

/**
 * The process's resident-set high-water mark. Linux's VmHWM starts afresh at exec; getrusage's
 * maxRSS does not (a child started from a large parent inherits its figure), so it is the fallback.
 */
function peakRssBytes(): number {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (hwm?.[1]) return Number(hwm[1]) * 1024;
  } catch {
    // Not Linux: use getrusage.
  }
  return process.resourceUsage().maxRSS * 1024;
}

void main();
