/**
 * Where ours spends its time: runs the built bundle on the maximum-size event under the V8 CPU
 * profiler (AWS answering in-process) and prints the functions with the most self time.
 *   node scripts/profile.ts [--runs 20] [--top 25]   (writes .tmp/bench/ours.cpuprofile)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { createRequire, findSourceMap } from "node:module";
import { join } from "node:path";
import { installStubTransport } from "../tools/bench/stub-transport.ts";
import { type ArgsOf, command, integer, runCommand } from "../tools/cli/options.ts";
import { maxSizeBatch } from "../tools/fixtures/events.ts";
import { captureEmf } from "../tools/lambda/emf.ts";
import { lambdaContext, loadHandler } from "../tools/lambda/invoke.ts";
import { bundleEnv } from "../tools/pipeline/emulator.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

const COMMAND = command({
  name: "profile",
  summary:
    "The built bundle on the maximum-size event under the V8 CPU profiler; the functions with the most self time.",
  options: {
    runs: integer({ min: 1, default: 20, description: "profiled invocations" }),
    top: integer({ min: 1, default: 25, description: "functions listed" }),
  },
});

async function main({ values }: ArgsOf<typeof COMMAND>): Promise<void> {
  Object.assign(process.env, bundleEnv(), { POWERTOOLS_LOG_LEVEL: "ERROR" });
  installStubTransport(createRequire(import.meta.url));
  const emf = captureEmf();
  process.setSourceMapsEnabled(true);
  const handler = loadHandler();
  const eventText = JSON.stringify(maxSizeBatch());
  for (let i = 0; i < 3; i++) await handler(JSON.parse(eventText), lambdaContext(60_000));

  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 100 });
  await session.post("Profiler.start");
  for (let i = 0; i < values.runs; i++) await handler(JSON.parse(eventText), lambdaContext(60_000));
  const { profile } = (await session.post("Profiler.stop")) as {
    profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  };
  emf.stop();
  const out = join(import.meta.dirname, "..", ".tmp", "bench");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "ours.cpuprofile"), JSON.stringify(profile));

  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byName = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    total += us;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const where = url ? original(url, lineNumber, columnNumber) : "";
    const key = `${functionName || "(anonymous)"} ${where}`;
    byName.set(key, (byName.get(key) ?? 0) + us);
  }
  console.log(
    `self time over ${values.runs} runs: ${(total / 1000).toFixed(0)} ms (${(total / 1000 / values.runs).toFixed(1)} ms a run)`,
  );
  for (const [key, us] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, values.top)) {
    console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(1).padStart(8)} ms  ${key}`);
  }
}

/** `file:line` in the TypeScript source when the bundle's source map knows the position. */
function original(url: string, line: number, column: number): string {
  const entry = findSourceMap(url.replace(/^file:\/\//, ""))?.findEntry(line, column);
  if (entry && "originalSource" in entry) {
    const source = entry.originalSource.split("/").slice(-3).join("/");
    const name = (entry as { name?: string }).name;
    return `${source}:${entry.originalLine + 1}${name ? ` (${name})` : ""}`;
  }
  return `${url.split("/").slice(-3).join("/")}:${line + 1}:${column + 1}`;
}

await runCommand(COMMAND, main);
