/**
 * Writes the published JSON Schemas (schema/*.schema.json) from the contract in shared/contract.ts,
 * so producers validate against the same definitions the consumer compiles.
 *   node scripts/publish-schema.ts          write them
 *   node scripts/publish-schema.ts --check  fail if a committed schema differs from the contract
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EnrichedTelemetryV1, TelemetryV1 } from "../shared/contract.ts";

export const PUBLISHED_SCHEMAS = {
  "telemetry-v1.schema.json": TelemetryV1,
  "enriched-telemetry-v1.schema.json": EnrichedTelemetryV1,
} as const;

const SCHEMA_DIR = join(import.meta.dirname, "..", "schema");

/** The schema as published: draft 2020-12, plain JSON (TypeBox's symbols do not serialise). */
export function publishedText(schema: object): string {
  return `${JSON.stringify({ $schema: "https://json-schema.org/draft/2020-12/schema", ...schema }, null, 2)}\n`;
}

function main(check: boolean): number {
  let drift = 0;
  for (const [name, schema] of Object.entries(PUBLISHED_SCHEMAS)) {
    const path = join(SCHEMA_DIR, name);
    const text = publishedText(schema);
    if (!check) writeFileSync(path, text);
    else if (readFileSync(path, "utf8") !== text) {
      console.error(`schema/${name} differs from shared/contract.ts: run node scripts/publish-schema.ts`);
      drift++;
    }
  }
  return drift === 0 ? 0 : 1;
}

if (import.meta.main) process.exitCode = main(process.argv.includes("--check"));
