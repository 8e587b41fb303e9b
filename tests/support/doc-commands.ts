/**
 * The command lines of the documentation, read the way a shell reads them, and the rules they must
 * keep to run as written in a fresh shell after the quick start (whatever `node` the machine has):
 * see tests/unit/repo/doc-commands.test.ts, which checks them against the repository and the tools.
 */

/** One command line of a page: where it is and its text (continuation lines joined). */
export interface CommandLine {
  readonly page: string;
  /** 1-based line of the page where it starts. */
  readonly line: number;
  readonly text: string;
  /**
   * A `$ ` line of a transcript (a fenced block that shows output): it may show a mistake on purpose,
   * so it must run in a fresh shell, but its options are the transcript's, not checked.
   */
  readonly transcript: boolean;
}

/** The first words of an inline code span that make it a command line (a span needs two words or more). */
export const COMMAND_WORDS = new Set([
  "npm",
  "npx",
  "bash",
  "sh",
  "source",
  "node",
  "vitest",
  "tsc",
  "stryker",
  "biome",
  "esbuild",
  "sam",
  "aws",
  "checkov",
  "moto_server",
]);

/** Fenced blocks whose every line is shell; in any other fenced block only `$ ` lines are commands. */
const SHELL_FENCES = new Set(["bash", "sh", "shell"]);

/** The character after `<` that makes it a placeholder the reader fills in (`<name>`, `<…>`), not a redirection. */
const PLACEHOLDER_START = /[\p{L}…]/u;

/** Whether a (partial) shell text ends inside quotes or with a line continuation (placeholders are opaque). */
function continues(text: string): boolean {
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
    } else if (c === "\\") i++;
    else if (quote === '"') {
      if (c === '"') quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "<" && PLACEHOLDER_START.test(text[i + 1] ?? "") && text.indexOf(">", i) !== -1)
      i = text.indexOf(">", i);
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1] ?? ""))) break;
  }
  return quote !== undefined || /\\$/.test(text);
}

/** Words of an inline span, as a shell splits them (enough to tell a command from a name). */
function firstWords(text: string): string[] {
  const words = text.trim().split(/\s+/);
  while (words.length > 0 && /^[A-Za-z_]\w*=/.test(words[0] ?? "")) words.shift();
  return words;
}

/**
 * The command lines of a Markdown page: every logical line of a fenced bash/sh/shell/console block
 * (a line continued with `\` or inside quotes is joined to the next), every `$ ` line of any other
 * fenced block (a transcript), and every inline code span outside headings whose first word (after `VAR=value`
 * assignments) is one of COMMAND_WORDS and that has at least two words.
 */
export function commandLines(page: string, markdown: string): CommandLine[] {
  const found: CommandLine[] = [];
  const lines = markdown.split("\n");
  let fence: string | undefined;
  let pending: { line: number; text: string } | undefined;
  lines.forEach((raw, index) => {
    const number = index + 1;
    const opening = /^\s*(```|~~~)\s*([\w-]*)/.exec(raw);
    if (fence === undefined) {
      if (opening) {
        fence = opening[2] ?? "";
        return;
      }
      if (/^#{1,6}\s/.test(raw)) return;
      for (const match of raw.matchAll(/`([^`]+)`/g)) {
        const text = match[1] ?? "";
        const words = firstWords(text);
        if (words.length >= 2 && COMMAND_WORDS.has(words[0] ?? ""))
          found.push({ page, line: number, text, transcript: false });
      }
      return;
    }
    if (opening && pending === undefined) {
      fence = undefined;
      return;
    }
    if (SHELL_FENCES.has(fence)) {
      const text = pending ? `${pending.text}\n${raw}` : raw;
      const start = pending?.line ?? number;
      if (continues(text)) {
        pending = { line: start, text };
        return;
      }
      pending = undefined;
      if (text.trim() !== "" && !/^\s*#/.test(text)) found.push({ page, line: start, text, transcript: false });
      return;
    }
    const prompted = /^\s*\$\s+(.*)$/.exec(raw);
    if (prompted) found.push({ page, line: number, text: prompted[1] ?? "", transcript: true });
  });
  return found;
}

/** One simple command of a line: its words, quotes removed, redirections dropped. */
export type Words = readonly string[];

/** Why a text could not be read as shell. */
export class ShellSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShellSyntaxError";
  }
}

/**
 * The simple commands of a shell text, in order: split at newlines, `;`, `&`, `&&`, `||` and `|`;
 * quotes and line continuations resolved; comments and redirections (`>x`, `2>&1`, `< file`) dropped.
 * A placeholder (`<name>`, `<the stack's region>`) is kept as part of its word, and `$(…)` is one
 * word with what it holds.
 * @throws ShellSyntaxError for an unclosed quote or `$(`.
 */
export function shellCommands(text: string): Words[] {
  const commands: Words[] = [];
  let words: string[] = [];
  let word: string | undefined;
  let redirectTarget = false;
  const endWord = () => {
    if (word !== undefined) {
      if (redirectTarget) redirectTarget = false;
      else words.push(word);
    }
    word = undefined;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === "\\") {
      if (next === "\n") i++;
      else {
        word = (word ?? "") + (next ?? "");
        i++;
      }
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end === -1) throw new ShellSyntaxError(`unclosed ' in: ${text}`);
      word = (word ?? "") + text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      let value = "";
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\\" && /["\\$`]/.test(text[j + 1] ?? "")) j++;
        value += text[j];
        j++;
      }
      if (j >= text.length) throw new ShellSyntaxError(`unclosed " in: ${text}`);
      word = (word ?? "") + value;
      i = j;
    } else if (c === "$" && next === "(") {
      let depth = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === "(") depth++;
        else if (text[j] === ")" && --depth === 0) break;
      }
      if (j >= text.length) throw new ShellSyntaxError(`unclosed $( in: ${text}`);
      word = (word ?? "") + text.slice(i, j + 1);
      i = j;
    } else if (c === "<" && PLACEHOLDER_START.test(next ?? "") && text.indexOf(">", i) !== -1) {
      const end = text.indexOf(">", i);
      word = (word ?? "") + text.slice(i, end + 1);
      i = end;
    } else if (c === "#" && word === undefined) {
      while (i + 1 < text.length && text[i + 1] !== "\n") i++;
    } else if (c === ">" || c === "<") {
      if (word !== undefined && /^\d+$/.test(word)) word = undefined;
      endWord();
      if (next === ">" || next === "&") i++;
      redirectTarget = true;
    } else if (c === "\n" || c === ";" || c === "|" || c === "&") {
      if ((c === "&" || c === "|") && next === c) i++;
      endCommand();
    } else if (c === " " || c === "\t") {
      endWord();
    } else {
      word = (word ?? "") + c;
    }
  }
  endCommand();
  return commands;
}

/** A word the reader fills in: `<name>`, or one holding `…`. */
export const isPlaceholder = (word: string) => /<[^<>]+>|…/.test(word);

/** The words of a command without its leading `VAR=value` assignments. */
export function withoutAssignments(words: Words): Words {
  let i = 0;
  while (i < words.length && /^[A-Za-z_]\w*=/.test(words[i] ?? "")) i++;
  return words.slice(i);
}

/**
 * What a command finds on PATH: `none` in a fresh shell (the machine's own `node`, maybe 20);
 * `npm` inside an npm script (node_modules/.bin, so Node 24 and the npm tools); `setup` after
 * `source scripts/setup.sh` (that, plus the SAM CLI, moto and `SAM_PYTHON`).
 */
export type Environment = "none" | "npm" | "setup";

/** npm commands that run the package.json script of the same name. */
const NPM_SCRIPT_ALIASES = new Set(["test", "start", "stop", "restart"]);
/** Tools from node_modules/.bin: on PATH in an npm script or after setup. */
const NPM_TOOLS = new Set(["tsc", "biome", "esbuild"]);
/**
 * Commands that need setup's whole environment: the commands of scripts/ and the test runners start
 * moto or call the SAM CLI's Python, and the Python tools live in setup's virtualenv.
 */
const SETUP_TOOLS = new Set(["node", "vitest", "stryker", "checkov", "moto_server"]);
/**
 * The SAM CLI commands that are the project's build (`npm run build`, scripts/build.sh): in a fresh
 * shell they need setup's SAM CLI. The others act on an AWS account (`sam deploy`, `sam remote
 * invoke`) or on Docker (`sam local invoke`) and run with the reader's SAM CLI, or the project's after
 * `source scripts/setup.sh`, as `aws` runs with the reader's AWS CLI.
 */
const SAM_BUILD_COMMANDS = new Set(["build", "validate"]);

/** A script's line that sources setup.sh (as `"$(dirname "${BASH_SOURCE[0]}")/setup.sh"`, or from the root). */
const SOURCES_SETUP = /^\s*(?:source|\.)\s+(?:"\$\(dirname "\$\{BASH_SOURCE\[0\]\}"\)\/|scripts\/)setup\.sh"?\s*$/m;

/** A check that needs the tool itself: a process to spawn. */
export type ToolCheck =
  /** `node scripts/<x>.ts` with these arguments: the command's own parser (tools/cli/options.ts). */
  | { readonly kind: "command"; readonly script: string; readonly args: Words }
  /** `vitest run`, `stryker run`, `biome ci`, `tsc`: the arguments the docs pass, against `<tool> --help`. */
  | { readonly kind: "tool"; readonly tool: Words; readonly fixed: Words; readonly args: Words }
  /** `sam <command path>`: options against the SAM CLI's definition of that command. */
  | { readonly kind: "sam"; readonly path: Words; readonly args: Words }
  /** `aws <service> <operation>`: options against the operation's model (botocore). */
  | { readonly kind: "aws"; readonly service: string; readonly operation: string; readonly args: Words };

/** What the repository holds that the rules read. */
export interface Repository {
  /** package.json's scripts. */
  readonly scripts: Readonly<Record<string, string>>;
  /** A repository file's text, or undefined if there is none. */
  readonly read: (path: string) => string | undefined;
}

export interface Verdict {
  /** What is wrong with the line, one phrase each. */
  readonly problems: string[];
  /** What the tools must still confirm. */
  readonly checks: ToolCheck[];
}

const options = (words: Words) => words.filter((w) => w.startsWith("-") && w !== "-" && w !== "--");

/** The config environments samconfig.toml defines (`[name.deploy.parameters]` → name). */
export function samConfigEnvironments(samconfig: string): Set<string> {
  return new Set([...samconfig.matchAll(/^\[([\w-]+)\./gm)].map((m) => m[1] as string));
}

/**
 * Whether a doc line runs as written in a fresh shell, and what the tools must confirm. A line is a
 * list of commands; `source scripts/setup.sh` gives the commands after it on the line setup's
 * environment. Each command is followed through npm scripts and scripts/*.sh to what finally runs
 * with the line's arguments.
 */
export function judgeLine(text: string, repository: Repository): Verdict {
  const verdict: Verdict = { problems: [], checks: [] };
  let commands: Words[];
  try {
    commands = shellCommands(text);
  } catch (error) {
    return { problems: [(error as Error).message], checks: [] };
  }
  let environment: Environment = "none";
  for (const command of commands) {
    const words = withoutAssignments(command);
    if ((words[0] === "source" || words[0] === ".") && words[1] === "scripts/setup.sh" && words.length === 2) {
      environment = "setup";
      continue;
    }
    judgeCommand(words, 0, environment, repository, verdict, `\`${words.join(" ")}\``);
  }
  return verdict;
}

/**
 * One command: `words[docFrom…]` are the line's own words, the ones before come from an npm script
 * or a shell script that the line runs. `where` names the command for the problems.
 */
function judgeCommand(
  words: Words,
  docFrom: number,
  environment: Environment,
  repository: Repository,
  verdict: Verdict,
  where: string,
): void {
  const [program = "", ...rest] = words;
  const docArgs = (from: number) => words.slice(Math.max(from, docFrom));
  const needs = (level: "npm" | "setup") => {
    if (environment === "setup" || (level === "npm" && environment === "npm")) return true;
    const fix =
      docFrom === 0
        ? "use npm run <script> -- …, or begin the line with source scripts/setup.sh &&"
        : "give it setup's environment (bash scripts/run.sh in package.json, or a script that sources setup.sh)";
    verdict.problems.push(
      `${where}: \`${program}\` ${level === "npm" ? "is in node_modules/.bin" : "needs scripts/setup.sh's environment"} (${
        program === "node" ? "and the machine's node may be 20, which cannot run .ts" : "not on PATH in a fresh shell"
      }); ${fix}`,
    );
    return false;
  };

  if (program === "npm") {
    const at = rest.findIndex((w) => !w.startsWith("-"));
    const sub = rest[at] ?? "";
    const alias = NPM_SCRIPT_ALIASES.has(sub);
    if (sub === "exec" || sub === "x") {
      verdict.problems.push(`${where}: npm exec runs the machine's node; use npm run <script>`);
      return;
    }
    // npm's own commands (npm ci, npm install) run with the machine's npm, which is enough for them.
    if (sub !== "run" && sub !== "run-script" && !alias) return;
    const after = alias ? [sub, ...rest.slice(at + 1)] : rest.slice(at + 1);
    const nameAt = after.findIndex((w) => !w.startsWith("-"));
    const name = after[nameAt] ?? "";
    if (isPlaceholder(name)) return;
    const script = repository.scripts[name];
    if (script === undefined) {
      verdict.problems.push(`${where}: package.json has no script "${name}"`);
      return;
    }
    const tail = after.slice(nameAt + 1);
    if (tail.length > 0 && tail[0] !== "--") {
      verdict.problems.push(`${where}: the script's arguments must follow \`--\` (npm takes options before it)`);
      return;
    }
    let scriptCommands: Words[];
    try {
      scriptCommands = shellCommands(script);
    } catch (error) {
      verdict.problems.push(`package.json script "${name}": ${(error as Error).message}`);
      return;
    }
    const last = withoutAssignments(scriptCommands.at(-1) ?? []);
    const args = tail.slice(1);
    judgeCommand(
      [...last, ...args],
      last.length,
      environment === "setup" ? "setup" : "npm",
      repository,
      verdict,
      `npm run ${name} (${script})`,
    );
    return;
  }

  if (program === "bash" || program === "sh") {
    const file = rest[0] ?? "";
    if (isPlaceholder(file)) return;
    const text = file.startsWith("scripts/") && file.endsWith(".sh") ? repository.read(file) : undefined;
    if (text === undefined) {
      verdict.problems.push(`${where}: no script ${file} in scripts/`);
      return;
    }
    const args = words.slice(2);
    const inner = SOURCES_SETUP.test(text) ? "setup" : environment;
    let passes: Words | undefined;
    try {
      passes = shellCommands(text).find((c) => c.includes("$@") && c[0] !== "for");
    } catch (error) {
      verdict.problems.push(`${file}: ${(error as Error).message}`);
      return;
    }
    if (passes === undefined) {
      if (args.length > 0) verdict.problems.push(`${where}: ${file} takes no arguments`);
      return;
    }
    const before = withoutAssignments(passes.slice(0, passes.indexOf("$@")));
    const command = before[0] === "exec" ? before.slice(1) : before;
    const ownFrom = command.length + Math.max(docFrom - 2, 0);
    judgeCommand([...command, ...args], ownFrom, inner, repository, verdict, `${where} → ${file}`);
    return;
  }

  if (program === "node") {
    if (!needs("setup") && docFrom === 0) return;
    const script = rest[0] ?? "";
    if (!/^scripts\/[\w-]+\.ts$/.test(script) || repository.read(script) === undefined) {
      verdict.problems.push(`${where}: no command ${script} in scripts/`);
      return;
    }
    verdict.checks.push({ kind: "command", script, args: words.slice(2) });
    return;
  }

  if (SETUP_TOOLS.has(program) || NPM_TOOLS.has(program) || program === "npx") {
    if (program === "npx") {
      verdict.problems.push(`${where}: npx runs the machine's node; use npm run <script>`);
      return;
    }
    if (!needs(NPM_TOOLS.has(program) ? "npm" : "setup") && docFrom === 0) return;
    const sub = rest[0] !== undefined && /^[a-z]+$/.test(rest[0]) && program !== "tsc" ? 2 : 1;
    verdict.checks.push({
      kind: "tool",
      tool: words.slice(0, sub),
      fixed: words.slice(sub, Math.max(sub, docFrom)),
      args: docArgs(sub),
    });
    return;
  }

  if (program === "sam") {
    const sub = rest[0] ?? "";
    if (SAM_BUILD_COMMANDS.has(sub) && !needs("setup") && docFrom === 0) return;
    const firstOption = rest.findIndex((w) => w.startsWith("-"));
    const path = (firstOption === -1 ? rest : rest.slice(0, firstOption)).filter((w) => !isPlaceholder(w));
    verdict.checks.push({ kind: "sam", path, args: options(docArgs(1)) });
    const envAt = words.findIndex((w) => w === "--config-env" || w.startsWith("--config-env="));
    if (envAt !== -1) {
      const name = words[envAt]?.includes("=") ? words[envAt]?.split("=")[1] : words[envAt + 1];
      const known = samConfigEnvironments(repository.read("samconfig.toml") ?? "");
      if (name !== undefined && !isPlaceholder(name) && !known.has(name))
        verdict.problems.push(`${where}: samconfig.toml has no config environment "${name}"`);
    }
    return;
  }

  if (program === "aws") {
    const [service = "", operation = ""] = rest;
    if (isPlaceholder(service) || isPlaceholder(operation)) return;
    verdict.checks.push({ kind: "aws", service, operation, args: options(rest.slice(2)) });
  }
}

/** The options a `--help` text lists (`-m, --mutate <files>`, `--profile TEXT`, `--json`), and whether each takes a value. */
export function helpOptions(help: string): Map<string, boolean> {
  const found = new Map<string, boolean>();
  for (const line of help.split("\n")) {
    if (!/^\s+-/.test(line)) continue;
    const spec = line.trim().split(/\s{2,}/)[0] ?? "";
    const names = spec.match(/(?<![\w-])--?[A-Za-z][\w-]*/g) ?? [];
    const value = spec.replace(/(?<![\w-])--?[A-Za-z][\w-]*/g, "").replace(/[\s,/|]/g, "") !== "";
    for (const name of names) found.set(name, value);
  }
  return found;
}

/** The problems of `args` against a help's options: unknown options, and positionals where none are taken. */
export function unknownOptions(args: Words, known: Map<string, boolean>, positionals: boolean): string[] {
  const problems: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as string;
    if (word === "…" || word === "--") continue;
    if (!word.startsWith("-") || word === "-") {
      if (!positionals && !isPlaceholder(word)) problems.push(`unexpected argument "${word}"`);
      continue;
    }
    const [name = "", value] = word.split("=", 2);
    const takes = known.get(name);
    if (takes === undefined) problems.push(`unknown option ${name}`);
    else if (takes && value === undefined) i++;
  }
  return problems;
}
