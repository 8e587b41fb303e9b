/**
 * The local Lambda's function (tools/lambda/local-lambda.ts) as `sam local invoke` resolves it
 * (tools/lambda/sam-local-env.py), and what its execution environments are given from that: a task
 * root holding exactly the artifact's files, the resolved values as they reach services from this
 * machine, and the heap flags of Lambda's Node.js bootstrap.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { LocalLambdaOptions } from "./local-lambda.ts";
import { LocalLambdaError } from "./local-lambda-error.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const SAM_LOCAL_ENV = join(import.meta.dirname, "sam-local-env.py");

/** What `sam-local-env.py` prints. */
export interface Resolved {
  readonly environment: Record<string, string>;
  readonly codeUri: string;
  readonly handler: string;
  readonly runtime: string;
  readonly timeout: number;
  readonly memorySize: number;
  readonly emulator: string;
}

/** Lambda's Node.js bootstrap heap flags for a function of `memoryMb` (new space a tenth, semi-space half of that). */
export function lambdaHeapFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}

/** SAM's resolution of the function, with `envVars` written as an --env-vars file of its own. */
export function resolveWithSam(options: LocalLambdaOptions, template: string, region: string, work: string): Resolved {
  const python = process.env.SAM_PYTHON;
  if (!python)
    throw new LocalLambdaError("SAM_PYTHON is not set: run through npm run <script>, or source scripts/setup.sh first");
  let envVarsFile = options.envVarsFile;
  if (envVarsFile === undefined && options.envVars !== undefined) {
    envVarsFile = join(work, "env-vars.json");
    writeFileSync(envVarsFile, JSON.stringify({ [options.functionName]: options.envVars }));
  }
  const shell: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.shellEnv ?? process.env))
    if (value !== undefined) shell[name] = value;
  // This machine is no EC2 instance: SAM's credential lookup must not wait for instance metadata.
  shell.AWS_EC2_METADATA_DISABLED ??= "true";
  const run = spawnSyncText(
    python,
    [SAM_LOCAL_ENV, template, options.functionName, ...(envVarsFile ? [envVarsFile] : []), "--region", region],
    shell,
  );
  if (run.status !== 0)
    throw new LocalLambdaError(
      `SAM could not resolve ${options.functionName} from ${template}${envVarsFile ? ` with ${envVarsFile}` : ""}: ${run.stderr.trim().split("\n").at(-1) ?? ""}`,
    );
  return JSON.parse(run.stdout) as Resolved;
}

/** Runs `command` from the repository's root and waits; its status and output as text. */
function spawnSyncText(command: string, args: string[], env: Record<string, string>) {
  const run = spawnSync(command, args, { env, encoding: "utf8", cwd: ROOT });
  return { status: run.status, stdout: run.stdout ?? "", stderr: run.stderr ?? String(run.error ?? "") };
}

/** A task root holding exactly the artifact's files; refused under a package.json, which would decide how Node reads index.js. */
export function taskRootOf(resolved: Resolved, work: string): string {
  const module = `${resolved.handler.split(".")[0] ?? "index"}.js`;
  if (!existsSync(join(resolved.codeUri, module)))
    throw new LocalLambdaError(`${resolved.codeUri} holds no ${module}: run sam build (npm run build) first`);
  const taskRoot = join(work, "task");
  cpSync(resolved.codeUri, taskRoot, { recursive: true });
  for (let dir = dirname(taskRoot); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")))
      throw new LocalLambdaError(
        `${join(dir, "package.json")} lies above the task root ${taskRoot}: Node would read index.js by it; set TMPDIR to a folder outside any package`,
      );
    if (dirname(dir) === dir) break;
  }
  return taskRoot;
}

/**
 * The resolved values as they reach services from this machine: `host.docker.internal` (the host,
 * as a container reaches it; local/env.moto.json) is this machine here, 127.0.0.1, which is what
 * `--add-host host.docker.internal:host-gateway` gives a container.
 */
export function onThisMachine(environment: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [
      name,
      value.replaceAll("//host.docker.internal", "//127.0.0.1"),
    ]),
  );
}
