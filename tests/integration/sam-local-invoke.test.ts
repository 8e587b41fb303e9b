/**
 * The documented recipe `sam local invoke TelemetryConsumerFunction -e events/<event> --env-vars
 * local/env.moto.json --region eu-west-1`, proven without Docker: the function's environment is what
 * the SAM CLI's own code resolves (tools/lambda/sam-local-env.py: the built template's variables,
 * the env file, the shell environment, SAM's credentials and region), and the built bundle runs with
 * exactly that environment (plus PATH) in a process of its own against the test's moto server.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { childProcessHandler } from "../../tools/faults/child-handler.ts";
import { BUILT_BUNDLE, lambdaContext } from "../../tools/lambda/invoke.ts";
import {
  bundleEnv,
  DELIVERY_STREAM,
  deliveredLines,
  freshPipeline,
  QUARANTINE_BUCKET,
  quarantinedLines,
  REGION,
} from "../../tools/pipeline/emulator.ts";
import { sampleEvent } from "../support/batch.ts";

const endpoint = inject("motoEndpoint");
const ROOT = join(import.meta.dirname, "..", "..");
const BUILT_TEMPLATE = join(ROOT, ".aws-sam", "build", "template.yaml");
const ENV_FILE = join(ROOT, "local", "env.moto.json");
/** Where local/env.moto.json points: the emulator as a Docker container reaches it (scripts/emulator.ts). */
const DOCKER_ENDPOINT = "http://host.docker.internal:5000";

let workDir: string;
let env: Record<string, string>;

/**
 * The shell `sam local invoke` runs from: this one, without AWS credentials or profiles (as on CI),
 * so SAM's own fallback credentials are what the function gets. Instance metadata is off so the
 * credential lookup does not wait for an endpoint that is not there.
 */
function credentiallessShell(dir: string): Record<string, string> {
  const shell: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (
      value !== undefined &&
      !/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE|DEFAULT_PROFILE)$/.test(name)
    )
      shell[name] = value;
  }
  return {
    ...shell,
    AWS_CONFIG_FILE: join(dir, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

beforeAll(() => {
  if (!existsSync(BUILT_TEMPLATE))
    throw new Error(`${BUILT_TEMPLATE} is missing: run sam build (scripts/build.sh) first`);
  const python = process.env.SAM_PYTHON;
  if (!python) throw new Error("SAM_PYTHON is not set: source scripts/setup.sh first");
  workDir = mkdtempSync(join(tmpdir(), "sam-local-env-"));
  // The committed file names the emulator as Docker sees it; this test's moto listens on another
  // host:port, so a copy with that address substituted is what SAM reads here.
  const committed = readFileSync(ENV_FILE, "utf8");
  expect(committed).toContain(DOCKER_ENDPOINT);
  const envFile = join(workDir, "env.moto.json");
  writeFileSync(envFile, committed.replaceAll(DOCKER_ENDPOINT, endpoint));
  const resolved = spawnSync(
    python,
    [
      join(ROOT, "tools", "lambda", "sam-local-env.py"),
      BUILT_TEMPLATE,
      "TelemetryConsumerFunction",
      envFile,
      "--region",
      REGION,
    ],
    { env: credentiallessShell(workDir), encoding: "utf8", cwd: ROOT },
  );
  if (resolved.status !== 0) throw new Error(`sam-local-env.py failed (${resolved.status}): ${resolved.stderr}`);
  env = JSON.parse(resolved.stdout);
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Counts of quarantine lines by reason. */
function byReason(lines: readonly { reason: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { reason } of lines) counts[reason] = (counts[reason] ?? 0) + 1;
  return counts;
}

describe("sam local invoke with local/env.moto.json", () => {
  it("gives the function the emulator's endpoint and names, with SAM's placeholder credentials", () => {
    expect(env).toMatchObject({
      AWS_SAM_LOCAL: "true",
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: "defaultkey",
      AWS_SECRET_ACCESS_KEY: "defaultsecret",
      DELIVERY_STREAM_NAME: DELIVERY_STREAM,
      QUARANTINE_BUCKET,
    });
  });

  it.each([
    ["valid-batch.json", 8, {}],
    ["mixed-batch.json", 4, SIX_REASONS()],
    ["kpl-aggregated-batch.json", 8, { SCHEMA_INVALID: 1 }],
    ["poison-only-batch.json", 0, SIX_REASONS()],
  ])("runs %s: %i lines delivered, rejects quarantined by reason", async (name, delivered, quarantined) => {
    // Checked first: without the override the bundle would call AWS itself with placeholder keys.
    expect(env.AWS_ENDPOINT_URL).toBe(endpoint);
    await freshPipeline(endpoint);
    const { handler } = childProcessHandler(env);

    const response = await handler(sampleEvent(name), lambdaContext(30_000));

    expect(response).toEqual({ batchItemFailures: [] });
    expect((await deliveredLines(endpoint)).length).toBe(delivered);
    expect(byReason(await quarantinedLines(endpoint))).toEqual(quarantined);
  });

  it("runs max-size-batch.json: every user record delivered once, the five poison records quarantined", async () => {
    expect(env.AWS_ENDPOINT_URL).toBe(endpoint);
    await freshPipeline(endpoint);
    const event = sampleEvent("max-size-batch.json");
    const poison = ["VIN-BASE64", "VIN-AGG", "VIN-UTF8", "VIN-JSON", "VIN-SCHEMA"];
    const userRecords = event.Records.reduce(
      (n, r) => n + (poison.includes(r.kinesis.partitionKey) ? 0 : r.kinesis.partitionKey === "aggregate" ? 10 : 1),
      0,
    );
    const { handler } = childProcessHandler(env);

    const response = await handler(event, lambdaContext(60_000));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(new Set((await deliveredLines(endpoint)).map((line) => line.ingest.recordId)).size).toBe(userRecords);
    expect(byReason(await quarantinedLines(endpoint))).toEqual({
      BASE64_INVALID: 1,
      AGGREGATE_CORRUPT: 1,
      UTF8_INVALID: 1,
      JSON_INVALID: 1,
      SCHEMA_INVALID: 1,
    });
  });
});

describe("AWS_ENDPOINT_URL as the deployed function sees it", () => {
  /** Loads the bundle in a fresh process with `env`, as a cold start does. */
  function coldStart(extra: Record<string, string>) {
    return spawnSync(process.execPath, ["-e", `require(${JSON.stringify(BUILT_BUNDLE)})`], {
      env: { ...bundleEnv(), ...extra, PATH: process.env.PATH ?? "" },
      encoding: "utf8",
    });
  }

  it("loads with the template's empty value (AWS's own endpoints)", () => {
    const child = coldStart({ AWS_ENDPOINT_URL: "" });
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
  });

  it("fails at load, naming the variable, when it is not a URL", () => {
    const child = coldStart({ AWS_ENDPOINT_URL: "host.docker.internal:5000" });
    expect(child.status).not.toBe(0);
    expect(child.stderr).toContain("AWS_ENDPOINT_URL must be an http:// or https:// URL");
  });
});

function SIX_REASONS(): Record<string, number> {
  return {
    BASE64_INVALID: 1,
    AGGREGATE_CORRUPT: 1,
    TOO_LARGE: 1,
    UTF8_INVALID: 1,
    JSON_INVALID: 1,
    SCHEMA_INVALID: 1,
  };
}
