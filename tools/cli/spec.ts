/**
 * What a command declares (tools/cli/options.ts parses command lines against it): its name and
 * summary, its options, each made by the builder of its kind (kind, range or choices, default,
 * one-line description), and its positionals; and the options every command takes besides its own.
 */

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

/** The options every command takes besides its own. */
export const BUILT_IN = {
  "check-options": flag({ description: "check the options and exit (0, or 2 and one line), running nothing" }),
  help: flag({ description: "this text" }),
} as const;
