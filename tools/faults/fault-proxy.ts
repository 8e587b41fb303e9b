/**
 * A fault-injecting HTTP proxy between the function's AWS SDK clients and the emulator, on
 * 127.0.0.1: each request is forwarded to moto unless the current rule says to answer with an error,
 * reset the connection, hang, delay, or (PutRecordBatch) accept only some entries. Rules draw from a
 * seeded generator, so a scenario replays the same faults.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import { closeServer, listenLocally, readBody } from "../lambda/net.ts";

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  /** "firehose" (x-amz-target Firehose_*), else "s3". */
  readonly service: "firehose" | "s3";
  /** The Firehose operation (PutRecordBatch, …) or the HTTP method for S3. */
  readonly operation: string;
  /** How many requests of this service and operation came before this one. */
  readonly index: number;
}

export type FaultAction =
  | { readonly kind: "forward" }
  | { readonly kind: "respond"; readonly status: number; readonly errorType: string; readonly message: string }
  | { readonly kind: "reset" }
  | { readonly kind: "hang" }
  | { readonly kind: "delay"; readonly ms: number }
  /** PutRecordBatch only: forward the entries `fails` says no to; answer the others with an error code. */
  | { readonly kind: "partial"; readonly fails: (entry: number) => boolean };

export type FaultRule = (req: ProxiedRequest) => FaultAction;

export interface FaultProxy {
  readonly endpoint: string;
  /** Counts by action kind, and successful PutRecordBatch forwards. */
  readonly counts: Record<string, number>;
  setRule(rule: FaultRule): void;
  /**
   * Called with the request when moto has accepted a PutRecordBatch, before its response goes back
   * (the request's User-Agent names the caller); a listener that returns true keeps the response
   * from the caller (whose process it has just killed, say).
   */
  onFirehoseAccepted(listener: (request: IncomingMessage) => boolean): void;
  stop(): Promise<void>;
}

/** Starts the proxy in front of `target` (the moto endpoint), forwarding everything until a rule is set. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let rule: FaultRule = () => ({ kind: "forward" });
  const seen = new Map<string, number>();
  const counts: Record<string, number> = {};
  const acceptedListeners: ((request: IncomingMessage) => boolean)[] = [];
  const hanging = new Set<ServerResponse>();
  let stopped = false;

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // The emulator went away or the client hung up: end this exchange, keep serving.
      if (!res.headersSent && !res.destroyed) res.writeHead(502).end();
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const amzTarget = String(req.headers["x-amz-target"] ?? "");
    const service = amzTarget.startsWith("Firehose_") ? "firehose" : "s3";
    const operation = service === "firehose" ? (amzTarget.split(".")[1] ?? "") : (req.method ?? "");
    const key = `${service}:${operation}`;
    const index = seen.get(key) ?? 0;
    seen.set(key, index + 1);
    const action = rule({ method: req.method ?? "GET", path: req.url ?? "/", service, operation, index });
    counts[action.kind] = (counts[action.kind] ?? 0) + 1;
    switch (action.kind) {
      case "respond":
        return respondError(res, service, action.status, action.errorType, action.message);
      case "reset":
        req.socket.destroy();
        return;
      case "hang":
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      case "delay":
        await new Promise((resolve) => setTimeout(resolve, action.ms));
        // A request delayed past stop() must not reach the emulator of a later run.
        if (stopped) return void res.destroy();
        return forward(req, res, body);
      case "partial":
        return forwardPartial(req, res, body, action.fails);
      default:
        return forward(req, res, body);
    }
  }

  async function forward(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    onAccepted?: (text: string) => string,
  ) {
    const upstreamRes = await send(req, body);
    let text = upstreamRes.body.toString("utf8");
    const accepted = req.headers["x-amz-target"] === "Firehose_20150804.PutRecordBatch" && upstreamRes.status === 200;
    if (onAccepted && upstreamRes.status === 200) text = onAccepted(text);
    const out = onAccepted ? Buffer.from(text) : upstreamRes.body;
    const headers: Record<string, string> = { ...upstreamRes.headers, "content-length": String(out.length) };
    delete headers["transfer-encoding"];
    let swallow = false;
    if (accepted) {
      counts.accepted = (counts.accepted ?? 0) + 1;
      for (const listener of acceptedListeners) swallow = listener(req) || swallow;
    }
    if (swallow) {
      counts.killed = (counts.killed ?? 0) + 1;
      res.destroy();
    } else if (!res.destroyed) {
      res.writeHead(upstreamRes.status, headers);
      res.end(out);
    }
  }

  async function forwardPartial(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    fails: (entry: number) => boolean,
  ) {
    const input = JSON.parse(body.toString("utf8")) as { Records: unknown[] };
    const keep = input.Records.map((_, i) => !fails(i));
    const forwarded = Buffer.from(JSON.stringify({ ...input, Records: input.Records.filter((_, i) => keep[i]) }));
    await forward(req, res, forwarded, (text) => {
      const upstreamResponses = (JSON.parse(text) as { RequestResponses: unknown[] }).RequestResponses;
      let next = 0;
      const responses = keep.map((kept) =>
        kept ? upstreamResponses[next++] : { ErrorCode: "ServiceUnavailableException", ErrorMessage: "Slow down." },
      );
      return JSON.stringify({
        FailedPutCount: keep.filter((k) => !k).length,
        Encrypted: false,
        RequestResponses: responses,
      });
    });
  }

  function send(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers[name] = value;
      headers.host = upstream.host;
      headers["content-length"] = String(body.length);
      const out = request(
        { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
        async (upstreamRes) => {
          const responseHeaders: Record<string, string> = {};
          for (const [name, value] of Object.entries(upstreamRes.headers))
            if (typeof value === "string") responseHeaders[name] = value;
          resolve({
            status: upstreamRes.statusCode ?? 502,
            headers: responseHeaders,
            body: await readBody(upstreamRes),
          });
        },
      );
      out.on("error", reject);
      out.end(body);
    });
  }

  const endpoint = await listenLocally(server);
  return {
    endpoint,
    counts,
    setRule(next) {
      rule = next;
    },
    onFirehoseAccepted(listener) {
      acceptedListeners.push(listener);
    },
    async stop() {
      stopped = true;
      for (const res of hanging) res.destroy();
      await closeServer(server);
    },
  };
}

function respondError(
  res: ServerResponse,
  service: "firehose" | "s3",
  status: number,
  errorType: string,
  message: string,
): void {
  if (service === "firehose") {
    const body = JSON.stringify({ __type: errorType, message });
    res.writeHead(status, {
      "content-type": "application/x-amz-json-1.1",
      "x-amzn-errortype": errorType,
      "content-length": String(Buffer.byteLength(body)),
    });
    res.end(body);
    return;
  }
  const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${errorType}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, { "content-type": "application/xml", "content-length": String(Buffer.byteLength(body)) });
  res.end(body);
}
