/**
 * Every command's options, declared once: node:util's parseArgs in strict mode underneath, and a
 * spec per option (kind, range or choices, default, one-line description) from which both the
 * checks and `--help` are made. A mistake (unknown option, missing value, wrong type, out of range,
 * not among the choices, bad positional) becomes one line on stderr and exit code 2, before the
 * command does any work; never a stack trace, never a run.
 *
 *   const COMMAND = command({
 *     name: "fuzz",
 *     summary: "The long hostile-input run.",
 *     options: { runs: integer({ min: 1, default: 100_000, description: "hostile batches to check" }) },
 *   });
 *   async function main({ values }: ArgsOf<typeof COMMAND>) { … values.runs (a number) … }
 *   await runCommand(COMMAND, main);
 *
 * Every command also takes `--help` and `--check-options` (check the options, run nothing: the shell
 * wrappers call it before their slow build).
 *
 * This file parses and runs; the spec's types and the option builders are spec.ts's, the help text
 * help.ts's, readJsonFile read-json.ts's. A command imports them all from here.
 */
import { parseArgs } from "node:util";
import { helpText } from "./help.ts";
import { type Args, BUILT_IN, type Command, type Options, type Values } from "./spec.ts";

export { helpText, invocationOf } from "./help.ts";
export { readJsonFile } from "./read-json.ts";
export {
  type Args,
  type ArgsOf,
  type Command,
  choice,
  command,
  custom,
  flag,
  integer,
  list,
  number,
  type Option,
  type Options,
  type Positionals,
  text,
  type Values,
} from "./spec.ts";

/** A mistake on the command line: its message is the one line printed (after `<command>: `). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** What the command line asks for: a run with these arguments, the help text, or only a check. */
export type Request<O extends Options> =
  | ({ readonly kind: "run" } & Args<O>)
  | { readonly kind: "check" }
  | { readonly kind: "help"; readonly text: string };

/** The option a parseArgs message is about ("Option '--x <value>' argument missing" → "--x"). */
const quoted = (message: string) => /'(-{1,2}[^' ]*|[^']*)/.exec(message)?.[1] ?? "";

/** The name a typo most likely meant: at most two edits away (a `_` for a `-` is none), if one is. */
function closest(typed: string, names: readonly string[]): string | undefined {
  const wanted = typed.toLowerCase().replaceAll("_", "-");
  const distance = (a: string, b: string): number => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) {
        next[j] = Math.min(
          (row[j] ?? 0) + 1,
          (next[j - 1] ?? 0) + 1,
          (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
      }
      row = next;
    }
    return row[b.length] ?? 0;
  };
  const [best] = names
    .map((name) => ({ name, d: distance(wanted, name) }))
    .filter(({ d }) => d <= 2 && d < wanted.length)
    .sort((x, y) => x.d - y.d);
  return best?.name;
}

function usageErrorFrom(error: unknown, options: Options): UsageError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const subject = quoted(message);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const near = closest(subject.replace(/^-+/, ""), Object.keys(options));
    return new UsageError(`unknown option ${subject}; ${near ? `did you mean --${near}? ` : ""}see --help`);
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL")
    return new UsageError(
      `unexpected argument ${JSON.stringify(subject)}: this command takes options only; see --help`,
    );
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    if (message.includes("does not take an argument")) return new UsageError(`${subject} takes no value`);
    const option = options[subject.replace(/^--/, "")];
    return new UsageError(`${subject} needs a value${option ? `: ${option.expected}` : ""}`);
  }
  throw error;
}

/**
 * What `argv` asks of the command. `--help` anywhere wins over everything else.
 * @throws UsageError for any mistake, its message the line to print.
 */
export function parseCommandLine<O extends Options>(spec: Command<O>, argv: readonly string[]): Request<O> {
  const end = argv.indexOf("--");
  const own = end === -1 ? argv : argv.slice(0, end);
  if (own.includes("--help") || own.includes("-h")) return { kind: "help", text: helpText(spec) };
  const all: Options = { ...spec.options, ...BUILT_IN };
  // parseArgs takes `--runs -5` for a forgotten value; a negative number is a value (then out of range).
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    const takesValue = arg.startsWith("--") && all[arg.slice(2)]?.placeholder !== undefined;
    if (i + 1 < own.length && takesValue && next !== undefined && /^-\.?\d/.test(next)) {
      args.push(`${arg}=${next}`);
      i++;
    } else args.push(arg);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: spec.positionals !== undefined,
      options: Object.fromEntries(
        Object.entries(all).map(([name, option]) => [
          name,
          { type: option.placeholder === undefined ? "boolean" : "string", multiple: option.multiple },
        ]),
      ),
    });
  } catch (error) {
    throw usageErrorFrom(error, all);
  }
  const checked = checkAll(spec, parsed);
  return parsed.values["check-options"] === true ? { kind: "check" } : { kind: "run", ...checked };
}

function checkAll<O extends Options>(spec: Command<O>, parsed: ReturnType<typeof parseArgs>): Args<O> {
  const values: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(spec.options)) {
    const raw = parsed.values[name];
    if (raw === undefined) {
      values[name] = option.default;
      continue;
    }
    const text = Array.isArray(raw) ? raw.join(",") : String(raw);
    const value = option.parse(text);
    if (value === undefined) throw new UsageError(`--${name} must be ${option.expected} (got ${JSON.stringify(text)})`);
    values[name] = value;
  }
  const p = spec.positionals;
  for (const positional of parsed.positionals) {
    if (p?.choices && !p.choices.includes(positional)) {
      throw new UsageError(`unknown ${p.name} ${JSON.stringify(positional)}; choose from ${p.choices.join(", ")}`);
    }
    const problem = p?.check?.(positional);
    if (problem !== undefined) throw new UsageError(problem);
  }
  // The loop above gave each option of the spec its parsed value or its default.
  return { values: values as Values<O>, positionals: parsed.positionals };
}

/**
 * A command's entry point: parses `argv` (the process's by default) against the spec, then runs
 * `main` with the typed values. A usage mistake, here or thrown by main as a UsageError, prints one
 * line to stderr and sets exit code 2; `--help` prints the help; `--check-options` runs nothing. Main's
 * number, if it returns one, becomes the exit code; any other error is left to Node (message, exit 1).
 */
export async function runCommand<O extends Options>(
  spec: Command<O>,
  main: (args: Args<O>) => number | Promise<number> | Promise<void>,
  argv: readonly string[] = process.argv.slice(2),
): Promise<void> {
  try {
    const request = parseCommandLine(spec, argv);
    if (request.kind === "help") process.stdout.write(request.text);
    if (request.kind !== "run") return;
    const code = await main(request);
    if (typeof code === "number") process.exitCode = code;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // One line, whatever the message holds (a JSON parser's complaint, say).
    process.stderr.write(`${spec.name}: ${error.message.replace(/\s*\n\s*/g, " ")}\n`);
    process.exitCode = 2;
  }
}
