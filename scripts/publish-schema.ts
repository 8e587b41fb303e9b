/**
 * Writes the published JSON Schemas (schema/*.schema.json) from the contract versions in shared/contract/.
 *   node scripts/publish-schema.ts          write them
 *   node scripts/publish-schema.ts --check  fail if a committed schema differs from the contract
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PUBLISHED_SCHEMAS, publishedText } from "../tools/fixtures/schemas.ts";

const SCHEMA_DIR = join(import.meta.dirname, "..", "schema");

function main(check: boolean): number {
  let drift = 0;
  for (const [name, schema] of Object.entries(PUBLISHED_SCHEMAS)) {
    const path = join(SCHEMA_DIR, name);
    const text = publishedText(schema);
    if (!check) writeFileSync(path, text);
    else if (readFileSync(path, "utf8") !== text) {
      console.error(`schema/${name} differs from shared/contract/: run node scripts/publish-schema.ts`);
      drift++;
    }
  }
  return drift === 0 ? 0 : 1;
}

if (import.meta.main) process.exitCode = main(process.argv.includes("--check"));
