/** The continuation token: where a run stands, handed to the caller between chunks. */
import { RedriveRequestError } from "./errors.ts";
import type { Position } from "./types.ts";

/** The token for `position`: its JSON, base64url. */
export function encodeToken(position: Position): string {
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

/** The position a token this redrive returned holds; throws a `RedriveRequestError` for anything else. */
export function decodeToken(token: string): Position {
  try {
    const p = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Position;
    const afterOk = p.after === undefined || typeof p.after === "string";
    const keyOk =
      p.key === undefined || (typeof p.key === "string" && Number.isInteger(p.line) && (p.line as number) >= 1);
    if (afterOk && keyOk && Number.isFinite(p.startedMs) && typeof p.run === "string" && /^[0-9a-f]{8}$/.test(p.run))
      return p;
  } catch {
    // Reported below as one error whatever the cause.
  }
  throw new RedriveRequestError("continuation is not a token this redrive returned");
}
