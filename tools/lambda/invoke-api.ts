/**
 * Lambda's Invoke API from the caller's side: a synchronous invocation with the Lambda SDK client
 * (`InvokeCommand`), as Lambda's event source mapping makes one, and the answer read as Lambda gives
 * it: the function's response, or `FunctionError` with the runtime's error payload.
 */
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";

/** The errorType of Lambda's payload for an invocation the runtime ended at the function's timeout. */
export const TIMED_OUT = "Sandbox.Timedout";

/** A function's error payload, as the runtime (or Lambda, for a timeout or a crash) writes it. */
export interface FunctionErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

/** One invocation's answer. */
export type InvokeResult<T> =
  | { readonly ok: true; readonly payload: T }
  | { readonly ok: false; readonly functionError: string; readonly error: FunctionErrorPayload };

/**
 * A Lambda client for an endpoint of Lambda's Invoke API (a local Lambda's front end). One attempt
 * per call: a retry is the caller's decision, as the event source mapping's is.
 */
export function lambdaClient(endpoint: string, region: string): LambdaClient {
  return new LambdaClient({
    endpoint,
    region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
}

/**
 * Invokes `functionName` with `event` (RequestResponse) and reads the answer: the response parsed as
 * JSON (`T`, unchecked), or the function's error. Throws what the Invoke API itself refuses
 * (ResourceNotFoundException, RequestTooLargeException, …), as the SDK throws it.
 */
export async function invokeFunction<T = unknown>(
  client: LambdaClient,
  functionName: string,
  event: unknown,
): Promise<InvokeResult<T>> {
  const out = await client.send(
    new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }),
  );
  const text = Buffer.from(out.Payload ?? new Uint8Array()).toString("utf8");
  if (out.FunctionError === undefined) return { ok: true, payload: (text === "" ? null : JSON.parse(text)) as T };
  let error: FunctionErrorPayload;
  try {
    error = JSON.parse(text) as FunctionErrorPayload;
  } catch {
    error = { errorType: "Runtime.Unknown", errorMessage: text };
  }
  return { ok: false, functionError: out.FunctionError, error };
}
