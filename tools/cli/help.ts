/** A command's `--help`: the text, and how the command is run from a fresh shell, which it starts with. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BUILT_IN, type Command, type Options } from "./spec.ts";

/**
 * How a command is run from a fresh shell: the npm script of package.json that runs
 * `scripts/<name>.ts` (or its shell wrapper `scripts/<name>.sh`), as `npm run <script> --`, which
 * works whatever `node` the machine has; `node scripts/<name>.ts` for a command no script runs.
 */
export function invocationOf(name: string): string {
  const scripts = packageScripts();
  const runs = (ending: string) =>
    Object.keys(scripts).find((script) => new RegExp(`(^|\\s)scripts/${ending}(\\s|$)`).test(scripts[script] ?? ""));
  const script = runs(`${name}\\.ts`) ?? runs(`${name}\\.sh`);
  return script === undefined ? `node scripts/${name}.ts` : `npm run ${script} --`;
}

let scriptsRead: Readonly<Record<string, string>> | undefined;
/** package.json's scripts, read once; none when it cannot be read (a command copied elsewhere). */
function packageScripts(): Readonly<Record<string, string>> {
  if (scriptsRead === undefined) {
    try {
      const file = join(import.meta.dirname, "..", "..", "package.json");
      scriptsRead = (JSON.parse(readFileSync(file, "utf8")) as { scripts?: Record<string, string> }).scripts ?? {};
    } catch {
      scriptsRead = {};
    }
  }
  return scriptsRead;
}

/** The --help text: a usage line, the summary, one line per option with its accepted form and default. */
export function helpText<O extends Options>(spec: Command<O>): string {
  const p = spec.positionals;
  const rows: [string, string][] = Object.entries({ ...spec.options, ...BUILT_IN }).map(([name, option]) => {
    const form = option.placeholder === undefined ? "" : ` ${option.placeholder}`;
    const accepted = option.placeholder === undefined ? "" : `: ${option.expected}`;
    const fallback = option.defaultText === undefined ? "" : ` (default ${option.defaultText})`;
    return [`--${name}${form}`, `${option.description}${accepted}${fallback}`];
  });
  if (p) {
    const choices = p.choices ? `: ${p.choices.join(", ")}` : "";
    rows.unshift([`${p.name.replace(/\s+/g, "-")} ...`, `${p.description}${choices}`]);
  }
  const width = Math.max(...rows.map(([left]) => left.length));
  return [
    `usage: ${invocationOf(spec.name)} [options]${p ? ` [${p.name.replace(/\s+/g, "-")} ...]` : ""}`,
    ...spec.summary.split("\n").map((line) => `  ${line}`),
    "",
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
    "",
  ].join("\n");
}
