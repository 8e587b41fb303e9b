/**
 * Writes the published JSON Schemas (schema/*.schema.json) from the contract versions in shared/contract/.
 *   node scripts/publish-schema.ts          write them
 *   node scripts/publish-schema.ts --check  fail if a committed schema differs from the contract
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ArgsOf, command, flag, runCommand } from "../tools/cli/options.ts";
import { PUBLISHED_SCHEMAS, publishedText } from "../tools/fixtures/schemas.ts";

const SCHEMA_DIR = join(import.meta.dirname, "..", "schema");

const COMMAND = command({
  name: "publish-schema",
  summary: "Writes the published JSON Schemas (schema/*.schema.json) from shared/contract.ts.",
  options: { check: flag({ description: "fail if a committed schema differs from the contract" }) },
});

function main({ values: { check } }: ArgsOf<typeof COMMAND>): number {
  let drift = 0;
  for (const [name, schema] of Object.entries(PUBLISHED_SCHEMAS)) {
    const path = join(SCHEMA_DIR, name);
    const text = publishedText(schema);
    if (!check) writeFileSync(path, text);
    else if (readFileSync(path, "utf8") !== text) {
      console.error(`schema/${name} differs from shared/contract/: run npm run schema`);
      drift++;
    }
  }
  return drift === 0 ? 0 : 1;
}

if (import.meta.main) await runCommand(COMMAND, main);
