/**
 * A handler that runs each invocation in its own child process (tools/faults/child-runner.ts), so a
 * test can kill the function mid-batch the way a crash or an out-of-memory kill would.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { BUILT_BUNDLE, type Handler } from "../lambda/invoke.ts";

export const RESPONSE_MARKER = "@@response@@";
const RUNNER = join(import.meta.dirname, "child-runner.ts");

export interface ChildProcessHandler {
  readonly handler: Handler;
  /** Kills the invocation in flight, if any, with SIGKILL. */
  killCurrent(): void;
}

/** Invokes the bundle in a fresh Node process per call, with `env` as its whole environment. */
export function childProcessHandler(env: Record<string, string>, bundle = BUILT_BUNDLE): ChildProcessHandler {
  let current: ChildProcess | undefined;
  const handler: Handler = (event, context) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [RUNNER], { env: { ...env, PATH: process.env.PATH ?? "" }, stdio: "pipe" });
      current = child;
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8");
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
      });
      child.on("close", (code, signal) => {
        if (current === child) current = undefined;
        const line = stdout.split("\n").find((l) => l.startsWith(RESPONSE_MARKER));
        if (code === 0 && line) return resolve(JSON.parse(line.slice(RESPONSE_MARKER.length)));
        reject(
          new Error(
            signal
              ? `Runtime exited with signal: ${signal}`
              : `Runtime exited with code ${code}: ${stderr.slice(-500)}`,
          ),
        );
      });
      child.stdin.end(JSON.stringify({ bundle, event, timeoutMs: context.getRemainingTimeInMillis() }));
    });
  return {
    handler,
    killCurrent() {
      current?.kill("SIGKILL");
    },
  };
}
