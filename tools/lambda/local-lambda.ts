/**
 * A local Lambda: a built function run by Lambda's own Runtime Interface Emulator (the
 * `aws-lambda-rie` binary of the SAM CLI wheel, what `sam local` runs in its container) with the
 * Node.js runtime interface client (`aws-lambda-ric`), behind the smallest front end that answers
 * Lambda's Invoke API as Lambda does.
 *
 * Each execution environment gets what Lambda gives it:
 * - a task root holding exactly the artifact's files (the built CodeUri, copied: no package.json, so
 *   `index.js` is CommonJS as in the deployment zip), the runtime's working directory;
 * - the environment `sam local invoke` resolves (tools/lambda/sam-local-env.py: the template's
 *   variables with Globals, the --env-vars file, the shell, credentials and region), which carries
 *   AWS_LAMBDA_FUNCTION_TIMEOUT and AWS_LAMBDA_FUNCTION_MEMORY_SIZE from the template; the emulator
 *   enforces that timeout, killing the runtime and initialising a new one on the next invocation;
 * - the heap flags the Node.js runtime's bootstrap sets for that memory (`lambdaHeapFlags`);
 * - the runtime-included SDK, found as AWS's runtime finds it: the `@aws-sdk` packages alone in a
 *   `node_modules` folder of their own (as under /var/runtime/node_modules), on NODE_PATH, which
 *   Node applies to `require`; for ES imports, which Node resolves without NODE_PATH,
 *   tools/lambda/runtime-node-path.ts is loaded into the runtime process (`--import`) to search the
 *   same folders, as AWS's Node.js runtimes do.
 *
 * The front end serves `POST /2015-03-31/functions/<name>/invocations` (RequestResponse): the
 * function's logical id or its ARN; another name is Lambda's ResourceNotFoundException. Each
 * concurrent invocation gets an execution environment of its own (one emulator and runtime each, as
 * Lambda runs one per shard batch), reused once free. The bare emulator serves only the name
 * `function` and marks no error; the front end adds what Lambda's answer has: `X-Amz-Function-Error:
 * Unhandled` on the runtime's error payload (the check `sam local start-lambda` makes), on a runtime
 * that exited (Runtime.ExitError) or failed its init (the init error), and Lambda's payload for a
 * timeout (Sandbox.Timedout, "Task timed out after N seconds").
 *
 * Not Lambda's here: no Firecracker sandbox (the runtime is a process of this machine), no memory
 * limit enforced (the emulator's "Max Memory Used" repeats the configured size), no freeze between
 * invocations (timers and sockets of one invocation run on between them).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { closeServer, freePort, listenLocally, readBody } from "./net.ts";

const ROOT = join(import.meta.dirname, "..", "..");
/** The template `sam build` writes, whose CodeUris are the built artifacts. */
export const BUILT_TEMPLATE = join(ROOT, ".aws-sam", "build", "template.yaml");
const RIC = join(ROOT, "node_modules", "aws-lambda-ric");
const RUNTIME_NODE_PATH_HOOK = join(import.meta.dirname, "runtime-node-path.ts");
const SAM_LOCAL_ENV = join(import.meta.dirname, "sam-local-env.py");
const SDK_PACKAGES = join(ROOT, "node_modules", "@aws-sdk");

/** Lambda's limit on a synchronous invocation's request payload. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const TIMED_OUT = /^Task timed out after [\d.]+ seconds$/;
/** How long the front end waits, after the emulator answered, for the runtime's REPORT line. */
const REPORT_GRACE_MS = 1_000;
const EMULATOR_START_MS = 10_000;

/** The emulator or the runtime could not be started; the message names what is missing and the fix. */
export class LocalLambdaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LocalLambdaError";
  }
}

export interface LocalLambdaOptions {
  /** The function's logical id in the template (TelemetryConsumerFunction, RedriveFunction). */
  readonly functionName: string;
  /** The built template (default `.aws-sam/build/template.yaml`). */
  readonly template?: string;
  /** A file in `sam local invoke --env-vars` form. */
  readonly envVarsFile?: string;
  /** The function's values in that form, when no `envVarsFile` is given (written to a file of their own). */
  readonly envVars?: Readonly<Record<string, string>>;
  /** The region SAM gives the function (`--region`); default eu-west-1. */
  readonly region?: string;
  /** The function's timeout in whole seconds instead of the template's (a scenario's), 1 to 900 as in Lambda. */
  readonly timeoutS?: number;
  /**
   * Variables the template does not declare, for one execution environment (`sam local invoke` would
   * drop them): test hooks such as a scenario's FIREHOSE_ATTEMPT_TIMEOUT_MS, or an id in the SDK's
   * User-Agent to know which environment sent a request.
   */
  readonly extraEnv?: (instance: string) => Readonly<Record<string, string>>;
  /** The shell environment SAM resolves with (default this process's). */
  readonly shellEnv?: Readonly<Record<string, string | undefined>>;
  /** Every line the runtime prints (START/END/REPORT, the function's logs), as it prints it. */
  readonly onLine?: (line: string, instance: string) => void;
  /** Each invocation once answered. */
  readonly onInvocation?: (invocation: Invocation) => void;
}

/** The runtime's REPORT line, read. */
export interface Report {
  readonly requestId: string;
  readonly durationMs: number;
  readonly billedDurationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  readonly initDurationMs?: number;
}

/** One invocation, as the front end answered it. */
export interface Invocation {
  /** The execution environment that ran it. */
  readonly instance: string;
  readonly requestId: string;
  /** Lambda's `X-Amz-Function-Error`, when the function failed. */
  readonly functionError?: "Unhandled";
  /** The error payload's errorType, when the function failed (Sandbox.Timedout for a timeout). */
  readonly errorType?: string;
  /** The runtime's init failed in this invocation (the emulator said so). */
  readonly initFailed: boolean;
  readonly report?: Report;
  /** The runtime's lines from START to REPORT. */
  readonly lines: readonly string[];
}

export interface LocalLambda {
  /** Lambda's Invoke API, for a Lambda client's `endpoint`. */
  readonly endpoint: string;
  readonly functionName: string;
  readonly region: string;
  /** The environment each execution environment starts with (but for `extraEnv`). */
  readonly environment: Readonly<Record<string, string>>;
  /** The execution environments started so far. */
  readonly instances: () => readonly string[];
  /** Kills (SIGKILL) the runtime process of execution environment `instance`, as a crash would; false if none runs. */
  killRuntime(instance: string): boolean;
  stop(): Promise<void>;
}

/** What `sam-local-env.py` prints. */
interface Resolved {
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

/** The REPORT line's figures, or undefined for any other line. */
export function parseReport(line: string): Report | undefined {
  const requestId = /^REPORT RequestId: (\S+)/.exec(line)?.[1];
  if (requestId === undefined) return undefined;
  const figure = (name: string) => Number(new RegExp(`\\t${name}: ([\\d.]+)`).exec(line)?.[1] ?? Number.NaN);
  const init = figure("Init Duration");
  return {
    requestId,
    durationMs: figure("Duration"),
    billedDurationMs: figure("Billed Duration"),
    memorySizeMb: figure("Memory Size"),
    maxMemoryUsedMb: figure("Max Memory Used"),
    ...(Number.isNaN(init) ? {} : { initDurationMs: init }),
  };
}

/**
 * Starts the front end for the built function `options.functionName` and one execution environment
 * (more start as invocations overlap). Throws a LocalLambdaError when the runtime interface client
 * is not built, the template or the artifact is missing, or the emulator does not start.
 */
export async function startLocalLambda(options: LocalLambdaOptions): Promise<LocalLambda> {
  if (!existsSync(join(RIC, "rapid-client.node")))
    throw new LocalLambdaError(
      `${join(RIC, "rapid-client.node")} is missing: aws-lambda-ric compiles it when npm installs it, with cmake, g++, make, autoconf, automake and libtool (Debian: apt-get install cmake g++ make autoconf automake libtool), then npm ci`,
    );
  const template = options.template ?? BUILT_TEMPLATE;
  if (!existsSync(template)) throw new LocalLambdaError(`${template} is missing: run sam build (npm run build) first`);
  if (
    options.timeoutS !== undefined &&
    !(Number.isInteger(options.timeoutS) && options.timeoutS >= 1 && options.timeoutS <= 900)
  )
    throw new LocalLambdaError(
      `timeoutS must be a whole number of seconds from 1 to 900, as Lambda's Timeout (got ${options.timeoutS})`,
    );
  const region = options.region ?? "eu-west-1";
  const work = mkdtempSync(join(tmpdir(), "vtc-lambda-"));
  const instances: Instance[] = [];
  const stopAll = () => {
    for (const instance of instances) instance.child.kill("SIGKILL");
  };
  try {
    const resolved = resolveWithSam(options, template, region, work);
    const taskRoot = taskRootOf(resolved, work);
    const sdkFolder = join(work, "runtime", "node_modules");
    mkdirSync(sdkFolder, { recursive: true });
    symlinkSync(SDK_PACKAGES, join(sdkFolder, "@aws-sdk"), "dir");
    const timeoutS = options.timeoutS ?? resolved.timeout;
    const environment: Record<string, string> = {
      ...onThisMachine(resolved.environment),
      AWS_LAMBDA_FUNCTION_TIMEOUT: String(timeoutS),
      // What Lambda's Node.js runtime sets besides the function's variables.
      AWS_EXECUTION_ENV: `AWS_Lambda_${resolved.runtime}`,
      LAMBDA_TASK_ROOT: taskRoot,
      _HANDLER: resolved.handler,
      NODE_PATH: [sdkFolder, taskRoot].join(":"),
      TZ: ":UTC",
      LANG: "en_US.UTF-8",
      PATH: "/usr/local/bin:/usr/bin:/bin",
    };
    const runtime = [
      process.execPath,
      "--import",
      RUNTIME_NODE_PATH_HOOK,
      ...lambdaHeapFlags(resolved.memorySize),
      join(RIC, "index.mjs"),
      resolved.handler,
    ];
    let started = 0;
    const startInstance = async (): Promise<Instance> => {
      const id = `instance-${++started}`;
      const instance = await Instance.start(id, {
        emulator: resolved.emulator,
        runtime,
        cwd: taskRoot,
        env: { ...environment, ...options.extraEnv?.(id) },
        onLine: options.onLine,
      });
      instances.push(instance);
      return instance;
    };
    const idle: Instance[] = [await startInstance()];
    const server = invokeApi(options.functionName, options.onInvocation, async (body) => {
      let instance = idle.pop();
      while (instance !== undefined && !instance.alive) instance = idle.pop();
      instance ??= await startInstance();
      try {
        return await instance.invoke(body);
      } finally {
        if (instance.alive) idle.push(instance);
      }
    });
    const endpoint = await listenLocally(server);
    process.once("exit", stopAll);
    return {
      endpoint,
      functionName: options.functionName,
      region,
      environment,
      instances: () => instances.map((i) => i.id),
      killRuntime: (id) => instances.find((i) => i.id === id)?.killRuntime() ?? false,
      async stop() {
        process.removeListener("exit", stopAll);
        await closeServer(server);
        await Promise.all(instances.map((i) => i.stop()));
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (err) {
    stopAll();
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
}

/** True when `name` (from the request's path) is the function: its logical id or its ARN, unqualified or `$LATEST`. */
export function namesFunction(name: string, functionName: string): boolean {
  const arn = /^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:([^:]+)(?::(\$LATEST))?$/.exec(name);
  return (arn?.[1] ?? name) === functionName;
}

/**
 * The front end: Lambda's Invoke API for `functionName` (RequestResponse), each invocation run by
 * `run` in an execution environment, its answer given as Lambda gives it; Lambda's errors for
 * another operation, another function, another invocation type or a payload past 6 MB.
 */
function invokeApi(
  functionName: string,
  onInvocation: ((invocation: Invocation) => void) | undefined,
  run: (payload: Buffer) => Promise<Answer>,
): Server {
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const name = INVOKE_PATH.exec(url.pathname)?.[1];
    if (req.method !== "POST" || name === undefined)
      return lambdaError(
        res,
        404,
        "UnknownOperationException",
        `${req.method} ${url.pathname} is not an operation this local Lambda serves (only Invoke)`,
      );
    if (!namesFunction(decodeURIComponent(name), functionName))
      return lambdaError(res, 404, "ResourceNotFoundException", `Function not found: ${decodeURIComponent(name)}`);
    const type = req.headers["x-amz-invocation-type"] ?? "RequestResponse";
    if (type !== "RequestResponse")
      return lambdaError(
        res,
        400,
        "InvalidParameterValueException",
        `invocation type ${type} is not served locally: only RequestResponse`,
      );
    const body = await readBody(req);
    if (body.length > MAX_PAYLOAD_BYTES)
      return lambdaError(
        res,
        413,
        "RequestTooLargeException",
        `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
      );
    const answer = await run(body);
    onInvocation?.(answer.invocation);
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": String(answer.payload.length),
      "x-amz-executed-version": "$LATEST",
      "x-amzn-requestid": answer.invocation.requestId,
      ...(answer.invocation.functionError ? { "x-amz-function-error": answer.invocation.functionError } : {}),
    });
    res.end(answer.payload);
  };
  return createServer((req, res) => {
    serve(req, res).catch((err: unknown) => {
      // This local Lambda failed (an emulator that would not start): Lambda's own ServiceException.
      if (!res.headersSent) lambdaError(res, 500, "ServiceException", err instanceof Error ? err.message : String(err));
      else res.destroy();
    });
  });
}

/** SAM's resolution of the function, with `envVars` written as an --env-vars file of its own. */
function resolveWithSam(options: LocalLambdaOptions, template: string, region: string, work: string): Resolved {
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

function spawnSyncText(command: string, args: string[], env: Record<string, string>) {
  const run = spawnSync(command, args, { env, encoding: "utf8", cwd: ROOT });
  return { status: run.status, stdout: run.stdout ?? "", stderr: run.stderr ?? String(run.error ?? "") };
}

/** A task root holding exactly the artifact's files; refused under a package.json, which would decide how Node reads index.js. */
function taskRootOf(resolved: Resolved, work: string): string {
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
function onThisMachine(environment: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [
      name,
      value.replaceAll("//host.docker.internal", "//127.0.0.1"),
    ]),
  );
}

function lambdaError(res: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ Type: "User", message });
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
    "x-amzn-errortype": type,
    "x-amzn-requestid": randomUUID(),
  });
  res.end(body);
}

/** What an execution environment answered: Lambda's payload and the invocation. */
interface Answer {
  readonly payload: Buffer;
  readonly invocation: Invocation;
}

/** The error payload of a function that failed, as the runtime or the emulator wrote it: errorType and errorMessage. */
function errorTypeOf(payload: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(payload.toString("utf8")) as unknown;
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
    const keys = Object.keys(parsed);
    // sam local start-lambda's check: errorMessage and errorType, with nothing but a trace or a cause beside them.
    const isError =
      keys.includes("errorType") &&
      keys.includes("errorMessage") &&
      keys.every((k) => ["errorType", "errorMessage", "trace", "stackTrace", "cause"].includes(k));
    return isError ? String((parsed as { errorType: unknown }).errorType) : undefined;
  } catch {
    return undefined;
  }
}

interface InstanceSetup {
  readonly emulator: string;
  readonly runtime: readonly string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly onLine?: (line: string, instance: string) => void;
}

/** What an execution environment has printed for the invocation it runs. */
interface InFlight {
  lines: string[];
  stderr: string[];
  requestId?: string;
  report?: Report;
  reported?: () => void;
}

/** One execution environment: an emulator process and the runtime it starts. */
class Instance {
  #current: InFlight | undefined;
  readonly #stderrTail: string[] = [];

  readonly id: string;
  readonly child: ChildProcess;
  readonly #port: number;

  private constructor(id: string, child: ChildProcess, port: number) {
    this.id = id;
    this.child = child;
    this.#port = port;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Starts the emulator and waits until it listens; tried three times, since a free port can be taken
   * between its choice and the emulator's bind. Throws a LocalLambdaError with the emulator's words.
   */
  static async start(id: string, setup: InstanceSetup): Promise<Instance> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await Instance.#startOnce(id, setup);
      } catch (err) {
        if (attempt === 3 || !(err instanceof LocalLambdaError)) throw err;
      }
    }
  }

  static async #startOnce(id: string, setup: InstanceSetup): Promise<Instance> {
    const [port, runtimePort] = [await freePort(), await freePort()];
    const child = spawn(
      setup.emulator,
      [
        "--log-level",
        "error",
        "--runtime-interface-emulator-address",
        `127.0.0.1:${port}`,
        "--runtime-api-address",
        `127.0.0.1:${runtimePort}`,
        ...setup.runtime,
      ],
      { cwd: setup.cwd, env: setup.env, stdio: ["ignore", "pipe", "pipe"] },
    );
    const instance = new Instance(id, child, port);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) =>
      instance.#stdout(line, setup),
    );
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (line) => instance.#stderr(line));
    const failed = new Promise<never>((_, reject) => {
      child.once("error", (err) =>
        reject(new LocalLambdaError(`the emulator ${setup.emulator} could not start: ${err.message}`)),
      );
      child.once("exit", (code, signal) =>
        reject(
          new LocalLambdaError(`the emulator exited at start (${signal ?? code}): ${instance.#stderrTail.join(" | ")}`),
        ),
      );
    });
    failed.catch(() => undefined);
    try {
      await Promise.race([listening(port), failed]);
    } catch (err) {
      child.kill("SIGKILL");
      throw err;
    }
    return instance;
  }

  #stdout(line: string, setup: InstanceSetup): void {
    setup.onLine?.(line, this.id);
    const current = this.#current;
    if (!current) return;
    current.lines.push(line);
    current.requestId ??= /^START RequestId: (\S+)/.exec(line)?.[1];
    const report = parseReport(line);
    if (report) {
      current.report = report;
      current.reported?.();
    }
  }

  #stderr(line: string): void {
    this.#stderrTail.push(line);
    if (this.#stderrTail.length > 20) this.#stderrTail.shift();
    this.#current?.stderr.push(line);
  }

  /** Invokes the runtime through the emulator and reads its answer as Lambda would give it. */
  async invoke(body: Buffer): Promise<Answer> {
    const current: InFlight = { lines: [], stderr: [] };
    this.#current = current;
    const reported = new Promise<void>((resolve) => {
      current.reported = resolve;
    });
    try {
      const answer = await post(`http://127.0.0.1:${this.#port}/2015-03-31/functions/function/invocations`, body).catch(
        (err: unknown) => {
          throw new LocalLambdaError(
            `the emulator of ${this.id} did not answer (${err instanceof Error ? err.message : String(err)}): ${this.#stderrTail.join(" | ")}`,
          );
        },
      );
      if (current.report === undefined) await Promise.race([reported, sleep(REPORT_GRACE_MS)]);
      const requestId = current.requestId ?? randomUUID();
      const text = answer.body.toString("utf8");
      let payload = answer.body;
      let errorType = errorTypeOf(payload);
      if (answer.status === 200 && TIMED_OUT.test(text)) {
        errorType = "Sandbox.Timedout";
        payload = Buffer.from(JSON.stringify({ errorType, errorMessage: `RequestId: ${requestId} Error: ${text}` }));
      } else if (answer.status !== 200 && errorType === undefined) {
        errorType = "Runtime.Unknown";
        payload = Buffer.from(JSON.stringify({ errorType, errorMessage: `RequestId: ${requestId} Error: ${text}` }));
      }
      return {
        payload,
        invocation: {
          instance: this.id,
          requestId,
          ...(errorType === undefined ? {} : { functionError: "Unhandled" as const, errorType }),
          initFailed: current.stderr.some((line) => line.includes("Init failed")),
          ...(current.report ? { report: current.report } : {}),
          lines: current.lines,
        },
      };
    } finally {
      this.#current = undefined;
    }
  }

  /** SIGKILL to the runtime process (the emulator's child); false if there is none. */
  killRuntime(): boolean {
    const pid = this.child.pid;
    if (pid === undefined || !this.alive) return false;
    let killed = false;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(/\s+/)) {
        if (child === "") continue;
        try {
          process.kill(Number(child), "SIGKILL");
          killed = true;
        } catch {
          // Exited in between.
        }
      }
    }
    return killed;
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = once(this.child, "exit");
    this.child.kill("SIGTERM");
    const forced = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(forced);
  }
}

/** Resolves once something accepts connections on 127.0.0.1:port; rejects after EMULATOR_START_MS. */
async function listening(port: number): Promise<void> {
  const giveUpAt = Date.now() + EMULATOR_START_MS;
  while (Date.now() < giveUpAt) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (up) return;
    await sleep(20);
  }
  throw new LocalLambdaError(`the emulator did not listen on 127.0.0.1:${port} within ${EMULATOR_START_MS} ms`);
}

function post(url: string, body: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-length": String(body.length) } }, (res) => {
      readBody(res).then((text) => resolve({ status: res.statusCode ?? 502, body: text }), reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
