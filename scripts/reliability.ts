/**
 * The reliability report: every fault scenario (tools/pipeline/scenarios.ts) through the whole local
 * pipeline against moto, reconciled record by record, as one table.
 *   node scripts/reliability.ts [--vehicles 20] [--duration 120] [--seed 42] [--json] [scenario ...]
 * Exits 1 if any scenario breaks its claim (lost, misrouted or abandoned records, retries where it
 * claims none, a fault that did not happen) or let the function run past its timeout.
 */

import { type ArgsOf, command, flag, runCommand } from "../tools/cli/options.ts";
import { fleetOptions } from "../tools/pipeline/fleet-options.ts";
import { startMoto } from "../tools/pipeline/moto.ts";
import { DEFAULTS } from "../tools/pipeline/run.ts";
import { brokenClaims, runScenario, SCENARIOS, type ScenarioResult } from "../tools/pipeline/scenarios.ts";

const { vehicles, duration, seed } = fleetOptions({ ...DEFAULTS, vehicles: 20, durationS: 120 });
const COMMAND = command({
  name: "reliability",
  summary: "Every fault scenario through the whole local pipeline against moto, reconciled record by record.",
  options: { vehicles, duration, seed, json: flag({ description: "one JSON line instead of the table" }) },
  positionals: { name: "scenario", description: "the scenarios to run (default all)", choices: Object.keys(SCENARIOS) },
});

async function main({ values, positionals }: ArgsOf<typeof COMMAND>): Promise<number> {
  const names = positionals.length > 0 ? positionals : Object.keys(SCENARIOS);
  const moto = await startMoto();
  const results: (Omit<ScenarioResult, "report"> & { readonly broken: string[] })[] = [];
  try {
    for (const name of names) {
      if (!values.json) process.stderr.write(`› ${name}\n`);
      const run = await runScenario(name, {
        endpoint: moto.endpoint,
        vehicles: values.vehicles,
        durationS: values.duration,
        seed: values.seed,
      });
      const { report: _, ...result } = run;
      results.push({ ...result, broken: brokenClaims(run) });
    }
  } finally {
    await moto.stop();
  }

  // The longest invocation against its timeout is wall-clock, so it is shown, and a timeout counted.
  const sound = (r: (typeof results)[number]) => r.broken.length === 0 && r.functionTimeouts === 0;
  if (values.json) {
    console.log(JSON.stringify(results));
  } else {
    const header = [
      "scenario",
      "produced",
      "delivered",
      "quarantined",
      "on-failure",
      "reported",
      "lost",
      "duplicates",
      "identified",
      "timeouts",
      "max ms / timeout",
      "claim",
    ];
    const rows = results.map((r) =>
      [
        r.scenario,
        r.produced,
        r.delivered,
        r.quarantined,
        r.toOnFailure,
        r.reported,
        r.lost,
        r.duplicates,
        r.identified ? "yes" : "NO",
        r.functionTimeouts,
        `${r.maxInvocationMs} / ${r.functionTimeoutMs}`,
        r.broken.length === 0 ? "kept" : "BROKEN",
      ].map(String),
    );
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
    const line = (cells: string[]) =>
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
    console.log(line(header));
    for (const row of rows) console.log(line(row));
    for (const name of names) console.log(`  ${name}: ${SCENARIOS[name]?.title}`);
    for (const r of results) for (const why of r.broken) console.log(`BROKEN ${r.scenario}: ${why}`);
  }
  return results.every(sound) ? 0 : 1;
}

await runCommand(COMMAND, main);
