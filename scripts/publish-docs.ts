/**
 * Writes the generated sections of the docs (between their BEGIN/END markers) from the one source of
 * each fact: the contract's fields and line order (shared/contract/), the rejection reasons
 * (shared/rejection.ts), the alarms and the parameters of the consumer stack (template.yaml).
 *   npm run docs:publish              write them
 *   npm run docs:publish -- --check   fail if a page differs from its sources
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ArgsOf, command, flag, runCommand } from "../tools/cli/options.ts";
import { GeneratedSectionError, withSections } from "../tools/docs/regions.ts";
import { generatedSections } from "../tools/docs/sections.ts";
import { consumerTemplate, TemplateShapeError } from "../tools/templates/consumer-template.ts";

const ROOT = join(import.meta.dirname, "..");

const COMMAND = command({
  name: "publish-docs",
  summary: "Writes the generated sections of docs/ (contract fields, rejection reasons, alarms, parameters).",
  options: { check: flag({ description: "fail if a page's generated sections differ from their sources" }) },
});

function main({ values: { check } }: ArgsOf<typeof COMMAND>): number {
  let pages: [string, string][];
  try {
    pages = Object.entries(generatedSections(consumerTemplate())).map(([page, sections]) => {
      const text = readFileSync(join(ROOT, page), "utf8");
      return [page, withSections(page, text, sections)];
    });
  } catch (error) {
    // A page without its markers, or a template it cannot read: one line, and nothing written.
    if (!(error instanceof GeneratedSectionError || error instanceof TemplateShapeError)) throw error;
    console.error(`publish-docs: ${error.message}`);
    return 1;
  }
  let drift = 0;
  for (const [page, generated] of pages) {
    const path = join(ROOT, page);
    if (readFileSync(path, "utf8") === generated) continue;
    if (!check) writeFileSync(path, generated);
    else {
      console.error(`${page}: its generated sections differ from their sources: run npm run docs:publish`);
      drift++;
    }
  }
  return drift === 0 ? 0 : 1;
}

if (import.meta.main) await runCommand(COMMAND, main);
