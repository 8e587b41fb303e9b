import { describe, expect, it } from "vitest";
import { MAX_USER_RECORD_BYTES } from "../../../shared/contract.ts";
import { REJECTION_REASONS, REJECTIONS, Rejection, reject } from "../../../shared/rejection.ts";

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
