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
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

/** A mistake on the command line: its message is the one line printed (after `<command>: `). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** One option, as the builders below make it. */
export interface Option<T> {
  readonly description: string;
  /** The value's form in --help ("N", "X", "A:B", "a|b"); undefined for a flag, which takes no value. */
  readonly placeholder: string | undefined;
  /** What is accepted, completing "must be …" ("an integer ≥ 1"). */
  readonly expected: string;
  readonly default: T;
  /** The default as --help shows it; undefined to show none. */
  readonly defaultText: string | undefined;
  /** Repeatable (a list): the occurrences reach `parse` joined with commas. */
  readonly multiple: boolean;
  /** The value from its text, or undefined if the text is not accepted. */
  readonly parse: (text: string) => T | undefined;
}

/** A command's options by name (without the leading --). */
export type Options = Record<string, Option<unknown>>;

/** The values a command's main receives, typed from its spec. */
export type Values<O extends Options> = { readonly [K in keyof O]: O[K] extends Option<infer T> ? T : never };

/** Arguments that are not options (event files, scenario names), each checked before the run. */
export interface Positionals {
  /** What one is, singular ("scenario", "event file"). */
  readonly name: string;
  readonly description: string;
  /** The accepted names: anything else is "unknown <name> "x"; choose from …". */
  readonly choices?: readonly string[];
  /** A problem with one (a full phrase, e.g. `event file "x" cannot be read: …`), or undefined if it is fine. */
  readonly check?: (text: string) => string | undefined;
}

export interface Command<O extends Options> {
  /** The script's name, `scripts/<name>.ts`: it starts every error line. */
  readonly name: string;
  /** One or two lines under the usage line in --help. */
  readonly summary: string;
  readonly options: O;
  /** Absent: the command takes none, and any is a mistake. */
  readonly positionals?: Positionals;
}

export interface Args<O extends Options> {
  readonly values: Values<O>;
  readonly positionals: readonly string[];
}

/** What the command line asks for: a run with these arguments, the help text, or only a check. */
export type Request<O extends Options> =
  | ({ readonly kind: "run" } & Args<O>)
  | { readonly kind: "check" }
  | { readonly kind: "help"; readonly text: string };

/** The arguments its main receives, from a command's spec: `ArgsOf<typeof COMMAND>`. */
export type ArgsOf<C> = C extends Command<infer O> ? Args<O> : never;

/** Declares a command (an identity function, there for the types to be inferred). */
export function command<const O extends Options>(spec: Command<O>): Command<O> {
  return spec;
}

interface Described {
  readonly description: string;
}
interface Bounds {
  /** Inclusive. */
  readonly min?: number;
  /** Inclusive. */
  readonly max?: number;
}

const show = (n: number) => n.toLocaleString("en-US");

function bounded(noun: string, { min, max, above }: Bounds & { above?: number }): string {
  const low = above !== undefined ? `> ${show(above)}` : min !== undefined ? `≥ ${show(min)}` : undefined;
  if (min !== undefined && max !== undefined) return `${noun} from ${show(min)} to ${show(max)}`;
  if (low !== undefined && max !== undefined) return `${noun} ${low} and ≤ ${show(max)}`;
  if (low !== undefined) return `${noun} ${low}`;
  if (max !== undefined) return `${noun} ≤ ${show(max)}`;
  return noun;
}

const within = (n: number, { min, max, above }: Bounds & { above?: number }) =>
  (min === undefined || n >= min) && (max === undefined || n <= max) && (above === undefined || n > above);

/** A whole number (digits, optionally signed; no exponent, no hex). */
export function integer(spec: Described & Bounds & { readonly default: number }): Option<number>;
export function integer(spec: Described & Bounds): Option<number | undefined>;
export function integer(spec: Described & Bounds & { readonly default?: number }): Option<number | undefined> {
  return {
    description: spec.description,
    placeholder: "N",
    expected: bounded("an integer", spec),
    default: spec.default,
    defaultText: spec.default === undefined ? undefined : String(spec.default),
    multiple: false,
    parse: (text) => {
      if (!/^[+-]?\d+$/.test(text)) return undefined;
      const n = Number(text);
      return Number.isSafeInteger(n) && within(n, spec) ? n : undefined;
    },
  };
}

/** A decimal number (0.5, 1e3; not Infinity, not hex); `above` is an exclusive lower bound. */
export function number(
  spec: Described & Bounds & { readonly above?: number; readonly default: number },
): Option<number>;
export function number(spec: Described & Bounds & { readonly above?: number }): Option<number | undefined>;
export function number(
  spec: Described & Bounds & { readonly above?: number; readonly default?: number },
): Option<number | undefined> {
  return {
    description: spec.description,
    placeholder: "X",
    expected: bounded("a number", spec),
    default: spec.default,
    defaultText: spec.default === undefined ? undefined : String(spec.default),
    multiple: false,
    parse: (text) => {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return undefined;
      const n = Number(text);
      return Number.isFinite(n) && within(n, spec) ? n : undefined;
    },
  };
}

interface TextSpec extends Described {
  /** The whole text must match (default: any non-empty text). */
  readonly pattern?: RegExp;
  /** Completes "must be …" (default "a non-empty text"). */
  readonly expected?: string;
  readonly placeholder?: string;
}

/** A text, non-empty, optionally matching a pattern. */
export function text(spec: TextSpec & { readonly default: string }): Option<string>;
export function text(spec: TextSpec): Option<string | undefined>;
export function text(spec: TextSpec & { readonly default?: string }): Option<string | undefined> {
  return {
    description: spec.description,
    placeholder: spec.placeholder ?? "TEXT",
    expected: spec.expected ?? "a non-empty text",
    default: spec.default,
    defaultText: spec.default,
    multiple: false,
    parse: (value) => (value !== "" && (spec.pattern?.test(value) ?? true) ? value : undefined),
  };
}

/** A switch: present is true, absent false; it takes no value. */
export function flag(spec: Described): Option<boolean> {
  return {
    description: spec.description,
    placeholder: undefined,
    expected: "given without a value",
    default: false,
    defaultText: undefined,
    multiple: false,
    parse: () => true,
  };
}

/** One of a fixed list of names. */
export function choice<const C extends readonly string[]>(
  spec: Described & { readonly choices: C; readonly default: C[number] },
): Option<C[number]> {
  return {
    description: spec.description,
    placeholder: spec.choices.join("|"),
    expected: `one of ${spec.choices.join(", ")}`,
    default: spec.default,
    defaultText: spec.default,
    multiple: false,
    parse: (value) => spec.choices.find((c) => c === value),
  };
}

/** Some of a fixed list of names, comma-separated or the option repeated; no duplicates. */
export function list<const C extends readonly string[]>(
  spec: Described & { readonly choices: C; readonly default: readonly C[number][] },
): Option<readonly C[number][]> {
  return {
    description: spec.description,
    placeholder: `${spec.choices[0] ?? "NAME"},…`,
    expected: `a comma-separated list of ${spec.choices.join(", ")}`,
    default: spec.default,
    defaultText: spec.default.length > 0 ? spec.default.join(",") : undefined,
    multiple: true,
    parse: (value) => {
      const names = value.split(",");
      const known = names.flatMap((name) => spec.choices.filter((c) => c === name));
      return known.length === names.length && new Set(known).size === known.length ? known : undefined;
    },
  };
}

interface CustomSpec<T> extends Described {
  /** The form in --help ("A:B"). */
  readonly placeholder: string;
  /** Completes "must be …" ("two integers ≥ 1 as A:B"). */
  readonly expected: string;
  /** The value, or undefined if the text is not accepted. */
  readonly parse: (text: string) => T | undefined;
}

/** Any other form, with its own parser. */
export function custom<T>(spec: CustomSpec<T> & { readonly default: T; readonly defaultText: string }): Option<T>;
export function custom<T>(spec: CustomSpec<T>): Option<T | undefined>;
export function custom<T>(
  spec: CustomSpec<T> & { readonly default?: T; readonly defaultText?: string },
): Option<T | undefined> {
  return {
    description: spec.description,
    placeholder: spec.placeholder,
    expected: spec.expected,
    default: spec.default,
    defaultText: spec.defaultText,
    multiple: false,
    parse: spec.parse,
  };
}

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

const BUILT_IN = {
  "check-options": flag({ description: "check the options and exit (0, or 2 and one line), running nothing" }),
  help: flag({ description: "this text" }),
} as const;

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
