/**
 * Writes the sample events in events/ from a fixed seed. The small ones are committed; the
 * maximum-size one (close to Lambda's 6 MB payload) is generated on demand and ignored by git.
 *   node scripts/generate-events.ts          write all events
 *   node scripts/generate-events.ts --check  fail if a committed event differs from what is generated
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ArgsOf, command, flag, runCommand } from "../tools/cli/options.ts";
import { COMMITTED_EVENTS, maxSizeBatch } from "../tools/fixtures/events.ts";

const EVENTS_DIR = join(import.meta.dirname, "..", "events");

const COMMAND = command({
  name: "generate-events",
  summary: "Writes the sample events in events/ from a fixed seed.",
  options: { check: flag({ description: "fail if a committed event differs from what is generated" }) },
});

function main({ values: { check } }: ArgsOf<typeof COMMAND>): number {
  let drift = 0;
  for (const [name, build] of Object.entries(COMMITTED_EVENTS)) {
    const text = `${JSON.stringify(build(), null, 2)}\n`;
    const path = join(EVENTS_DIR, name);
    if (!check) writeFileSync(path, text);
    else if (readFileSync(path, "utf8") !== text) {
      console.error(`events/${name} differs from what scripts/generate-events.ts generates`);
      drift++;
    }
  }
  writeFileSync(join(EVENTS_DIR, "max-size-batch.json"), JSON.stringify(maxSizeBatch()));
  return drift === 0 ? 0 : 1;
}

if (import.meta.main) await runCommand(COMMAND, main);
