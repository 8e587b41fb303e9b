/** Small helpers for the local servers (the local Lambda's front end, the fault proxy, the benchmark's AWS). */
import { once } from "node:events";
import { createServer } from "node:net";

/** A port nothing listens on now (the OS's choice); another process could take it before the caller does. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("could not get a free port");
  return address.port;
}

/** The whole body of an HTTP request or response. */
export async function readBody(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
