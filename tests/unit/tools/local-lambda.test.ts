import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { parseReport } from "../../../tools/lambda/execution-environment.ts";
import { namesFunction } from "../../../tools/lambda/front-end.ts";
import { invokeFunction, TIMED_OUT } from "../../../tools/lambda/invoke-api.ts";
import { lambdaHeapFlags } from "../../../tools/lambda/sam-function.ts";

const lambda = mockClient(LambdaClient);
beforeEach(() => lambda.reset());

const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as never;

describe("the local Lambda's front end", () => {
  it.each([
    ["TelemetryConsumerFunction", true],
    ["arn:aws:lambda:eu-west-1:123456789012:function:TelemetryConsumerFunction", true],
    ["arn:aws:lambda:eu-west-1:123456789012:function:TelemetryConsumerFunction:$LATEST", true],
    ["arn:aws-cn:lambda:cn-north-1:123456789012:function:TelemetryConsumerFunction", true],
    ["function", false],
    ["RedriveFunction", false],
    ["arn:aws:lambda:eu-west-1:123456789012:function:TelemetryConsumerFunction:live", false],
    ["arn:aws:lambda:eu-west-1:123456789012:function:Other", false],
  ])("takes %s for TelemetryConsumerFunction: %s", (name, names) => {
    expect(namesFunction(name, "TelemetryConsumerFunction")).toBe(names);
  });

  it("reads the runtime's REPORT line, with and without an init duration, and no other line", () => {
    expect(
      parseReport(
        "REPORT RequestId: abc\tInit Duration: 0.02 ms\tDuration: 629.02 ms\tBilled Duration: 630 ms\tMemory Size: 512 MB\tMax Memory Used: 512 MB\t",
      ),
    ).toEqual({
      requestId: "abc",
      initDurationMs: 0.02,
      durationMs: 629.02,
      billedDurationMs: 630,
      memorySizeMb: 512,
      maxMemoryUsedMb: 512,
    });
    expect(
      parseReport(
        "REPORT RequestId: d\tDuration: 1.5 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t",
      ),
    ).toEqual({
      requestId: "d",
      durationMs: 1.5,
      billedDurationMs: 2,
      memorySizeMb: 128,
      maxMemoryUsedMb: 128,
    });
    expect(parseReport("END RequestId: abc")).toBeUndefined();
    expect(parseReport('{"message":"REPORT RequestId: x"}')).toBeUndefined();
  });

  it("gives the runtime the heap flags Lambda's Node.js bootstrap sets for the function's memory", () => {
    expect(lambdaHeapFlags(128)).toEqual(["--max-semi-space-size=6", "--max-old-space-size=116"]);
    expect(lambdaHeapFlags(512)).toEqual(["--max-semi-space-size=25", "--max-old-space-size=461"]);
  });
});

describe("invokeFunction: Lambda's Invoke API read as Lambda answers", () => {
  it("sends the event as the payload and returns the function's response", async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ batchItemFailures: [] }) });

    const answer = await invokeFunction(new LambdaClient({ region: "eu-west-1" }), "Fn", { Records: [] });

    expect(answer).toEqual({ ok: true, payload: { batchItemFailures: [] } });
    const input = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input?.FunctionName).toBe("Fn");
    expect(JSON.parse(Buffer.from(input?.Payload as Uint8Array).toString("utf8"))).toEqual({ Records: [] });
  });

  it("returns FunctionError with the runtime's error payload", async () => {
    const error = { errorType: TIMED_OUT, errorMessage: "RequestId: r Error: Task timed out after 3.00 seconds" };
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: "Unhandled", Payload: payload(error) });

    expect(await invokeFunction(new LambdaClient({ region: "eu-west-1" }), "Fn", {})).toEqual({
      ok: false,
      functionError: "Unhandled",
      error,
    });
  });

  it("keeps an error payload that is not JSON as its message", async () => {
    lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, FunctionError: "Unhandled", Payload: new TextEncoder().encode("boom") as never });

    expect(await invokeFunction(new LambdaClient({ region: "eu-west-1" }), "Fn", {})).toEqual({
      ok: false,
      functionError: "Unhandled",
      error: { errorType: "Runtime.Unknown", errorMessage: "boom" },
    });
  });

  it("reads an empty response as null", async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200 });

    expect(await invokeFunction(new LambdaClient({ region: "eu-west-1" }), "Fn", {})).toEqual({
      ok: true,
      payload: null,
    });
  });
});
