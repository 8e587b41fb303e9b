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
  /**
   * Kills, with SIGKILL, the invocation that sent a request with this User-Agent (each child's AWS
   * SDK names it there as `app/<id>`, which Powertools extends); true if one was in flight. Invocations of several shards run
   * at once, so "the one in flight" would be ambiguous.
   */
  killCaller(userAgent: string | undefined): boolean;
}

/** Invokes the bundle in a fresh Node process per call, with `env` as its whole environment. */
export function childProcessHandler(env: Record<string, string>, bundle = BUILT_BUNDLE): ChildProcessHandler {
  const inFlight = new Map<string, ChildProcess>();
  let spawned = 0;
  const handler: Handler = (event, context) =>
    new Promise((resolve, reject) => {
      const id = `invocation-${++spawned}`;
      const child = spawn(process.execPath, [RUNNER], {
        // AWS_SDK_UA_APP_ID: the SDK adds `app/<id>` to the User-Agent of every request it sends.
        env: { ...env, PATH: process.env.PATH ?? "", AWS_SDK_UA_APP_ID: id },
        stdio: "pipe",
      });
      inFlight.set(id, child);
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8");
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
      });
      child.on("close", (code, signal) => {
        inFlight.delete(id);
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
    killCaller(userAgent) {
      // Powertools appends its own mark to the app id (`app/invocation-3-PT-…`).
      const id = / app\/(invocation-\d+)(?!\d)/.exec(userAgent ?? "")?.[1];
      const child = id === undefined ? undefined : inFlight.get(id);
      return child?.kill("SIGKILL") ?? false;
    },
  };
}
