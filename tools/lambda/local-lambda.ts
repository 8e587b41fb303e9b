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
 *
 * This file is the public surface; the parts live beside it: `front-end.ts` (the Invoke API),
 * `execution-environment.ts` (an emulator and its runtime), `sam-function.ts` (SAM's resolution,
 * the task root, the heap flags) and `local-lambda-error.ts`.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Instance, type Invocation } from "./execution-environment.ts";
import { invokeApi } from "./front-end.ts";
import { LocalLambdaError } from "./local-lambda-error.ts";
import { closeServer, listenLocally } from "./net.ts";
import { lambdaHeapFlags, onThisMachine, resolveWithSam, taskRootOf } from "./sam-function.ts";

export type { Invocation, Report } from "./execution-environment.ts";
export { LocalLambdaError } from "./local-lambda-error.ts";

const ROOT = join(import.meta.dirname, "..", "..");
/** The template `sam build` writes, whose CodeUris are the built artifacts. */
const BUILT_TEMPLATE = join(ROOT, ".aws-sam", "build", "template.yaml");
const RIC = join(ROOT, "node_modules", "aws-lambda-ric");
const RUNTIME_NODE_PATH_HOOK = join(import.meta.dirname, "runtime-node-path.ts");
const SDK_PACKAGES = join(ROOT, "node_modules", "@aws-sdk");

/** The function `startLocalLambda` runs, and what it runs it with. */
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

/** A started local Lambda. */
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
  /** Closes the front end, stops every execution environment and removes the work folder. */
  stop(): Promise<void>;
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
  // Synchronous, as an 'exit' handler must be: every runtime and emulator killed, the work folder removed.
  const stopAll = () => {
    for (const instance of instances) instance.kill();
    rmSync(work, { recursive: true, force: true });
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
    throw err;
  }
}
