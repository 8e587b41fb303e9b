/**
 * The local Lambda's front end (tools/lambda/local-lambda.ts): Lambda's Invoke API for one function
 * (`POST /2015-03-31/functions/<name>/invocations`, RequestResponse), each invocation run in an
 * execution environment and answered as Lambda answers it, with Lambda's errors for what it does not serve.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Answer, Invocation } from "./execution-environment.ts";
import { readBody } from "./net.ts";

/** Lambda's limit on a synchronous invocation's request payload. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/** True when `name` (from the request's path) is the function: its logical id or its ARN, unqualified or `$LATEST`. */
export function namesFunction(name: string, functionName: string): boolean {
  const arn = /^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:([^:]+)(?::(\$LATEST))?$/.exec(name);
  return (arn?.[1] ?? name) === functionName;
}

/**
 * The front end: Lambda's Invoke API for `functionName` (RequestResponse), each invocation run by
 * `run` in an execution environment, its answer given as Lambda gives it; Lambda's errors for
 * another operation, another function, another invocation type or a payload past 6 MB.
 */
export function invokeApi(
  functionName: string,
  onInvocation: ((invocation: Invocation) => void) | undefined,
  run: (payload: Buffer) => Promise<Answer>,
): Server {
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const name = INVOKE_PATH.exec(url.pathname)?.[1];
    if (req.method !== "POST" || name === undefined)
      return lambdaError(
        res,
        404,
        "UnknownOperationException",
        `${req.method} ${url.pathname} is not an operation this local Lambda serves (only Invoke)`,
      );
    if (!namesFunction(decodeURIComponent(name), functionName))
      return lambdaError(res, 404, "ResourceNotFoundException", `Function not found: ${decodeURIComponent(name)}`);
    const type = req.headers["x-amz-invocation-type"] ?? "RequestResponse";
    if (type !== "RequestResponse")
      return lambdaError(
        res,
        400,
        "InvalidParameterValueException",
        `invocation type ${type} is not served locally: only RequestResponse`,
      );
    const body = await readBody(req);
    if (body.length > MAX_PAYLOAD_BYTES)
      return lambdaError(
        res,
        413,
        "RequestTooLargeException",
        `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
      );
    const answer = await run(body);
    onInvocation?.(answer.invocation);
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": String(answer.payload.length),
      "x-amz-executed-version": "$LATEST",
      "x-amzn-requestid": answer.invocation.requestId,
      ...(answer.invocation.functionError ? { "x-amz-function-error": answer.invocation.functionError } : {}),
    });
    res.end(answer.payload);
  };
  return createServer((req, res) => {
    serve(req, res).catch((err: unknown) => {
      // This local Lambda failed (an emulator that would not start): Lambda's own ServiceException.
      if (!res.headersSent) lambdaError(res, 500, "ServiceException", err instanceof Error ? err.message : String(err));
      else res.destroy();
    });
  });
}

/** Answers with Lambda's error `type` (its x-amzn-errortype header) and `message`, as Lambda's API does. */
function lambdaError(res: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ Type: "User", message });
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
    "x-amzn-errortype": type,
    "x-amzn-requestid": randomUUID(),
  });
  res.end(body);
}
