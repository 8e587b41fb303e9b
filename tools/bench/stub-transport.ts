/**
 * AWS answering success in-process, for the benchmark: replaces the SDK's Node HTTP handler (the
 * CommonJS build that the bundles load) so every call runs the SDK's whole stack (serialisation,
 * signing, checksums, parsing) but never touches the network. Metering mode also records the size
 * of every Firehose record sent, to count calls and billed bytes.
 */
import { Readable } from "node:stream";

interface SmithyRequest {
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
    NodeHttpHandler: { prototype: { handle: (request: SmithyRequest) => Promise<unknown> } };
  };
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
  const respond = (statusCode: number, body: string, headers: Record<string, string> = {}) => ({
    response: new HttpResponse({ statusCode, headers, body: Readable.from([Buffer.from(body)]) }),
  });
  NodeHttpHandler.prototype.handle = async (request: SmithyRequest) => {
    const target = request.headers["x-amz-target"] ?? "";
    if (target.endsWith(".PutRecordBatch")) {
      // Counted in the bytes, without a copy of the body: a socket would send it as it is.
      const body = bodyBytes(request.body);
      let count = 0;
      for (let at = body.indexOf(DATA_KEY); at !== -1; at = body.indexOf(DATA_KEY, at + DATA_KEY.length)) count++;
      meter.firehoseCalls++;
      if (meter.metering) {
        for (const r of JSON.parse(body.toString("utf8")).Records as { Data: string }[]) {
          const data = Buffer.from(r.Data, "base64");
          meter.firehoseRecordBytes.push(data.length);
          if (meter.keepData) meter.firehoseRecords.push(data);
        }
      }
      const responses = Array.from({ length: count }, (_, i) => ({ RecordId: `r${i}` }));
      return respond(200, JSON.stringify({ FailedPutCount: 0, Encrypted: false, RequestResponses: responses }), json);
    }
    if (target.endsWith(".PutRecord")) {
      meter.firehoseCalls++;
      if (meter.metering)
        meter.firehoseRecordBytes.push(Buffer.from(JSON.parse(String(request.body)).Record.Data, "base64").length);
      return respond(200, '{"RecordId":"r0","Encrypted":false}', json);
    }
    meter.s3Puts++;
    return respond(200, "", { etag: '"0"' });
  };
  return meter;
}

const json = { "content-type": "application/x-amz-json-1.1" };

const DATA_KEY = Buffer.from('"Data"');

function bodyBytes(body: unknown): Buffer {
  return body instanceof Uint8Array
    ? Buffer.from(body.buffer, body.byteOffset, body.byteLength)
    : Buffer.from(String(body), "utf8");
}
