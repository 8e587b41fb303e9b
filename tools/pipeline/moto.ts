/**
 * Starts a real moto server (the AWS emulator, from the project's virtualenv: `MOTO_SERVER`, set by
 * scripts/setup.sh) on a free 127.0.0.1 port and waits until it answers.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { freePort } from "../lambda/net.ts";

export interface MotoServer {
  readonly endpoint: string;
  stop(): Promise<void>;
}

async function waitUntilUp(endpoint: string, child: ChildProcess, stderr: string[]): Promise<void> {
  const giveUpAt = Date.now() + 30_000;
  while (Date.now() < giveUpAt) {
    if (child.exitCode !== null) throw new Error(`moto server exited (${child.exitCode}): ${stderr.join("")}`);
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) return;
    } catch {
      // Not listening yet: poll again.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto server did not answer at ${endpoint} within 30 s: ${stderr.join("")}`);
}

/**
 * Starts moto on `host:port` (127.0.0.1 and a free port by default) and resolves once it answers;
 * throws with its stderr if it does not within 30 s.
 */
export async function startMoto(options: { port?: number; host?: string; binary?: string } = {}): Promise<MotoServer> {
  const host = options.host ?? "127.0.0.1";
  const binary = options.binary ?? process.env.MOTO_SERVER ?? "moto_server";
  const port = options.port ?? (await freePort());
  const endpoint = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;
  const stderr: string[] = [];
  const child = spawn(binary, ["-H", host, "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    if (stderr.length < 50) stderr.push(chunk.toString());
  });
  child.on("error", (err) => stderr.push(`could not start ${binary}: ${err.message}`));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await exited;
  };
  try {
    await waitUntilUp(endpoint, child, stderr);
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint, stop };
}
