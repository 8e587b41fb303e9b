/**
 * AWS answering success over HTTP on 127.0.0.1, for the function under Lambda's runtime interface in
 * the benchmark: the runtime is a process of its own, which the in-process transport cannot reach.
 * The answers are stub-transport.ts's, given once each request has been read whole.
 */

import { once } from "node:events";
import { createServer } from "node:http";
import { readBody } from "../lambda/net.ts";
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
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the stub AWS server has no port");
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    async stop() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
