/**
 * The local Lambda (tools/lambda/local-lambda.ts): Lambda's Runtime Interface Emulator with the Node.js
 * runtime interface client, behind the front end that answers Lambda's Invoke API. First with a probe
 * function of a template of this test's own (what the runtime gives a function, and how Lambda
 * answers errors, timeouts and crashes), then with the built consumer: an init failure, a Firehose
 * that stalls, and a timeout that leaves nothing after the safety margin.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SAFETY_MARGIN_MS } from "../../shared/time.ts";
import { startFaultProxy } from "../../tools/faults/fault-proxy.ts";
import { MAX_PAYLOAD_BYTES } from "../../tools/lambda/front-end.ts";
import { invokeFunction, lambdaClient, TIMED_OUT } from "../../tools/lambda/invoke-api.ts";
import { type Invocation, type LocalLambda, startLocalLambda } from "../../tools/lambda/local-lambda.ts";
import { lambdaHeapFlags } from "../../tools/lambda/sam-function.ts";
import { startConsumer } from "../../tools/pipeline/consumer.ts";
import { freshPipeline, REGION } from "../../tools/pipeline/emulator.ts";
import { sampleEvent } from "../support/batch.ts";

const endpoint = inject("motoEndpoint");

/** What the probe answers: what its runtime gave it. */
interface Probe {
  pid: number;
  initAt: number;
  remainingMs: number;
  functionName: string;
  memoryLimitInMB: string;
  execArgv: string[];
  cwd: string;
  taskRoot: string;
  files: string[];
  variable: string;
}

const PROBE = `
const initAt = Date.now();
exports.handler = async (event, context) => {
  if (event.mode === "throw") throw new TypeError("the probe failed");
  if (event.mode === "sleep") await new Promise((resolve) => setTimeout(resolve, event.ms));
  if (event.mode === "sdk")
    return {
      required: typeof require("@aws-sdk/client-s3").S3Client,
      imported: typeof (await import("@aws-sdk/client-s3")).S3Client,
    };
  return {
    pid: process.pid,
    initAt,
    remainingMs: context.getRemainingTimeInMillis(),
    functionName: context.functionName,
    memoryLimitInMB: context.memoryLimitInMB,
    execArgv: process.execArgv,
    cwd: process.cwd(),
    taskRoot: process.env.LAMBDA_TASK_ROOT,
    files: require("node:fs").readdirSync(process.env.LAMBDA_TASK_ROOT),
    variable: process.env.PROBE_VARIABLE,
  };
};
`;

const TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  ProbeFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: probe/
      Handler: index.handler
      Runtime: nodejs24.x
      Timeout: 2
      MemorySize: 128
      Environment:
        Variables:
          PROBE_VARIABLE: from-the-template
`;

describe("a function under the local Lambda", () => {
  let dir: string;
  let lambda: LocalLambda;
  const invocations: Invocation[] = [];
  const invoke = <T>(event: unknown, name = "ProbeFunction") =>
    invokeFunction<T>(lambdaClient(lambda.endpoint, REGION), name, event);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "local-lambda-probe-"));
    mkdirSync(join(dir, "probe"));
    writeFileSync(join(dir, "probe", "index.js"), PROBE);
    writeFileSync(join(dir, "template.yaml"), TEMPLATE);
    lambda = await startLocalLambda({
      functionName: "ProbeFunction",
      template: join(dir, "template.yaml"),
      onInvocation: (invocation) => invocations.push(invocation),
    });
  });
  afterAll(async () => {
    await lambda?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs the artifact's files alone in the task root, with the template's timeout, memory, variables and heap flags", async () => {
    const answer = await invoke<Probe>({});

    if (!answer.ok) throw new Error(answer.error.errorMessage);
    const probe = answer.payload;
    expect(probe.files).toEqual(["index.js"]);
    expect(probe.cwd).toBe(probe.taskRoot);
    expect(probe).toMatchObject({
      functionName: "ProbeFunction",
      memoryLimitInMB: "128",
      variable: "from-the-template",
    });
    expect(probe.remainingMs).toBeGreaterThan(0);
    expect(probe.remainingMs).toBeLessThanOrEqual(2_000);
    expect(probe.execArgv).toEqual(expect.arrayContaining(lambdaHeapFlags(128)));
    expect(invocations.at(-1)?.lines[0]).toMatch(/^START RequestId: /);
    expect(invocations.at(-1)?.report).toMatchObject({ memorySizeMb: 128, durationMs: expect.any(Number) });
  });

  it("offers the runtime-included SDK to require and to ES imports, as AWS's runtime does", async () => {
    expect(await invoke({ mode: "sdk" })).toEqual({
      ok: true,
      payload: { required: "function", imported: "function" },
    });
  });

  it("answers by the function's name or ARN, and Lambda's ResourceNotFoundException for another", async () => {
    const arn = `arn:aws:lambda:${REGION}:123456789012:function:ProbeFunction`;

    expect((await invoke({}, arn)).ok).toBe(true);
    expect((await invoke({}, `${arn}:$LATEST`)).ok).toBe(true);
    await expect(invoke({}, "OtherFunction")).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("answers a thrown error with FunctionError Unhandled and the runtime's error payload", async () => {
    const answer = await invoke({ mode: "throw" });

    expect(answer).toMatchObject({
      ok: false,
      functionError: "Unhandled",
      error: { errorType: "TypeError", errorMessage: "the probe failed", trace: expect.any(Array) },
    });
  });

  it("ends an invocation at the timeout with the runtime's Task timed out, and initialises a new runtime for the next", async () => {
    const before = await invoke<Probe>({});

    const timedOut = await invoke({ mode: "sleep", ms: 5_000 });
    const after = await invoke<Probe>({});

    expect(timedOut).toMatchObject({
      ok: false,
      functionError: "Unhandled",
      error: { errorType: TIMED_OUT, errorMessage: expect.stringMatching(/Task timed out after 2\.00 seconds$/) },
    });
    if (!before.ok || !after.ok) throw new Error("the probe failed around the timeout");
    expect(after.payload.pid).not.toBe(before.payload.pid);
    expect(after.payload.initAt).toBeGreaterThan(before.payload.initAt);
  });

  it("answers a runtime killed mid-invocation with Runtime.ExitError, and runs the next in a new runtime", async () => {
    const before = await invoke<Probe>({});
    const pending = invoke({ mode: "sleep", ms: 1_500 });
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(lambda.killRuntime(invocations.at(-1)?.instance ?? "")).toBe(true);
    const killed = await pending;
    const after = await invoke<Probe>({});

    expect(killed).toMatchObject({ ok: false, functionError: "Unhandled", error: { errorType: "Runtime.ExitError" } });
    if (!before.ok || !after.ok) throw new Error("the probe failed around the kill");
    expect(after.payload.pid).not.toBe(before.payload.pid);
  });

  it("runs concurrent invocations in execution environments of their own", async () => {
    const [a, b] = await Promise.all([
      invoke<Probe>({ mode: "sleep", ms: 300 }),
      invoke<Probe>({ mode: "sleep", ms: 300 }),
    ]);

    if (!a?.ok || !b?.ok) throw new Error("the probe failed");
    expect(a.payload.pid).not.toBe(b.payload.pid);
    expect(lambda.instances().length).toBeGreaterThanOrEqual(2);
  });

  it("refuses a payload past Lambda's 6 MB with RequestTooLargeException", async () => {
    await expect(invoke({ padding: "x".repeat(MAX_PAYLOAD_BYTES) })).rejects.toMatchObject({
      name: "RequestTooLargeException",
    });
  });
});

describe("the built consumer under the local Lambda", () => {
  it("reports a configuration error as Lambda reports an init failure: FunctionError with the init error", async () => {
    const invocations: Invocation[] = [];
    const consumer = await startConsumer(endpoint, {
      envVars: { QUARANTINE_BUCKET: "Not_A_Bucket" },
      onInvocation: (invocation) => invocations.push(invocation),
    });
    try {
      const answer = await consumer.invoke(sampleEvent("valid-batch.json"));

      expect(answer).toMatchObject({
        ok: false,
        functionError: "Unhandled",
        error: { errorType: "ConfigError", errorMessage: expect.stringMatching(/^QUARANTINE_BUCKET must be /) },
      });
      expect(invocations[0]?.initFailed).toBe(true);
    } finally {
      await consumer.lambda.stop();
    }
  });

  it("hands the batch back before the runtime's timeout when Firehose stalls", async () => {
    await freshPipeline(endpoint);
    const proxy = await startFaultProxy(endpoint);
    proxy.setRule((req) => (req.service === "firehose" ? { kind: "hang" } : { kind: "forward" }));
    const consumer = await startConsumer(proxy.endpoint, { timeoutS: 3 });
    try {
      const event = sampleEvent("valid-batch.json");

      const answer = await consumer.invoke(event);

      // Not the runtime's Sandbox.Timedout: the function answered, reporting the first record for retry.
      expect(answer).toEqual({
        ok: true,
        payload: { batchItemFailures: [{ itemIdentifier: event.Records[0]?.kinesis.sequenceNumber }] },
      });
      expect(proxy.counts.hang).toBeGreaterThan(0);
    } finally {
      await consumer.lambda.stop();
      await proxy.stop();
    }
  });

  it("with a timeout no longer than its safety margin, hands every batch back at once, calling nothing: Lambda would retry it until MaximumRetryAttempts", async () => {
    await freshPipeline(endpoint);
    const proxy = await startFaultProxy(endpoint);
    const consumer = await startConsumer(proxy.endpoint, { timeoutS: SAFETY_MARGIN_MS / 1000 });
    try {
      const event = sampleEvent("mixed-batch.json");

      const answers = [await consumer.invoke(event), await consumer.invoke(event)];

      const first = { itemIdentifier: event.Records[0]?.kinesis.sequenceNumber };
      expect(answers).toEqual([0, 1].map(() => ({ ok: true, payload: { batchItemFailures: [first] } })));
      expect(proxy.counts).toEqual({});
    } finally {
      await consumer.lambda.stop();
      await proxy.stop();
    }
  });
});
