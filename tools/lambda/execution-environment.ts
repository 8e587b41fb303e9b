/**
 * One execution environment of the local Lambda (tools/lambda/local-lambda.ts): an emulator process
 * (`aws-lambda-rie`) and the runtime it starts, invoked through the emulator, its answer read as
 * Lambda gives it (the runtime's error payload, or Lambda's own for a timeout or an emulator error)
 * with the runtime's REPORT line.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { createInterface } from "node:readline";
import { sleep } from "../../shared/time.ts";
import { TIMED_OUT } from "./invoke-api.ts";
import { LocalLambdaError } from "./local-lambda-error.ts";
import { freePort, readBody } from "./net.ts";

/** What the emulator answers when the runtime ran past the function's timeout. */
const TIMED_OUT_TEXT = /^Task timed out after [\d.]+ seconds$/;
/** How long the front end waits, after the emulator answered, for the runtime's REPORT line. */
const REPORT_GRACE_MS = 1_000;
/** How long an emulator has to listen once started. */
const EMULATOR_START_MS = 10_000;

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

/** What an execution environment answered: Lambda's payload and the invocation. */
export interface Answer {
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

/** What an execution environment is started with: the emulator, the runtime's command line, its folder and environment. */
export interface InstanceSetup {
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
export class Instance {
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

  /** The emulator has not exited. */
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
      if (current.report === undefined) await waitAtMost(reported, REPORT_GRACE_MS);
      const requestId = current.requestId ?? randomUUID();
      const text = answer.body.toString("utf8");
      const runtimeErrorType = errorTypeOf(answer.body);
      // Lambda's own error payload where the runtime wrote none: a timeout, or an emulator error.
      let lambdaErrorType: string | undefined;
      if (answer.status === 200 && TIMED_OUT_TEXT.test(text)) lambdaErrorType = TIMED_OUT;
      else if (answer.status !== 200 && runtimeErrorType === undefined) lambdaErrorType = "Runtime.Unknown";
      const errorType = lambdaErrorType ?? runtimeErrorType;
      const payload =
        lambdaErrorType === undefined
          ? answer.body
          : Buffer.from(JSON.stringify({ errorType, errorMessage: `RequestId: ${requestId} Error: ${text}` }));
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

  /**
   * SIGKILL to the runtime, then to the emulator, at once and synchronously: for a process that is
   * exiting and cannot wait (`stop` is the orderly way).
   */
  kill(): void {
    try {
      this.killRuntime();
    } catch {
      // The emulator exited in between: /proc no longer lists it.
    }
    this.child.kill("SIGKILL");
  }

  /** SIGTERM to the emulator (SIGKILL after 5 s); resolves once it has exited. */
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

/** POSTs `body` to `url`; resolves with the status and the whole body of the answer. */
function post(url: string, body: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-length": String(body.length) } }, (res) => {
      readBody(res).then((text) => resolve({ status: res.statusCode ?? 502, body: text }), reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Resolves when `promise` does or after `ms`, whichever comes first; the timer is cleared either way. */
async function waitAtMost(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      promise,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
