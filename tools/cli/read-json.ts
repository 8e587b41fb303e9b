import { readFileSync } from "node:fs";

/**
 * What `file` holds as JSON, or why it cannot be read as JSON: a phrase naming it as `what` ("event
 * file"), for a positional's or an option's check.
 */
export function readJsonFile(file: string, what: string): { readonly json: unknown } | { readonly problem: string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    return {
      problem: `${what} ${JSON.stringify(file)} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    };
  }
  try {
    return { json: JSON.parse(text) };
  } catch (error) {
    return { problem: `${what} ${JSON.stringify(file)} is not JSON (${(error as Error).message})` };
  }
}
