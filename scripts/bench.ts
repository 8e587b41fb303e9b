/**
 * Speed and cost, side by side in one process: the floor (base64 + JSON.parse + JSON.stringify), the
 * same-output floor (the least work that produces our lines), two Powertools peers, and ours (the
 * built bundle) under each DELIVERY_COMPRESSION measured, on a deterministic maximum-size Kinesis
 * event, with AWS answering in-process (the harness is tools/bench/harness.ts). Not a pass/fail
 * test: it prints figures.
 *   npm run bench [-- --rounds 12 --json]
 * Needs the built bundle (scripts/bench.sh builds it first).
 */
import { runBench } from "../tools/bench/harness.ts";
import { formatReport } from "../tools/bench/report.ts";
import { type ArgsOf, command, flag, integer, runCommand } from "../tools/cli/options.ts";

const COMMAND = command({
  name: "bench",
  summary: "Speed and cost: the floor, two Powertools peers and ours on a maximum-size event (needs the built bundle).",
  options: {
    rounds: integer({ min: 1, default: 12, description: "measured alternating rounds" }),
    warmup: integer({ min: 0, default: 3, description: "warm-up rounds, not measured" }),
    json: flag({ description: "one JSON line instead of the table" }),
  },
});

async function main({ values }: ArgsOf<typeof COMMAND>): Promise<void> {
  const result = await runBench({
    rounds: values.rounds,
    warmup: values.warmup,
    log: (text) => {
      if (!values.json) process.stderr.write(`${text}\n`);
    },
  });
  if (values.json) console.log(JSON.stringify(result));
  else for (const line of formatReport(result)) console.log(line);
}

await runCommand(COMMAND, main);
