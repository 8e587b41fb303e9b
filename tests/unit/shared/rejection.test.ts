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

describe("a rejection's details, at the edges of MAX_DETAILS_BYTES", () => {
  const bytes = (details: readonly RejectionDetail[]) => Buffer.byteLength(JSON.stringify(details));
  /** A detail whose JSON is exactly `size` bytes (ASCII: 24 bytes of punctuation and names, then its text). */
  const sized = (size: number, path = "/p"): RejectionDetail => ({
    path,
    message: "m".repeat(size - 24 - path.length),
  });

  it("keeps a list of exactly 448 bytes as it is, and cuts one of 449", () => {
    // Two details and their comma: 2 + 200 + 1 + 245 = 448.
    const exactly = [sized(200), sized(245)];
    const over = [sized(200), sized(246)];
    expect([bytes(exactly), bytes(over)]).toEqual([448, 449]);

    expect(new Rejection("SCHEMA_INVALID", exactly).details).toBe(exactly);
    expect(new Rejection("SCHEMA_INVALID", over).details).toEqual([sized(200), { path: "", message: "… and 1 more" }]);
  });

  it("keeps the longest first part whose JSON, with 48 bytes to spare for the count, fits: to the byte", () => {
    // Brackets 2, then 100 + 1 + 100 + 1 + 196 = 400: 448 with the 48 spared, which fits exactly.
    const fits = [sized(100), sized(100), sized(196), sized(100)];
    const kept = new Rejection("SCHEMA_INVALID", fits).details;
    expect(kept).toEqual([...fits.slice(0, 3), { path: "", message: "… and 1 more" }]);
    expect(bytes(kept)).toBeLessThanOrEqual(448);
    // A byte more in the third, and it is left out with the fourth.
    const over = [sized(100), sized(100), sized(197), sized(100)];
    expect(new Rejection("SCHEMA_INVALID", over).details).toEqual([
      ...over.slice(0, 2),
      { path: "", message: "… and 2 more" },
    ]);
    // The first alone: 2 + 398 + 48 = 448 fits; 399 does not and is cut.
    expect(new Rejection("SCHEMA_INVALID", [sized(398), sized(100)]).details).toEqual([
      sized(398),
      { path: "", message: "… and 1 more" },
    ]);
  });

  it("cuts a first detail that cannot fit to as many characters as can, halving: path and message alike", () => {
    // 742 characters do not fit 398 bytes; 371 and the mark (3 bytes) make exactly 398.
    const [halved] = new Rejection("SCHEMA_INVALID", [{ path: "", message: "m".repeat(742) }]).details;
    expect(halved).toEqual({ path: "", message: `${"m".repeat(371)}…` });
    // 373 characters and the mark make 400 bytes, 2 past the room: halved again, to 186.
    const [again] = new Rejection("SCHEMA_INVALID", [{ path: "", message: "m".repeat(746) }]).details;
    expect(again).toEqual({ path: "", message: `${"m".repeat(186)}…` });
    // At 185 characters the path is whole (not marked), the message cut: 24 + 185 + 188 = 397 bytes.
    const [both] = new Rejection("SCHEMA_INVALID", [{ path: "p".repeat(185), message: "m".repeat(742) }]).details;
    expect(both).toEqual({ path: "p".repeat(185), message: `${"m".repeat(185)}…` });
  });
});
