import { afterEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import {
  type Args,
  type Command,
  choice,
  command,
  custom,
  flag,
  helpText,
  integer,
  invocationOf,
  list,
  number,
  type Options,
  parseCommandLine,
  runCommand,
  text,
  UsageError,
} from "../../../tools/cli/options.ts";

const SPEC = command({
  name: "demo-cmd",
  summary: "A command for the tests.",
  options: {
    vehicles: integer({ min: 1, default: 40, description: "simulated vehicles" }),
    "batch-size": integer({ min: 1, max: 10_000, default: 500, description: "the trigger's BatchSize" }),
    seed: integer({ min: 0, description: "a seed" }),
    fraction: number({ min: 0, max: 1, default: 0.02, description: "a share" }),
    rate: number({ above: 0, default: 1, description: "a rate" }),
    name: text({ pattern: /^[a-z]+$/, expected: "lower-case letters", default: "abc", description: "a name" }),
    profile: text({ description: "a profile" }),
    json: flag({ description: "JSON out" }),
    mode: choice({ choices: ["fast", "slow"], default: "fast", description: "a mode" }),
    only: list({ choices: ["a", "b", "c"], default: [], description: "some names" }),
    outage: custom({
      placeholder: "A:B",
      expected: "two integers ≥ 1 as A:B",
      description: "an outage",
      parse: (value) => {
        const match = /^(\d+):(\d+)$/.exec(value);
        return match ? { from: Number(match[1]), invocations: Number(match[2]) } : undefined;
      },
    }),
  },
});

const SCENARIOS = command({
  name: "scenarios-cmd",
  summary: "Takes scenario names.",
  options: {},
  positionals: { name: "scenario", description: "scenarios", choices: ["throttling", "partial-failures"] },
});

const FILES = command({
  name: "files-cmd",
  summary: "Takes files.",
  options: {},
  positionals: {
    name: "event file",
    description: "events",
    check: (file) => (file.endsWith(".json") ? undefined : `event file "${file}" is not JSON`),
  },
});

function run<O extends Options>(spec: Command<O>, argv: string[]): Args<O> {
  const request = parseCommandLine(spec, argv);
  if (request.kind !== "run") throw new Error(`expected a run, got ${request.kind}`);
  return request;
}

function mistake(spec: Parameters<typeof parseCommandLine>[0], argv: string[]): string {
  try {
    parseCommandLine(spec, argv);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`no mistake found in ${JSON.stringify(argv)}`);
}

describe("parseCommandLine", () => {
  it("gives every option its default when none is given", () => {
    const { values, positionals } = run(SPEC, []);
    expect(values).toEqual({
      vehicles: 40,
      "batch-size": 500,
      seed: undefined,
      fraction: 0.02,
      rate: 1,
      name: "abc",
      profile: undefined,
      json: false,
      mode: "fast",
      only: [],
      outage: undefined,
    });
    expect(positionals).toEqual([]);
  });

  it("parses each kind into its type", () => {
    const { values } = run(SPEC, [
      "--vehicles",
      "7",
      "--seed=0",
      "--fraction",
      "1",
      "--rate",
      "2.5e-1",
      "--name",
      "xyz",
      "--json",
      "--mode",
      "slow",
      "--only",
      "a,c",
      "--only",
      "b",
      "--outage",
      "5:3",
    ]);
    expect(values).toMatchObject({
      vehicles: 7,
      seed: 0,
      fraction: 1,
      rate: 0.25,
      name: "xyz",
      json: true,
      mode: "slow",
      only: ["a", "c", "b"],
      outage: { from: 5, invocations: 3 },
    });
    expectTypeOf(values.vehicles).toEqualTypeOf<number>();
    expectTypeOf(values.seed).toEqualTypeOf<number | undefined>();
    expectTypeOf(values.name).toEqualTypeOf<string>();
    expectTypeOf(values.profile).toEqualTypeOf<string | undefined>();
    expectTypeOf(values.json).toEqualTypeOf<boolean>();
    expectTypeOf(values.mode).toEqualTypeOf<"fast" | "slow">();
    expectTypeOf(values.only).toEqualTypeOf<readonly ("a" | "b" | "c")[]>();
    expectTypeOf(values.outage).toEqualTypeOf<{ from: number; invocations: number } | undefined>();
  });

  it.each([
    [["--vehicles", "abc"], '--vehicles must be an integer ≥ 1 (got "abc")'],
    [["--vehicles", "0"], '--vehicles must be an integer ≥ 1 (got "0")'],
    [["--vehicles", "1.5"], '--vehicles must be an integer ≥ 1 (got "1.5")'],
    [["--vehicles", "1e3"], '--vehicles must be an integer ≥ 1 (got "1e3")'],
    [["--vehicles", ""], '--vehicles must be an integer ≥ 1 (got "")'],
    [["--vehicles", "-5"], '--vehicles must be an integer ≥ 1 (got "-5")'],
    [["--vehicles", "99999999999999999999"], '--vehicles must be an integer ≥ 1 (got "99999999999999999999")'],
    [["--batch-size", "10001"], '--batch-size must be an integer from 1 to 10,000 (got "10001")'],
    [["--fraction", "7"], '--fraction must be a number from 0 to 1 (got "7")'],
    [["--fraction", "-0.1"], '--fraction must be a number from 0 to 1 (got "-0.1")'],
    [["--fraction", "NaN"], '--fraction must be a number from 0 to 1 (got "NaN")'],
    [["--rate", "0"], '--rate must be a number > 0 (got "0")'],
    [["--rate", "Infinity"], '--rate must be a number > 0 (got "Infinity")'],
    [["--rate", "0x10"], '--rate must be a number > 0 (got "0x10")'],
    [["--name", "ABC"], '--name must be lower-case letters (got "ABC")'],
    [["--profile="], '--profile must be a non-empty text (got "")'],
    [["--mode", "medium"], '--mode must be one of fast, slow (got "medium")'],
    [["--only", "a,z"], '--only must be a comma-separated list of a, b, c (got "a,z")'],
    [["--only", "a", "--only", "a"], '--only must be a comma-separated list of a, b, c (got "a,a")'],
    [["--outage", "5"], '--outage must be two integers ≥ 1 as A:B (got "5")'],
    [["--foo"], "unknown option --foo; see --help"],
    [["--vehicle", "3"], "unknown option --vehicle; did you mean --vehicles? see --help"],
    [["--batch_size", "3"], "unknown option --batch_size; did you mean --batch-size? see --help"],
    [["-x"], "unknown option -x; see --help"],
    [["--vehicles"], "--vehicles needs a value: an integer ≥ 1"],
    [["--vehicles", "--rate", "2"], "--vehicles needs a value: an integer ≥ 1"],
    [["--json=yes"], "--json takes no value"],
    [["stray"], 'unexpected argument "stray": this command takes options only; see --help'],
  ])("%j is one mistake: %s", (argv, message) => {
    expect(mistake(SPEC, argv)).toBe(message);
  });

  it("checks positionals against their choices", () => {
    expect(run(SCENARIOS, ["throttling"]).positionals).toEqual(["throttling"]);
    expect(mistake(SCENARIOS, ["throttling", "x"])).toBe(
      'unknown scenario "x"; choose from throttling, partial-failures',
    );
  });

  it("checks positionals with the command's own check", () => {
    expect(run(FILES, ["a.json", "b.json"]).positionals).toEqual(["a.json", "b.json"]);
    expect(mistake(FILES, ["a.json", "b.txt"])).toBe('event file "b.txt" is not JSON');
  });

  it("takes what follows -- as positionals", () => {
    expect(run(FILES, ["--", "--help.json"]).positionals).toEqual(["--help.json"]);
  });

  it("answers --help (or -h) before looking for mistakes", () => {
    expect(parseCommandLine(SPEC, ["--vehicles", "abc", "--help"])).toEqual({ kind: "help", text: helpText(SPEC) });
    expect(parseCommandLine(SPEC, ["-h"]).kind).toBe("help");
  });

  it("only checks with --check-options, and still finds mistakes", () => {
    expect(parseCommandLine(SPEC, ["--check-options", "--vehicles", "3"])).toEqual({ kind: "check" });
    expect(mistake(SPEC, ["--check-options", "--vehicles", "abc"])).toBe(
      '--vehicles must be an integer ≥ 1 (got "abc")',
    );
  });
});

describe("helpText", () => {
  it("has a usage line and one line per option with its form, accepted values and default", () => {
    const lines = helpText(SPEC).split("\n");
    expect(lines[0]).toBe("usage: node scripts/demo-cmd.ts [options]");
    const line = (option: string) => lines.find((l) => l.trimStart().startsWith(`${option} `));
    expect(line("--vehicles")).toMatch(/--vehicles N +simulated vehicles: an integer ≥ 1 \(default 40\)$/);
    expect(line("--fraction")).toMatch(/--fraction X +a share: a number from 0 to 1 \(default 0\.02\)$/);
    expect(line("--seed")).toMatch(/--seed N +a seed: an integer ≥ 0$/);
    expect(line("--json")).toMatch(/--json +JSON out$/);
    expect(line("--mode")).toMatch(/--mode fast\|slow +a mode: one of fast, slow \(default fast\)$/);
    expect(line("--outage")).toMatch(/--outage A:B +an outage: two integers ≥ 1 as A:B$/);
    expect(line("--check-options")).toBeDefined();
    expect(line("--help")).toBeDefined();
  });

  it("names the positionals and their choices", () => {
    const help = helpText(SCENARIOS);
    expect(help.split("\n")[0]).toBe("usage: node scripts/scenarios-cmd.ts [options] [scenario ...]");
    expect(help).toMatch(/scenario \.\.\. +scenarios: throttling, partial-failures/);
  });
});

describe("invocationOf", () => {
  it("names the npm script that runs the command, so the usage line works whatever node the machine has", () => {
    expect(invocationOf("pipeline")).toBe("npm run pipeline --");
    expect(invocationOf("mutation-score")).toBe("npm run mutation:score --");
  });

  it("names a shell wrapper's script when no script runs the command itself", () => {
    expect(invocationOf("bench")).toBe("npm run bench --");
  });

  it("falls back to node for a command no script runs", () => {
    expect(invocationOf("demo-cmd")).toBe("node scripts/demo-cmd.ts");
  });
});

describe("runCommand", () => {
  let stderr: string[] = [];
  let stdout: string[] = [];
  const capture = () => {
    stderr = [];
    stdout = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => stderr.push(String(chunk)) > 0);
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => stdout.push(String(chunk)) > 0);
  };
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it("prints a mistake as one line named for the command, sets exit code 2 and does not run main", async () => {
    capture();
    const main = vi.fn();
    await runCommand(SPEC, main, ["--vehicles", "abc"]);
    const code = process.exitCode;
    vi.restoreAllMocks();
    expect(main).not.toHaveBeenCalled();
    expect(code).toBe(2);
    expect(stderr).toEqual(['demo-cmd: --vehicles must be an integer ≥ 1 (got "abc")\n']);
    expect(stdout).toEqual([]);
  });

  it("runs main with the typed values and takes its number as the exit code", async () => {
    const main = vi.fn(async ({ values }: { values: { vehicles: number } }) => (values.vehicles === 3 ? 7 : 0));
    await runCommand(SPEC, main, ["--vehicles", "3"]);
    expect(main).toHaveBeenCalledOnce();
    expect(process.exitCode).toBe(7);
  });

  it("prints the help and runs nothing for --help; runs nothing for --check-options", async () => {
    capture();
    const main = vi.fn();
    await runCommand(SPEC, main, ["--help"]);
    await runCommand(SPEC, main, ["--check-options"]);
    const code = process.exitCode;
    vi.restoreAllMocks();
    expect(main).not.toHaveBeenCalled();
    expect(code).toBeUndefined();
    expect(stdout).toEqual([helpText(SPEC)]);
    expect(stderr).toEqual([]);
  });

  it("turns a UsageError from main into one line and exit code 2 (a multi-line message too)", async () => {
    capture();
    await runCommand(FILES, () => {
      throw new UsageError("event file x:\n  not JSON");
    }, []);
    const code = process.exitCode;
    vi.restoreAllMocks();
    expect(code).toBe(2);
    expect(stderr).toEqual(["files-cmd: event file x: not JSON\n"]);
  });

  it("leaves any other error to the caller", async () => {
    await expect(
      runCommand(SPEC, async () => {
        throw new TypeError("boom");
      }, []),
    ).rejects.toThrow("boom");
    expect(process.exitCode).toBeUndefined();
  });
});
