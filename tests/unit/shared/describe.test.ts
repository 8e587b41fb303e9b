/**
 * `jsonPreview`: a bad value's start as JSON text, never recursing into it (a value nested a million
 * deep costs what `[[1]]` costs), the same text as JSON.stringify as far as it goes.
 */
import { describe, expect, it } from "vitest";
import { jsonPreview } from "../../../shared/describe.ts";

/** An array nested `depth` deep around `inner`. */
function nested(depth: number, inner: unknown = 1): unknown {
  let value = inner;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe("jsonPreview", () => {
  it.each<[string, unknown]>([
    ["a number", 3],
    ["a negative fraction", -1.5],
    ["a string", "2"],
    ["a string that needs escapes", 'a"b\\c\u0001'],
    ["null", null],
    ["true", true],
    ["an empty array", []],
    ["an empty object", {}],
    ["an array", [1, "a", null, [2, [3]]]],
    ["an object", { major: 2, minor: { x: [1, { y: "z" }] } }],
    ["an array holding undefined (JSON writes null)", [undefined, 1]],
    ["an object with an undefined property (JSON leaves it out)", { a: undefined, b: 1 }],
  ])("writes %s as JSON.stringify does when it fits", (_what, value) => {
    const text = JSON.stringify(value);
    expect(jsonPreview(value, text.length)).toBe(text);
    expect(jsonPreview(value, 1_000)).toBe(text);
  });

  it("cuts the text at maxChars and marks the cut, exactly as a cut of JSON.stringify would", () => {
    const value = { major: 2, minor: { x: [1, { y: "z".repeat(30) }] } };
    const text = JSON.stringify(value);
    for (const max of [0, 1, 5, 12, 20, text.length - 1])
      expect(jsonPreview(value, max)).toBe(`${text.slice(0, max)}…`);
  });

  it("cuts a long string without copying it whole", () => {
    expect(jsonPreview("v".repeat(1_000_000), 10)).toBe(`"vvvvvvvvv…`);
  });

  it("describes a value nested a million deep, which JSON.stringify cannot", () => {
    const deep = nested(1_000_000);
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(jsonPreview(deep, 40)).toBe(`${"[".repeat(40)}…`);
    expect(jsonPreview({ a: deep }, 12)).toBe(`{"a":${"[".repeat(7)}…`);
  });

  it("reads no more items or keys of a huge array or object than it can show", () => {
    const wide = Array.from({ length: 1_000_000 }, (_, i) => i);
    expect(jsonPreview(wide, 8)).toBe("[0,1,2,3…");
    const keys = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    expect(jsonPreview(keys, 14)).toBe('{"k0":0,"k1":1…');
  });

  it("never throws, whatever the value: a bigint, top-level undefined, a symbol or a function", () => {
    expect(jsonPreview(10n, 40)).toBe("10");
    expect(jsonPreview(undefined, 40)).toBe("undefined");
    expect(jsonPreview([Symbol("s"), () => 1], 40)).toBe("[null,null]");
  });
});
