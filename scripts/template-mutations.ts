/**
 * The access matrix under systematic mutation of both templates' policies
 * (tools/templates/mutations.ts): every mutant, the cases run against it, caught/total, and every
 * survivor with the reason it is known to be harmless, or NEW. Exit code 1 when fewer than 90 %
 * are caught, a survivor is new, a known survivor is now caught (the list must stay true), or a
 * mutant could not be evaluated.
 *   node scripts/template-mutations.ts [--only TEXT] [--show-caught] [--json]
 */
import { type ArgsOf, command, flag, runCommand, text } from "../tools/cli/options.ts";
import { ALL_ACCESS_CASES } from "../tools/templates/access/index.ts";
import { gateProblems, KNOWN_SURVIVORS } from "../tools/templates/mutation-survivors.ts";
import { allMutants, runMutations } from "../tools/templates/mutations.ts";
import { loadTranslated } from "../tools/templates/two-accounts.ts";

const COMMAND = command({
  name: "template-mutations",
  summary: "Mutates every policy of both templates, one change at a time, and runs the access matrix against each.",
  options: {
    only: text({ description: "run only the mutants whose id contains this text (no pass/fail verdict then)" }),
    "show-caught": flag({ description: "also list each caught mutant with the first case that caught it" }),
    json: flag({ description: "print the whole report as JSON" }),
  },
});

async function main({ values }: ArgsOf<typeof COMMAND>): Promise<number> {
  const every = allMutants({ consumer: loadTranslated("consumer"), producer: loadTranslated("producer") });
  const mutants = values.only === undefined ? every : every.filter((m) => m.id.includes(values.only as string));
  const report = await runMutations(ALL_ACCESS_CASES, mutants);
  const total = report.results.length;
  const share = total === 0 ? 0 : report.caught / total;
  const unknown = report.survivors.filter((id) => !(id in KNOWN_SURVIVORS));
  const nowCaught = Object.keys(KNOWN_SURVIVORS).filter((id) => !report.survivors.includes(id));
  if (values.json) {
    console.log(
      JSON.stringify({ ...report, share, newSurvivors: unknown, knownSurvivorsNowCaught: nowCaught }, null, 2),
    );
  } else {
    if (values["show-caught"])
      for (const r of report.results.filter((r) => r.caught))
        console.log(`caught    ${r.id}\n          by ${r.caughtBy[0]}`);
    for (const r of report.results.filter((r) => r.error !== undefined))
      console.log(`error     ${r.id}\n          ${r.error}`);
    for (const id of report.survivors)
      console.log(`survivor  ${id}\n          ${KNOWN_SURVIVORS[id] ?? "NEW: no case notices it"}`);
    console.log(
      `${report.caught}/${total} mutants caught (${(share * 100).toFixed(1)} %) by ${report.cases} cases; ` +
        `${report.simulations} distinct simulations in ${report.seconds.toFixed(1)} s`,
    );
  }
  if (values.only !== undefined) return 0;
  const problems = gateProblems(report);
  for (const problem of problems) console.error(`template-mutations: ${problem}`);
  return problems.length === 0 ? 0 : 1;
}

await runCommand(COMMAND, main);
