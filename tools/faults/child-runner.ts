/**
 * Runs the built bundle once in this (child) process, as a Lambda runtime process would: reads
 * `{ bundle, event, timeoutMs }` as JSON from stdin, invokes `handler`, and writes the response on a
 * line that starts with RESPONSE_MARKER (the function's own logs share stdout). A thrown error exits 1.
 */

import { lambdaContext, loadHandler } from "../lambda/invoke.ts";
import { RESPONSE_MARKER } from "./child-handler.ts";

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const { bundle, event, timeoutMs } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
  bundle: string;
  event: unknown;
  timeoutMs: number;
};
try {
  const response = await loadHandler(bundle)(event, lambdaContext(timeoutMs));
  process.stdout.write(`${RESPONSE_MARKER}${JSON.stringify(response)}\n`);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
  process.exitCode = 1;
}
