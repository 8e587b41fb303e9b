/**
 * Writes the query layer's generated resources into template.yaml (between its markers): the Glue
 * table's columns from the output contract (shared/contract.ts), the de-duplicating view, and one
 * named query per queries/*.sql.
 *   node scripts/publish-query.ts          write them
 *   node scripts/publish-query.ts --check  fail if template.yaml differs from the contract and queries
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ArgsOf, command, flag, runCommand } from "../tools/cli/options.ts";
import { generatedRegion, regionOf, withRegion } from "../tools/query/template.ts";

const TEMPLATE = join(import.meta.dirname, "..", "template.yaml");

const COMMAND = command({
  name: "publish-query",
  summary: "Writes the query layer's generated resources (table columns, view, named queries) into template.yaml.",
  options: { check: flag({ description: "fail if template.yaml differs from the contract and queries/" }) },
});

function main({ values: { check } }: ArgsOf<typeof COMMAND>): number {
  const template = readFileSync(TEMPLATE, "utf8");
  const region = generatedRegion();
  if (!check) {
    writeFileSync(TEMPLATE, withRegion(template, region));
    return 0;
  }
  if (regionOf(template) === region) return 0;
  console.error(
    "template.yaml's query resources differ from shared/contract.ts or queries/: run npm run query:publish",
  );
  return 1;
}

if (import.meta.main) await runCommand(COMMAND, main);
