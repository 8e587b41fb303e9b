/** Small helpers for the local servers (the local Lambda's front end, the fault proxy, the benchmark's AWS). */
import { once } from "node:events";
import type { Server } from "node:http";
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

/**
 * Listens on a free port of 127.0.0.1; resolves with the server's endpoint (`http://127.0.0.1:<port>`).
 * Idle keep-alive connections stay open (Node closes them after 5 s by default, and a client that
 * reuses one just then sees a reset no AWS endpoint would give).
 */
export async function listenLocally(server: Server): Promise<string> {
  server.keepAliveTimeout = 0;
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("a local server got no port");
  return `http://127.0.0.1:${address.port}`;
}

/** Closes the server and every connection it holds; resolves once it is closed. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  server.close();
  await once(server, "close");
}
