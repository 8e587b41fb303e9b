import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { markCommonJs } from "../../../tools/lambda/invoke.ts";

const MARKER = '{ "type": "commonjs" }\n';

describe("markCommonJs: the build tree's CommonJS marker, safe while other processes load bundles", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "mark-commonjs-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the marker where there is none, and leaves no temporary file", () => {
    markCommonJs(dir);
    expect(readFileSync(join(dir, "package.json"), "utf8")).toBe(MARKER);
    expect(readdirSync(dir)).toEqual(["package.json"]);
  });

  it("leaves a marker that is already right untouched (no truncation a concurrent reader could see)", () => {
    const file = join(dir, "package.json");
    writeFileSync(file, MARKER);
    const past = new Date("2020-01-01T00:00:00Z");
    utimesSync(file, past, past);
    const before = statSync(file);
    markCommonJs(dir);
    const after = statSync(file);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.ino).toBe(before.ino);
  });

  it("replaces a wrong marker whole, by a rename: a reader sees the old file or the new one, never an empty one", () => {
    const file = join(dir, "package.json");
    writeFileSync(file, '{ "type": "module" }\n');
    const before = statSync(file);
    markCommonJs(dir);
    expect(readFileSync(file, "utf8")).toBe(MARKER);
    expect(statSync(file).ino).not.toBe(before.ino);
    expect(readdirSync(dir)).toEqual(["package.json"]);
  });
});
