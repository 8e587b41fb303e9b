/**
 * AWS answering success over HTTP on 127.0.0.1, for the function under Lambda's runtime interface in
 * the benchmark: the runtime is a process of its own, which the in-process transport cannot reach.
 * The answers are stub-transport.ts's, given once each request has been read whole.
 */

import { createServer } from "node:http";
import { closeServer, listenLocally, readBody } from "../lambda/net.ts";
import { successAnswer } from "./stub-transport.ts";

export interface StubAws {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts the server on a free port. */
export async function startStubAws(): Promise<StubAws> {
  const server = createServer((req, res) => {
    readBody(req).then(
      (body) => {
        const answer = successAnswer(String(req.headers["x-amz-target"] ?? ""), body);
        res.writeHead(answer.status, { ...answer.headers, "content-length": String(Buffer.byteLength(answer.body)) });
        res.end(answer.body);
      },
      () => res.destroy(),
    );
  });
  return { endpoint: await listenLocally(server), stop: () => closeServer(server) };
}
