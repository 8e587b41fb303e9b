/**
 * The commands of scripts/ judge command lines by their own definition, in one process: each script
 * is imported with tools/cli/options.ts replaced by tests/support/command-spy.ts (so its spec is
 * recorded and nothing runs), then each argument list goes through the real parser,
 * `parseCommandLine`, as `--check-options` would. Where a list holds a placeholder the reader fills in
 * (`<bucket>`, `…`), only its option names and their need of a value are checked against the spec.
 * One process instead of one per line: the scripts share most of their imports.
 *
 * Reads [{ "script": "scripts/x.ts", "args": [...] }, ...] on stdin; writes, for each, the list of its
 * problems (`<name>: <the one line the command would print>`) as JSON on stdout.
 */
import { registerHooks } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = join(import.meta.dirname, "..", "..");
const OPTIONS = pathToFileURL(join(ROOT, "tools", "cli", "options.ts")).href;
const SPY = pathToFileURL(join(ROOT, "tests", "support", "command-spy.ts")).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    return resolved.url === OPTIONS && context.parentURL !== SPY ? { ...resolved, url: SPY } : resolved;
  },
});

const { SPECS, UsageError, parseCommandLine } = await import("./command-spy.ts");
type Spec = (typeof SPECS)[number];

const isPlaceholder = (word: string) => /<[^<>]+>|…/.test(word);

/** Option names and values' presence only, for a line the reader completes. */
function namesOnly(spec: Spec, args: readonly string[]): string[] {
  const problems: string[] = [];
  const known = { ...spec.options, help: undefined, "check-options": undefined };
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as string;
    if (word === "…" || isPlaceholder(word)) continue;
    if (!word.startsWith("--")) {
      if (spec.positionals === undefined) problems.push(`unexpected argument ${JSON.stringify(word)}`);
      continue;
    }
    const [name = "", value] = word.slice(2).split("=", 2);
    if (!(name in known)) problems.push(`unknown option --${name}`);
    else if (spec.options[name]?.placeholder !== undefined && value === undefined) i++;
  }
  return problems;
}

const requests: { script: string; args: string[] }[] = JSON.parse(
  await new Response(process.stdin as unknown as ReadableStream).text(),
);
const specs = new Map<string, Spec | undefined>();
for (const script of new Set(requests.map((r) => r.script))) {
  const before = SPECS.length;
  await import(pathToFileURL(join(ROOT, script)).href);
  specs.set(script, SPECS.length > before ? SPECS.at(-1) : undefined);
}

const verdicts = requests.map(({ script, args }) => {
  const spec = specs.get(script);
  if (spec === undefined) return [`${script}: declares no command with tools/cli/options.ts`];
  if (args.some(isPlaceholder)) return namesOnly(spec, args).map((p) => `${spec.name}: ${p}`);
  try {
    parseCommandLine(spec, args);
    return [];
  } catch (error) {
    if (error instanceof UsageError) return [`${spec.name}: ${error.message}`];
    throw error;
  }
});
process.stdout.write(JSON.stringify(verdicts));
