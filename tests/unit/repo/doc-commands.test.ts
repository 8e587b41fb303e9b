/**
 * Every command line of README.md and docs/ runs as written in a fresh shell after the quick start,
 * whatever `node` the machine has (tests/support/doc-commands.ts reads them and holds the rules):
 * `npm run <script>` names a script of package.json, `bash scripts/x.sh` a script of scripts/, nothing
 * reaches `node`, Vitest, Stryker, `sam build` or node_modules' tools without the environment they
 * need, and each command is given only options it accepts, by its own definition: a command of
 * scripts/ by its spec and the real parser (tests/support/check-commands.ts, every command in one
 * process), `sam` and `aws` by the SAM CLI's command definitions and botocore's models
 * (tests/support/cli_options.py), Vitest, Stryker, Biome and tsc by their `--help`, and
 * `--config-env` by samconfig.toml. A few seconds.
 */
import { spawn as spawnChild } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import {
  type CommandLine,
  commandLines,
  helpOptions,
  isPlaceholder,
  judgeLine,
  type Repository,
  shellCommands,
  type ToolCheck,
  unknownOptions,
  type Words,
} from "../../support/doc-commands.ts";
import { outputOf, type Run } from "../../support/processes.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");
vi.setConfig({ testTimeout: 30_000 });

const PAGES = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];

function read(path: string): string | undefined {
  const full = join(ROOT, path);
  return existsSync(full) ? readFileSync(full, "utf8") : undefined;
}

const REPOSITORY: Repository = { scripts: JSON.parse(read("package.json") ?? "{}").scripts, read };
const LINES: CommandLine[] = PAGES.flatMap((page) => commandLines(page, read(page) ?? ""));
const at = (line: CommandLine) => `${line.page}:${line.line}: ${line.text.replace(/\s*\\\n\s*/g, " ")}`;

/** Runs a program from the repository root with node_modules/.bin first on PATH and `input` on stdin. */
function run(program: string, args: readonly string[], input = "", env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const path = `${join(ROOT, "node_modules", ".bin")}:${process.env.PATH ?? ""}`;
  const child = spawnChild(program, args, { cwd: ROOT, env: { ...process.env, PATH: path, ...env } });
  const output = outputOf(child);
  child.stdin.end(input);
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return output.finally(() => clearTimeout(timer));
}

function parsed<T>(what: string, result: Run): T {
  if (result.status !== 0) throw new Error(`${what} failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** The commands of scripts/, each judging its argument lists by its own spec (tests/support/check-commands.ts). */
async function commandVerdicts(checks: readonly Extract<ToolCheck, { kind: "command" }>[]): Promise<string[][]> {
  if (checks.length === 0) return [];
  const requests = checks.map(({ script, args }) => ({ script, args }));
  const child = join(ROOT, "tests", "support", "check-commands.ts");
  return parsed("check-commands.ts", await run(process.execPath, [child], JSON.stringify(requests)));
}

type CliOptions = Record<string, { readonly options?: string[]; readonly error?: string }>;

/** The options of the `sam` and `aws` commands asked for, from the SAM CLI's virtualenv (tests/support/cli_options.py). */
async function cliOptions(requests: readonly (readonly string[])[]): Promise<CliOptions> {
  if (requests.length === 0) return {};
  const python = process.env.SAM_PYTHON;
  if (!python) throw new Error("SAM_PYTHON is not set: run the tests after `source scripts/setup.sh`");
  const helper = join(ROOT, "tests", "support", "cli_options.py");
  // No instance metadata here: botocore would wait for it while looking for a region.
  const result = await run(python, [helper], JSON.stringify(requests), { AWS_EC2_METADATA_DISABLED: "true" });
  return parsed("cli_options.py", result);
}

/** A tool's `--help` (`stryker run --help`), from node_modules/.bin. */
async function toolHelp(tool: Words): Promise<string> {
  const [name = "", ...sub] = tool;
  const result = await run(join(ROOT, "node_modules", ".bin", name), [...sub, "--help"]);
  if (result.status !== 0) throw new Error(`${tool.join(" ")} --help failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

/** The test files Vitest would run for a filter (of one project when `--project` names it). */
const TEST_FILES = readdirSync(join(ROOT, "tests"), { recursive: true, encoding: "utf8" })
  .filter((path) => path.endsWith(".test.ts"))
  .map((path) => `tests/${path}`);

const cliKey = (check: ToolCheck): string[] =>
  check.kind === "sam" ? ["sam", ...check.path] : check.kind === "aws" ? ["aws", check.service, check.operation] : [];

/**
 * What each check finds wrong, by the tool's own definition of its options: every command of
 * scripts/ in one process, every `sam` and `aws` command in one Python process, and the `--help` of
 * each other tool whose options a line sets.
 */
async function toolProblems(checks: readonly ToolCheck[]): Promise<string[][]> {
  const commands = checks.flatMap((c) => (c.kind === "command" ? [c] : []));
  const clis = [
    ...new Map(
      checks
        .map(cliKey)
        .filter((k) => k.length > 0)
        .map((k) => [k.join(" "), k]),
    ).values(),
  ];
  const tools = [
    ...new Set(
      checks.flatMap((c) => (c.kind === "tool" && c.args.some((w) => w.startsWith("-")) ? [c.tool.join(" ")] : [])),
    ),
  ];
  const [verdicts, options, helps] = await Promise.all([
    commandVerdicts(commands),
    cliOptions(clis),
    Promise.all(tools.map(async (tool) => [tool, helpOptions(await toolHelp(tool.split(" ")))] as const)),
  ]);
  const help = new Map(helps);
  return checks.map((check) => {
    if (check.kind === "command") return verdicts[commands.indexOf(check)] ?? ["no verdict"];
    if (check.kind === "sam" || check.kind === "aws") {
      const name = cliKey(check).join(" ");
      const known = options[name];
      if (known?.options === undefined) return [known?.error ?? `no answer for ${name}`];
      return check.args
        .filter((word) => !known.options?.includes(word.split("=")[0] ?? ""))
        .map((word) => `${name}: unknown option ${word}`);
    }
    const name = check.tool.join(" ");
    const known = help.get(name);
    const problems = known ? unknownOptions(check.args, known, true).map((p) => `${name}: ${p}`) : [];
    if (check.tool[0] === "vitest") {
      const project = /--project[= ](\S+)/.exec(check.fixed.join(" "))?.[1];
      const files = TEST_FILES.filter((file) => project === undefined || file.startsWith(`tests/${project}/`));
      for (const filter of check.args.filter((w) => !w.startsWith("-") && !isPlaceholder(w)))
        if (!files.some((file) => file.includes(filter)))
          problems.push(`${name}: no test file${project ? ` of project ${project}` : ""} matches "${filter}"`);
    }
    return problems;
  });
}

describe("the command lines of README.md and docs/", () => {
  it("are found on the pages: the quick start's two, fenced and inline", () => {
    const readme = LINES.filter((line) => line.page === "README.md").map((line) => line.text.replace(/\s+#.*/, ""));

    expect(readme.slice(0, 2)).toEqual(["bash scripts/demo.sh", "bash scripts/test.sh"]);
    expect(LINES.some((line) => line.page === "docs/testing.md" && line.text.startsWith("npm run "))).toBe(true);
  });

  it("each runs in a fresh shell: a real npm script or scripts/*.sh, and no tool without the environment it needs", () => {
    const problems = LINES.flatMap((line) =>
      judgeLine(line.text, REPOSITORY).problems.map((p) => `${at(line)}\n    ${p}`),
    );

    expect(problems).toEqual([]);
  });

  it("each command is given only options it accepts: by its own parser, the tool's --help, samconfig.toml, the AWS models", async () => {
    const checks = LINES.filter((line) => !line.transcript).flatMap((line) =>
      judgeLine(line.text, REPOSITORY).checks.map((check) => ({ line, check })),
    );

    const found = await toolProblems(checks.map((c) => c.check));

    const problems = found.flatMap((list, i) => list.map((p) => `${at(checks[i]?.line as CommandLine)}\n    ${p}`));
    expect(problems).toEqual([]);
  });
});

describe("the rules can fail", () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: bash text, as scripts/*.sh source setup.sh
  const SETUP = 'source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"\n';
  const repository: Repository = {
    scripts: {
      pipeline: "bash scripts/run.sh node scripts/pipeline.ts",
      bare: "node scripts/pipeline.ts",
      lint: "biome ci .",
      "test:unit": "bash scripts/run.sh vitest run --project unit",
      test: "bash scripts/build.sh",
    },
    read: (path) =>
      ({
        "scripts/run.sh": `${SETUP}exec "$@"\n`,
        "scripts/build.sh": `${SETUP}sam build >&2\n`,
        "scripts/demo.sh": `${SETUP}node scripts/pipeline.ts --check-options "$@"\nfor arg in "$@"; do :; done\n`,
        "scripts/pipeline.ts": "",
        "samconfig.toml": "[default.deploy.parameters]\n[consumer.deploy.parameters]\n",
      })[path],
  };
  const problems = (text: string) => judgeLine(text, repository).problems;
  const checks = (text: string) => judgeLine(text, repository).checks;

  it("reads fenced bash lines (continued, quoted over lines), `$ ` lines of other blocks and inline commands, not headings", () => {
    const markdown = [
      "# `npm run heading`",
      "Run `npm run pipeline -- --vehicles 5` or `node` alone, `sam build` in prose.",
      "```bash",
      "# a comment",
      "sam remote invoke F --event '{",
      '  "a": 1',
      "}'",
      "npm run pipeline -- \\",
      "  --vehicles 5   # trailing comment",
      "```",
      "```",
      "$ node scripts/pipeline.ts --vehicles abc",
      "pipeline: --vehicles must be an integer ≥ 1",
      "```",
    ].join("\n");

    const found = commandLines("docs/x.md", markdown).map((l) => [l.line, l.text, l.transcript]);

    expect(found).toEqual([
      [2, "npm run pipeline -- --vehicles 5", false],
      [2, "sam build", false],
      [5, "sam remote invoke F --event '{\n  \"a\": 1\n}'", false],
      [8, "npm run pipeline -- \\\n  --vehicles 5   # trailing comment", false],
      [12, "node scripts/pipeline.ts --vehicles abc", true],
    ]);
  });

  it("splits a line into commands as a shell does: operators, quotes, redirections, placeholders", () => {
    expect(
      shellCommands(
        "source scripts/setup.sh && bash x.sh >/dev/null 2>&1 | tail -1; A=1 vitest run 'a b' --x=<the stack's region> &",
      ),
    ).toEqual([
      ["source", "scripts/setup.sh"],
      ["bash", "x.sh"],
      ["tail", "-1"],
      ["A=1", "vitest", "run", "a b", "--x=<the stack's region>"],
    ]);
    expect(shellCommands("T=$(( $(date +%s) - 60 )) sam deploy # note")).toEqual([
      ["T=$(( $(date +%s) - 60 ))", "sam", "deploy"],
    ]);
  });

  it("refuses bare node, Vitest, Stryker, tsc and sam build in a fresh shell, and a wrong script, option or config environment", () => {
    expect(problems("node scripts/pipeline.ts --help")).toHaveLength(1);
    expect(problems("vitest run tests/unit/shared/batch.test.ts")).toHaveLength(1);
    expect(problems("FC_NUM_RUNS=10 stryker run")).toHaveLength(1);
    expect(problems("tsc --noEmit")).toHaveLength(1);
    expect(problems("sam build && sam deploy --config-env consumer")).toHaveLength(1);
    expect(problems("npx vitest")).toHaveLength(1);
    expect(problems("npm exec vitest")).toHaveLength(1);
    expect(problems("npm run nope")).toEqual(['`npm run nope`: package.json has no script "nope"']);
    expect(problems("npm run pipeline --vehicles 5")).toHaveLength(1);
    expect(problems("bash scripts/nope.sh")).toHaveLength(1);
    expect(problems("bash scripts/build.sh --fast")).toEqual([
      "`bash scripts/build.sh --fast`: scripts/build.sh takes no arguments",
    ]);
    expect(problems("sam deploy --config-env prod")).toEqual([
      '`sam deploy --config-env prod`: samconfig.toml has no config environment "prod"',
    ]);
    expect(problems("npm run bare -- --vehicles 5")[0]).toContain("bash scripts/run.sh in package.json");
  });

  it("accepts npm run, bash scripts/*.sh, a line that sources setup first, and AWS commands", () => {
    for (const line of [
      "npm run pipeline -- --vehicles 5",
      "npm run lint",
      "bash scripts/demo.sh --vehicles 5",
      "source scripts/setup.sh && vitest run x && node scripts/pipeline.ts | tail -1",
      "sam deploy --config-env consumer --profile p",
      "aws lambda list-event-source-mappings --function-name <f>",
      "npm ci",
      "npm install <package>@<version>",
      "npm run <script> -- …",
      "npm test",
    ])
      expect(problems(line), line).toEqual([]);
  });

  it("follows npm scripts and scripts/*.sh to the command that takes the line's arguments", () => {
    expect(checks("npm run pipeline -- --vehicles 5")).toEqual([
      { kind: "command", script: "scripts/pipeline.ts", args: ["--vehicles", "5"] },
    ]);
    expect(checks("bash scripts/demo.sh --scenario redrive")).toEqual([
      { kind: "command", script: "scripts/pipeline.ts", args: ["--check-options", "--scenario", "redrive"] },
    ]);
    expect(checks("npm run test:unit -- tests/unit/shared/batch.test.ts")).toEqual([
      {
        kind: "tool",
        tool: ["vitest", "run"],
        fixed: ["--project", "unit"],
        args: ["tests/unit/shared/batch.test.ts"],
      },
    ]);
    expect(checks("sam remote invoke F --stack-name <s> --event '{}'")).toEqual([
      { kind: "sam", path: ["remote", "invoke", "F"], args: ["--stack-name", "--event"] },
    ]);
  });

  it("reads a --help text's options and finds what it does not list", () => {
    const help = [
      "usage: x",
      "  -m, --mutate <files>   what to mutate",
      "  --force                run all",
      "    -t,--template,--template-file   the template",
      "    --profile TEXT       a profile; see --hidden",
    ].join("\n");
    const known = helpOptions(help);

    expect([...known]).toEqual([
      ["-m", true],
      ["--mutate", true],
      ["--force", false],
      ["-t", false],
      ["--template", false],
      ["--template-file", false],
      ["--profile", true],
    ]);
    expect(unknownOptions(["--mutate", "a.ts", "--force", "--profile=p", "…"], known, false)).toEqual([]);
    expect(unknownOptions(["--hidden", "--force", "extra"], known, false)).toEqual([
      "unknown option --hidden",
      'unexpected argument "extra"',
    ]);
  });

  it("finds an option a command of scripts/ refuses, a wrong SAM or AWS command, and a Vitest filter that matches no test file", async () => {
    const checks: ToolCheck[] = [
      { kind: "command", script: "scripts/pipeline.ts", args: ["--vehicle", "5"] },
      { kind: "command", script: "scripts/redrive.ts", args: ["--bucket", "<b>", "--no-such"] },
      { kind: "command", script: "scripts/pipeline.ts", args: ["--vehicles", "5"] },
      { kind: "tool", tool: ["vitest", "run"], fixed: ["--project", "unit"], args: ["no-such-test"] },
      { kind: "sam", path: ["deploy"], args: ["--config-env", "--no-such"] },
      { kind: "sam", path: ["local", "no-such"], args: [] },
      { kind: "aws", service: "lambda", operation: "get-event-source-mapping", args: ["--uuid", "--function-name"] },
    ];

    const found = await toolProblems(checks);

    expect(found).toEqual([
      ["pipeline: unknown option --vehicle; did you mean --vehicles? see --help"],
      ["redrive: unknown option --no-such"],
      [],
      ['vitest run: no test file of project unit matches "no-such-test"'],
      ["sam deploy: unknown option --no-such"],
      ["`sam local no-such`: the SAM CLI has no command `no-such` there"],
      ["aws lambda get-event-source-mapping: unknown option --function-name"],
    ]);
  });
});
