/**
 * `npm run invoke` (scripts/invoke.ts), the Docker-less `sam local invoke`, as a user runs it: the
 * response on stdout, the runtime's own START/END/REPORT lines on stderr, the exit code; with an
 * --env-vars file in local/env.moto.json's form, whose `host.docker.internal` is this machine here.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DELIVERY_STREAM, deliveredLines, freshPipeline, QUARANTINE_BUCKET } from "../../tools/pipeline/emulator.ts";
import { outputOf, type Run } from "../support/processes.ts";

const endpoint = inject("motoEndpoint");
const ROOT = join(import.meta.dirname, "..", "..");
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "invoke-command-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An env-vars file for the consumer, as local/env.moto.json is, naming the test's moto as a container would. */
function envVarsFile(name: string, values: Record<string, string>): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ TelemetryConsumerFunction: values }));
  return file;
}

function invoke(...args: string[]): Promise<Run> {
  return outputOf(spawn(process.execPath, [join(ROOT, "scripts", "invoke.ts"), ...args], { cwd: ROOT }));
}

describe("npm run invoke", () => {
  it("prints the batch response and the runtime's START, END and REPORT lines, and exits 0", async () => {
    await freshPipeline(endpoint);
    const file = envVarsFile("env.json", {
      AWS_ENDPOINT_URL: endpoint.replace("127.0.0.1", "host.docker.internal"),
      DELIVERY_STREAM_NAME: DELIVERY_STREAM,
      QUARANTINE_BUCKET,
    });

    const run = await invoke("events/mixed-batch.json", "--env-vars", file);

    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ batchItemFailures: [] });
    expect(run.stderr).toMatch(/^START RequestId: \S+ Version: \$LATEST$/m);
    expect(run.stderr).toMatch(/^END RequestId: \S+$/m);
    expect(run.stderr).toMatch(
      /^REPORT RequestId: \S+\t.*Duration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 512 MB/m,
    );
    expect((await deliveredLines(endpoint)).length).toBe(4);
  });

  it("prints the init error and exits 1 when the function's init fails", async () => {
    const file = envVarsFile("bad.json", { QUARANTINE_BUCKET: "Not_A_Bucket" });

    const run = await invoke("events/valid-batch.json", "--env-vars", file);

    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ errorType: "ConfigError" });
    expect(run.stderr.trimEnd().split("\n").at(-1)).toBe(
      "invoke: TelemetryConsumerFunction's init failed (ConfigError): the response above is its init error",
    );
  });
});
