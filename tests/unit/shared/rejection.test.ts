import { describe, expect, it } from "vitest";
import { MAX_USER_RECORD_BYTES } from "../../../shared/contract.ts";
import {
  MAX_DETAILS_BYTES,
  REJECTION_REASONS,
  REJECTIONS,
  Rejection,
  type RejectionDetail,
  reject,
} from "../../../shared/rejection.ts";

describe("rejection reasons", () => {
  it("are the keys of REJECTIONS, in its order: the order records meet the checks", () => {
    expect(REJECTION_REASONS).toEqual(Object.keys(REJECTIONS));
    expect(REJECTION_REASONS[0]).toBe("BASE64_INVALID");
    expect(REJECTION_REASONS.at(-1)).toBe("AGGREGATE_REJECTED");
  });

  it.each(REJECTION_REASONS)("%s says when it applies", (reason) => {
    expect(REJECTIONS[reason].length).toBeGreaterThan(20);
  });

  it("states the size limit of a user record as the decoder applies it", () => {
    expect(MAX_USER_RECORD_BYTES).toBe(65_536);
    expect(REJECTIONS.TOO_LARGE).toContain("a user record over 64 KiB (65536 bytes; checked before parsing)");
  });

  it("builds a rejection with one detail about the whole record, or a path", () => {
    expect(reject("JSON_INVALID", "not JSON")).toEqual(
      new Rejection("JSON_INVALID", [{ path: "", message: "not JSON" }]),
    );
    expect(reject("SCHEMA_INVALID", "bad", "/x").details).toEqual([{ path: "/x", message: "bad" }]);
  });
});

describe("a rejection's details, held to MAX_DETAILS_BYTES", () => {
  const bytes = (details: readonly RejectionDetail[]) => Buffer.byteLength(JSON.stringify(details));
  const detail = (n: number, chars = 40): RejectionDetail => ({ path: `/f${n}`, message: "m".repeat(chars) });

  it("keeps details that fit as they are (the same list)", () => {
    const details = [detail(1), detail(2)];
    expect(new Rejection("SCHEMA_INVALID", details).details).toBe(details);
    // Measured exactly when the quick bound (6 bytes a character) is not enough.
    const exact = Array.from({ length: 6 }, (_, n) => detail(n, 40));
    expect(bytes(exact)).toBeLessThanOrEqual(MAX_DETAILS_BYTES);
    expect(new Rejection("SCHEMA_INVALID", exact).details).toBe(exact);
  });

  it("keeps the first details that fit, then says how many more there were", () => {
    const details = Array.from({ length: 20 }, (_, n) => detail(n, 60));
    const kept = new Rejection("SCHEMA_INVALID", details).details;

    expect(MAX_DETAILS_BYTES).toBe(448);
    expect(bytes(kept)).toBeLessThanOrEqual(MAX_DETAILS_BYTES);
    expect(kept.slice(0, -1)).toEqual(details.slice(0, kept.length - 1));
    expect(kept.at(-1)).toEqual({ path: "", message: `… and ${20 - (kept.length - 1)} more` });
    expect(kept.length).toBe(5);
  });

  it.each([
    ["a message of 100,000 characters", { path: "/x", message: "m".repeat(100_000) }],
    ["a path of 100,000 characters", { path: `/${"p".repeat(100_000)}`, message: "bad" }],
    ["control characters, six bytes each in JSON", { path: "/\u0001".repeat(200), message: "\u0001".repeat(500) }],
    ["four-byte characters", { path: "/😀".repeat(300), message: "😀".repeat(300) }],
  ])("cuts a first detail that is too long alone: %s", (_what, first) => {
    const kept = new Rejection("JSON_INVALID", [first, detail(2)]).details;

    expect(bytes(kept)).toBeLessThanOrEqual(MAX_DETAILS_BYTES);
    expect(kept).toHaveLength(2);
    expect(kept[0]?.message.endsWith("…") || kept[0]?.path.endsWith("…")).toBe(true);
    expect(first.message.startsWith((kept[0]?.message ?? "").replace(/…$/, ""))).toBe(true);
    expect(first.path.startsWith((kept[0]?.path ?? "").replace(/…$/, ""))).toBe(true);
    // The second fits in the room the cut left, or is counted.
    expect([detail(2), { path: "", message: "… and 1 more" }]).toContainEqual(kept[1]);
  });
});
