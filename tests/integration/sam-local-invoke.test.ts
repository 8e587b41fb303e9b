/**
 * The documented recipe `sam local invoke TelemetryConsumerFunction -e events/<event> --env-vars
 * local/env.moto.json --region eu-west-1`, without Docker: the built artifact runs under Lambda's
 * runtime interface (a local Lambda, tools/lambda/local-lambda.ts, as `npm run invoke` runs it) with
 * the environment the SAM CLI's own code resolves (the built template's variables, the env file, the
 * shell environment, SAM's credentials and region), every sample event invoked through Lambda's
 * Invoke API against the test's moto server.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KinesisStreamBatchResponse } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type InvokeResult, invokeFunction, lambdaClient } from "../../tools/lambda/invoke-api.ts";
import { type Invocation, type LocalLambda, startLocalLambda } from "../../tools/lambda/local-lambda.ts";
import {
  CONSUMER_FUNCTION,
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
const ENV_FILE = join(ROOT, "local", "env.moto.json");
/** Where local/env.moto.json points: the emulator as a Docker container reaches it (scripts/emulator.ts). */
const DOCKER_ENDPOINT = "http://host.docker.internal:5000";

let workDir: string;
let lambda: LocalLambda;
const invocations: Invocation[] = [];

/**
 * The shell `sam local invoke` runs from: this one, without AWS credentials or profiles (as on CI),
 * so SAM's own fallback credentials are what the function gets.
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
  };
}

function invoke(local: LocalLambda, event: unknown): Promise<InvokeResult<KinesisStreamBatchResponse>> {
  return invokeFunction<KinesisStreamBatchResponse>(lambdaClient(local.endpoint, REGION), CONSUMER_FUNCTION, event);
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "sam-local-invoke-"));
  // The committed file names the emulator as Docker sees it; this test's moto listens on another
  // host:port, so a copy with that address substituted is what SAM reads here.
  const committed = readFileSync(ENV_FILE, "utf8");
  expect(committed).toContain(DOCKER_ENDPOINT);
  const envVarsFile = join(workDir, "env.moto.json");
  writeFileSync(envVarsFile, committed.replaceAll(DOCKER_ENDPOINT, endpoint));
  lambda = await startLocalLambda({
    functionName: CONSUMER_FUNCTION,
    envVarsFile,
    region: REGION,
    shellEnv: credentiallessShell(workDir),
    onInvocation: (invocation) => invocations.push(invocation),
  });
});

afterAll(async () => {
  await lambda?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Counts of quarantine lines by reason. */
function byReason(lines: readonly { reason: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { reason } of lines) counts[reason] = (counts[reason] ?? 0) + 1;
  return counts;
}

describe("sam local invoke with local/env.moto.json, under Lambda's runtime interface", () => {
  it("gives the function the emulator's endpoint and names, with SAM's placeholder credentials", () => {
    expect(lambda.environment).toMatchObject({
      AWS_SAM_LOCAL: "true",
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: "defaultkey",
      AWS_SECRET_ACCESS_KEY: "defaultsecret",
      DELIVERY_STREAM_NAME: DELIVERY_STREAM,
      QUARANTINE_BUCKET,
      AWS_LAMBDA_FUNCTION_TIMEOUT: "60",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
    });
  });

  it.each([
    ["valid-batch.json", 8, {}],
    ["mixed-batch.json", 4, SIX_REASONS()],
    ["kpl-aggregated-batch.json", 8, { SCHEMA_INVALID: 1 }],
    ["poison-only-batch.json", 0, SIX_REASONS()],
  ])(
    "runs %s: %i lines delivered, rejects quarantined by reason, the runtime's REPORT line printed",
    async (name, delivered, quarantined) => {
      await freshPipeline(endpoint);

      const answer = await invoke(lambda, sampleEvent(name));

      expect(answer).toEqual({ ok: true, payload: { batchItemFailures: [] } });
      expect((await deliveredLines(endpoint)).length).toBe(delivered);
      expect(byReason(await quarantinedLines(endpoint))).toEqual(quarantined);
      expect(invocations.at(-1)?.lines.at(-1)).toMatch(
        /^REPORT RequestId: \S+\t.*Duration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 512 MB/,
      );
    },
  );

  it("runs max-size-batch.json: every user record delivered once, the five poison records quarantined", async () => {
    await freshPipeline(endpoint);
    const event = sampleEvent("max-size-batch.json");
    const poison = ["VIN-BASE64", "VIN-AGG", "VIN-UTF8", "VIN-JSON", "VIN-SCHEMA"];
    const userRecords = event.Records.reduce(
      (n, r) => n + (poison.includes(r.kinesis.partitionKey) ? 0 : r.kinesis.partitionKey === "aggregate" ? 10 : 1),
      0,
    );

    const answer = await invoke(lambda, event);

    expect(answer).toEqual({ ok: true, payload: { batchItemFailures: [] } });
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
  /** The function with the emulator's names and `endpoint` as given (undefined: the template's empty value). */
  async function withEndpoint(value: string | undefined, run: (local: LocalLambda) => Promise<void>) {
    const local = await startLocalLambda({
      functionName: CONSUMER_FUNCTION,
      region: REGION,
      envVars: {
        DELIVERY_STREAM_NAME: DELIVERY_STREAM,
        QUARANTINE_BUCKET,
        ...(value === undefined ? {} : { AWS_ENDPOINT_URL: value }),
      },
    });
    try {
      await run(local);
    } finally {
      await local.stop();
    }
  }

  it("starts with the template's empty value (AWS's own endpoints): an empty batch is answered", async () => {
    await withEndpoint(undefined, async (local) => {
      expect(local.environment.AWS_ENDPOINT_URL).toBe("");
      expect(await invoke(local, { Records: [] })).toEqual({ ok: true, payload: { batchItemFailures: [] } });
    });
  });

  it("fails its init, naming the variable, when it is not a URL", async () => {
    await withEndpoint("host.docker.internal:5000", async (local) => {
      expect(await invoke(local, { Records: [] })).toMatchObject({
        ok: false,
        functionError: "Unhandled",
        error: {
          errorType: "ConfigError",
          errorMessage: expect.stringContaining("AWS_ENDPOINT_URL must be an http:// or https:// URL"),
        },
      });
    });
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
