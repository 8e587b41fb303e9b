/**
 * Backfill of the curated table: the arrival hours --from..--to (UTC, inclusive) merged into
 * telemetry_curated and reconciled, one arrival day per execution of the stack's curation state
 * machine (so no statement crosses Athena's 100 partitions), with the operator's credentials.
 *   npm run curate -- --from 2026-11-20T00 --to 2026-11-22T23 --state-machine-arn <CurationStateMachineArn>
 *   npm run curate -- --from 2026-11-20T00 --to 2026-11-22T23 --dry-run [--show-sql]
 *   (every option, its accepted values and default: --help)
 * Exits 1 if an execution failed (its day is named; run the command again for it), 2 on a bad option.
 */

import { SFNClient } from "@aws-sdk/client-sfn";
import { sleep } from "../shared/time.ts";
import { type ArgsOf, command, custom, flag, runCommand, text, UsageError } from "../tools/cli/options.ts";
import { backfillSteps, runBackfill, stepFunctionsStarter, summaryLines } from "../tools/query/backfill.ts";
import { fill, isoHour, mergeSql, mergeTokens } from "../tools/query/curated.ts";

const hour = (what: string) =>
  custom({
    placeholder: "YYYY-MM-DDTHH",
    expected: "an arrival hour, UTC, as YYYY-MM-DDTHH",
    description: what,
    parse: (value) => {
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(value)) return undefined;
      const ms = Date.parse(`${value}:00:00Z`);
      return Number.isNaN(ms) || isoHour(ms) !== value ? undefined : ms;
    },
  });

const COMMAND = command({
  name: "curate",
  summary:
    "Backfills telemetry_curated: merges and reconciles the arrival hours --from..--to, one arrival day per state machine execution.",
  options: {
    from: hour("the first arrival hour to merge (required)"),
    to: hour("the last arrival hour to merge, inclusive (required)"),
    "state-machine-arn": text({
      pattern: /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w-]{1,80}$/,
      expected: "a state machine ARN (the stack's CurationStateMachineArn output)",
      placeholder: "ARN",
      description: "the stack's curation state machine (output CurationStateMachineArn); required unless --dry-run",
    }),
    "dry-run": flag({ description: "print the executions it would start, one per arrival day, and start none" }),
    "show-sql": flag({ description: "with --dry-run: also print each day's MERGE as the state machine fills it" }),
  },
});

async function main({ values }: ArgsOf<typeof COMMAND>): Promise<number> {
  const { from, to } = values;
  if (from === undefined || to === undefined) throw new UsageError("--from and --to are required; see --help");
  if (to < from) throw new UsageError(`--to (${isoHour(to)}) is before --from (${isoHour(from)})`);
  const arn = values["state-machine-arn"];
  if (!values["dry-run"] && arn === undefined)
    throw new UsageError("--state-machine-arn is required (the stack's CurationStateMachineArn output), or --dry-run");
  const steps = backfillSteps(from, to);
  const hours = (to - from) / 3_600_000 + 1;
  console.log(
    `${values["dry-run"] ? "Dry run: would merge" : "Merging"} ${hours} arrival hours ${isoHour(from)}..${isoHour(to)} into telemetry_curated, in ${steps.length} execution${steps.length === 1 ? "" : "s"} (one arrival day each)${arn ? ` of ${arn}` : ""}`,
  );
  if (values["dry-run"]) {
    for (const [i, step] of steps.entries()) {
      console.log(
        `[${i + 1}/${steps.length}] ${isoHour(step.from)}..${isoHour(step.to)}: input ${JSON.stringify(step.input)}; event days ${step.window.firstDay}..${step.window.lastDay}`,
      );
      if (values["show-sql"]) console.log(fill(mergeSql(), mergeTokens(step.from, step.to)));
    }
    return 0;
  }
  const region = (arn as string).split(":")[3];
  const starter = stepFunctionsStarter(new SFNClient({ region }), arn as string, sleep);
  const summary = await runBackfill(steps, starter, (i, step, result) => {
    const r = result.reconciliation;
    console.log(
      `[${i + 1}/${steps.length}] ${isoHour(step.from)}..${isoHour(step.to)}: ${result.status} in ${result.seconds} s${
        r
          ? ` — ${r.raw_records.toLocaleString("en-US")} raw records, ${r.out_of_window} outside the window, ${r.missing} missing, ${r.duplicated} duplicated`
          : ` — ${result.error ?? ""}`
      }`,
    );
  });
  const [closing, ...failures] = summaryLines(summary);
  console.log(closing);
  for (const line of failures) console.error(`curate: ${line}`);
  return summary.failed.length === 0 ? 0 : 1;
}

if (import.meta.main) await runCommand(COMMAND, main);
