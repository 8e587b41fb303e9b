/**
 * AWS answering success in-process, for the benchmark: replaces the SDK's Node HTTP handler (the
 * CommonJS build that the bundles load) so every call to AWS's endpoints runs the SDK's whole stack
 * (serialisation, signing, checksums, parsing) but never touches the network; a call to this
 * machine (127.0.0.1: the local Lambda's Invoke API) still goes out. Metering mode also records the
 * size of every Firehose record sent, to count calls and billed bytes.
 */
import { Readable } from "node:stream";

interface SmithyRequest {
  hostname?: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface Meter {
  metering: boolean;
  firehoseCalls: number;
  firehoseRecordBytes: number[];
  /** With `keepData`, the Firehose records themselves, in order, while metering. */
  keepData: boolean;
  firehoseRecords: Buffer[];
  s3Puts: number;
}

/**
 * Installs the in-process transport for every client built from node_modules' CommonJS SDK, as
 * `require` (from the caller's place, so that it resolves the same SDK as the bundles) loads it.
 */
export function installStubTransport(require: NodeJS.Require): Meter {
  const { NodeHttpHandler } = require("@smithy/node-http-handler") as {
    NodeHttpHandler: { prototype: { handle: (request: SmithyRequest, ...rest: unknown[]) => Promise<unknown> } };
  };
  const network = NodeHttpHandler.prototype.handle;
  const { HttpResponse } = require("@smithy/core/protocols") as {
    HttpResponse: new (init: { statusCode: number; headers: Record<string, string>; body: unknown }) => unknown;
  };
  const meter: Meter = {
    metering: false,
    firehoseCalls: 0,
    firehoseRecordBytes: [],
    keepData: false,
    firehoseRecords: [],
    s3Puts: 0,
  };
  NodeHttpHandler.prototype.handle = async function (this: unknown, request: SmithyRequest, ...rest: unknown[]) {
    if (request.hostname === "127.0.0.1") return network.call(this, request, ...rest);
    const target = request.headers["x-amz-target"] ?? "";
    // Read in the bytes, without a copy of the body: a socket would send it as it is.
    const body = bodyBytes(request.body);
    if (target.endsWith(".PutRecordBatch")) {
      meter.firehoseCalls++;
      if (meter.metering) {
        for (const r of JSON.parse(body.toString("utf8")).Records as { Data: string }[]) {
          const data = Buffer.from(r.Data, "base64");
          meter.firehoseRecordBytes.push(data.length);
          if (meter.keepData) meter.firehoseRecords.push(data);
        }
      }
    } else if (target.endsWith(".PutRecord")) {
      meter.firehoseCalls++;
      if (meter.metering)
        meter.firehoseRecordBytes.push(Buffer.from(JSON.parse(body.toString("utf8")).Record.Data, "base64").length);
    } else meter.s3Puts++;
    const answer = successAnswer(target, body);
    return {
      response: new HttpResponse({
        statusCode: answer.status,
        headers: answer.headers,
        body: Readable.from([Buffer.from(answer.body)]),
      }),
    };
  };
  return meter;
}

/** AWS answering a call of the function with success: what Firehose or S3 would say, without doing it. */
export interface SuccessAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Success for a request with this `x-amz-target` (Firehose: PutRecordBatch, every entry accepted, or
 * PutRecord) or for S3 (any other): the answer the benchmark's AWS gives, in-process or over HTTP.
 */
export function successAnswer(target: string, body: Buffer): SuccessAnswer {
  if (target.endsWith(".PutRecordBatch")) {
    let count = 0;
    for (let at = body.indexOf(DATA_KEY); at !== -1; at = body.indexOf(DATA_KEY, at + DATA_KEY.length)) count++;
    const responses = Array.from({ length: count }, (_, i) => ({ RecordId: `r${i}` }));
    const answer = { FailedPutCount: 0, Encrypted: false, RequestResponses: responses };
    return { status: 200, headers: json, body: JSON.stringify(answer) };
  }
  if (target.endsWith(".PutRecord")) return { status: 200, headers: json, body: '{"RecordId":"r0","Encrypted":false}' };
  return { status: 200, headers: { etag: '"0"' }, body: "" };
}

const json = { "content-type": "application/x-amz-json-1.1" };

const DATA_KEY = Buffer.from('"Data"');

function bodyBytes(body: unknown): Buffer {
  return body instanceof Uint8Array
    ? Buffer.from(body.buffer, body.byteOffset, body.byteLength)
    : Buffer.from(body === undefined ? "" : String(body), "utf8");
}
