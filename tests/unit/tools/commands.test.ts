/**
 * Every command, spawned as a user runs it: a bad option is one line on stderr and exit code 2 with
 * nothing run, and --help lists the options. The commands check their options before any work, so
 * each of these takes well under a second or two.
 */
import { spawn as spawnChild } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { invocationOf } from "../../../tools/cli/options.ts";
import { outputOf, type Run } from "../../support/processes.ts";

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const ROOT = join(import.meta.dirname, "..", "..", "..");
/** Longer than any of these should take; a command still running then is doing work it should not. */
const KILL_AFTER_MS = 20_000;
vi.setConfig({ testTimeout: KILL_AFTER_MS + 5_000 });

interface Case {
  /** scripts/<command>.ts */
  readonly command: string;
  /** A mistake, and what its line must name. */
  readonly bad: readonly (readonly [readonly string[], string])[];
  /** Options --help must list. */
  readonly options: readonly string[];
}

const FLEET = ["--vehicles", "--duration", "--rate", "--speedup", "--bad-fraction", "--kpl-share", "--seed"];

const COMMANDS: readonly Case[] = [
  {
    command: "pipeline",
    bad: [
      [["--vehicles", "abc"], "--vehicles must be an integer ≥ 1"],
      [["--bad-fraction", "7"], "--bad-fraction must be a number from 0 to 1"],
      [["--firehose-outage", "5"], "--firehose-outage"],
      [
        ["--scenario", "redrive-all"],
        "--scenario must be one of pipeline, redrive-versions, redrive-on-failure, redrive",
      ],
      [["--foo"], "unknown option --foo"],
    ],
    options: [...FLEET, "--shards", "--batch-size", "--firehose-outage", "--scenario", "--v2-share"],
  },
  {
    command: "simulator",
    bad: [
      [["--kpl-share", "-1"], "--kpl-share"],
      [["--stream-arn", "not-an-arn"], "--stream-arn"],
    ],
    options: [...FLEET, "--kpl-size", "--endpoint", "--stream-arn", "--stream-name", "--region", "--profile"],
  },
  { command: "emulator", bad: [[["--port", "70000"], "--port"]], options: ["--port", "--host"] },
  {
    command: "invoke-events",
    bad: [
      [["--timeout", "soon"], "--timeout"],
      [["--timeout", "901"], "--timeout must be an integer from 1 to 900"],
      [["events/no-such-event.json"], 'event file "events/no-such-event.json" cannot be read'],
      [["package.json"], 'event file "package.json" is not a Kinesis event'],
    ],
    options: ["--timeout"],
  },
  {
    command: "invoke",
    bad: [
      [[], "give exactly one event file (got 0)"],
      [["events/valid-batch.json", "events/mixed-batch.json"], "give exactly one event file (got 2)"],
      [["events/no-such-event.json"], 'event file "events/no-such-event.json" cannot be read'],
      [["README.md"], 'event file "README.md" is not JSON'],
      [["--env-vars", "no-such-file.json", "events/valid-batch.json"], "--env-vars must be a JSON file"],
      [["--function", "Other", "events/valid-batch.json"], "--function must be one of TelemetryConsumerFunction"],
    ],
    options: ["--env-vars", "--function", "--region"],
  },
  {
    command: "reliability",
    bad: [
      [["no-such-scenario"], 'unknown scenario "no-such-scenario"; choose from throttling'],
      [["--duration", "0"], "--duration must be a number > 0"],
    ],
    options: ["--vehicles", "--duration", "--seed", "--json"],
  },
  {
    command: "fuzz",
    bad: [
      [["--runs", "-5"], '--runs must be an integer ≥ 1 (got "-5")'],
      [["--runs", "0"], '--runs must be an integer ≥ 1 (got "0")'],
    ],
    options: ["--runs", "--seed"],
  },
  {
    command: "curated-figure",
    bad: [
      [["--vehicles", "0"], "--vehicles must be an integer from 1 to 2,000"],
      [["--late-share", "2"], "--late-share must be a number from 0 to 1"],
    ],
    options: ["--vehicles", "--interval", "--hours", "--seed", "--late-share", "--redelivered-share", "--json"],
  },
  {
    command: "curate",
    bad: [
      [["--from", "2026-11-20T5"], "--from must be an arrival hour, UTC, as YYYY-MM-DDTHH"],
      [["--from", "2026-11-20T05"], "--from and --to are required"],
      [
        ["--from", "2026-11-20T05", "--to", "2026-11-20T04", "--dry-run"],
        "--to (2026-11-20T04) is before --from (2026-11-20T05)",
      ],
      [["--from", "2026-11-20T05", "--to", "2026-11-20T06"], "--state-machine-arn is required"],
      [
        ["--state-machine-arn", "arn:aws:lambda:eu-west-1:1:function:x"],
        "--state-machine-arn must be a state machine ARN",
      ],
    ],
    options: ["--from", "--to", "--state-machine-arn", "--dry-run", "--show-sql"],
  },
  {
    command: "redrive",
    bad: [
      [["--source", "dlq"], "--source must be one of quarantine, on-failure"],
      [["--reason", "NOPE"], "--reason must be a comma-separated list of"],
      [["--from", "2026-11-21"], "--from must be an hour as YYYY-MM-DDTHH"],
      [
        ["--quarantine-bucket", "q-b", "--delivery-stream", "s", "--source", "on-failure"],
        "bucket must be an S3 bucket name",
      ],
      [["--delivery-stream", "s"], "QUARANTINE_BUCKET"],
    ],
    options: ["--source", "--bucket", "--reason", "--record-id", "--dry-run", "--force", "--role-arn", "--max-records"],
  },
  { command: "bench", bad: [[["--rounds", "many"], "--rounds"]], options: ["--rounds", "--warmup", "--json"] },
  {
    command: "amplification",
    bad: [
      [["--cases", "everything"], "--cases must be a comma-separated list of repeated-keys"],
      [["--runs", "0"], "--runs"],
    ],
    options: ["--cases", "--runs", "--json"],
  },
  { command: "profile", bad: [[["--top", "0"], "--top"]], options: ["--runs", "--top"] },
  { command: "measure-bundle", bad: [[["--runs", "1.5"], "--runs"]], options: ["--runs", "--json"] },
  { command: "generate-events", bad: [[["--chek"], "unknown option --chek"]], options: ["--check"] },
  { command: "publish-schema", bad: [[["--check=yes"], "--check takes no value"]], options: ["--check"] },
  { command: "publish-query", bad: [[["--chek"], "--chek"]], options: ["--check"] },
  { command: "publish-docs", bad: [[["--check", "docs"], "unexpected argument"]], options: ["--check"] },
  {
    command: "mutation-score",
    bad: [[["--survivor"], "--survivor"]],
    options: ["--files", "--survivors", "--disabled", "--fail-under", "--strict", "--strip-root"],
  },
  {
    command: "template-mutations",
    bad: [
      [["--only"], "--only"],
      [["--json=yes"], "--json takes no value"],
    ],
    options: ["--only", "--show-caught", "--json"],
  },
];

/**
 * Runs scripts/<file> (with this Node for a .ts, with bash for a .sh) from the repository root, in a
 * process group of its own: a command that wrongly starts its work (a build, a server) is killed whole.
 */
function spawn(file: string, args: readonly string[]): Promise<Run> {
  const [program, ...rest] = file.endsWith(".sh") ? ["bash", file] : [process.execPath, file];
  const child = spawnChild(program as string, [...rest, ...args], { cwd: ROOT, detached: true });
  const timer = setTimeout(() => child.pid && process.kill(-child.pid, "SIGKILL"), KILL_AFTER_MS);
  return outputOf(child).finally(() => clearTimeout(timer));
}

function expectOneLine(run: Run, name: string, names: string): void {
  expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: "" });
  const lines = run.stderr.split("\n").filter((line) => line.trim() !== "");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^${name}: `));
  expect(lines[0]).toContain(names);
  expect(run.stderr).not.toMatch(/^\s+at /m);
}

it("covers every command in scripts/", () => {
  const commands = readdirSync(join(ROOT, "scripts"))
    .filter((name) => name.endsWith(".ts"))
    .map((name) => name.slice(0, -".ts".length))
    .sort();

  expect(COMMANDS.map((c) => c.command).sort()).toEqual(commands);
});

describe.concurrent.each(COMMANDS.map((c) => [c.command, c] as const))(
  "node scripts/%s.ts",
  (command, { bad, options }) => {
    it.each(bad)("answers %j with one line naming it and exit code 2, running nothing", async (args, names) => {
      expectOneLine(await spawn(`scripts/${command}.ts`, args), command, names);
    });

    it("lists its options with --help and exits 0", async () => {
      const run = await spawn(`scripts/${command}.ts`, ["--help"]);
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
      expect(run.stdout).toMatch(new RegExp(`^usage: ${escaped(invocationOf(command))} \\[options\\]`));
      expect(run.stdout).toMatch(/^usage: npm run [\w:-]+ -- /);
      for (const option of [...options, "--check-options", "--help"]) {
        expect(run.stdout).toMatch(new RegExp(`^  ${option}\\b`, "m"));
      }
    });
  },
);

describe.concurrent.each([
  { script: "demo.sh", command: "pipeline", bad: ["--vehicles", "abc"], names: "--vehicles" },
  { script: "bench.sh", command: "bench", bad: ["--rounds", "0"], names: "--rounds" },
])("bash scripts/$script", ({ script, command, bad, names }) => {
  // One stderr line: the build (sam validate, sam build) would have written to stderr before.
  it("answers a bad option with one line and exit code 2 before building", async () => {
    expectOneLine(await spawn(`scripts/${script}`, bad), command, names);
  });

  it("prints the command's help and stops there, before building", async () => {
    const run = await spawn(`scripts/${script}`, ["--help"]);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
    expect(run.stdout).toMatch(new RegExp(`^usage: ${escaped(invocationOf(command))} `));
  });
});
