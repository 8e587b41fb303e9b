/** A free TCP port on 127.0.0.1, for a local server to listen on. */
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
