/**
 * The folder map's import rules, checked on every TypeScript file git tracks: the function's code
 * depends on nothing but itself, nothing depends on a command, and each tools/ folder imports only
 * the folders below it. A new folder must be given its place here before it can import anything.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..", "..");

/** What each folder may import from the repository (packages are not checked here). */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  functions: ["shared"],
  shared: [],
  "tools/cli": [],
  "tools/fixtures": ["shared"],
  "tools/lambda": ["shared"],
  "tools/templates": [],
  "tools/mutation": [],
  "tools/redrive": ["shared"],
  "tools/faults": ["shared", "tools/lambda"],
  "tools/fuzz": ["shared", "tools/fixtures"],
  "tools/pipeline": ["shared", "tools/cli", "tools/fixtures", "tools/lambda", "tools/faults"],
  "tools/query": ["shared", "tools/fixtures", "tools/lambda", "tools/pipeline"],
  "tools/bench": ["shared", "tools/fixtures", "tools/lambda", "tools/pipeline", "tools/templates"],
  "tools/docs": ["shared", "tools/fixtures", "tools/query", "tools/templates"],
  scripts: ["shared", "tools"],
  tests: ["functions", "shared", "tools", "tests", "events", "schema"],
  ".": ["shared", "tools"],
};

/** The folder (a key of MAY_IMPORT) a repository path belongs to: the longest key that contains it. */
function folderOf(path: string): string | undefined {
  const parts = path.split("/");
  for (let n = Math.min(2, parts.length - 1); n >= 1; n--) {
    const key = parts.slice(0, n).join("/");
    if (key in MAY_IMPORT) return key;
  }
  return parts.length === 1 ? "." : undefined;
}

/** Whether `target` lies in `folder` (a folder may always import its own files). */
function within(target: string, folder: string): boolean {
  return folder === "." ? !target.includes("/") : target === folder || target.startsWith(`${folder}/`);
}

const IMPORT = /(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g;

/** Every repository-relative import that breaks the map: `file → target`. */
function layerViolations(files: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [file, text] of files) {
    const folder = folderOf(file);
    if (folder === undefined) {
      found.push(`${file}: its folder has no place in the import map`);
      continue;
    }
    for (const match of text.matchAll(IMPORT)) {
      const target = normalize(join(dirname(file), match[1] as string));
      const allowed = [folder, ...(MAY_IMPORT[folder] ?? [])];
      if (target.startsWith("..")) found.push(`${file} → ${target} (outside the repository)`);
      else if (!allowed.some((f) => within(target, f))) found.push(`${file} → ${target}`);
    }
  }
  return found;
}

function trackedTypeScript(): Map<string, string> {
  const names = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "*.ts"], {
    cwd: root,
    encoding: "utf8",
  })
    .split("\0")
    .filter((name) => name !== "" && !name.startsWith("node_modules/"));
  return new Map(names.map((name) => [relative(root, join(root, name)), readFileSync(join(root, name), "utf8")]));
}

describe("import layering", () => {
  it("every TypeScript file imports only what its folder may import", () => {
    const files = trackedTypeScript();

    expect(files.size).toBeGreaterThan(50);
    expect(layerViolations(files)).toEqual([]);
  });

  it("flags a library that imports a command, the function importing tools, and an unknown folder", () => {
    // Built at run time, so these examples are not themselves paths in this file.
    const importing = (file: string, target: string) =>
      [file, `import { x } from "./${relative(dirname(file), target)}";`] as const;
    const files = new Map([
      importing("tools/pipeline/run.ts", "scripts/pipeline.ts"),
      importing("shared/batch/preparation.ts", "tools/fixtures/fixtures.ts"),
      importing("tools/fixtures/events.ts", "tools/pipeline/moto.ts"),
      importing("tools/lambda/invoke.ts", "tests/support/batch.ts"),
      importing("elsewhere/thing.ts", "elsewhere/a.ts"),
      importing("tools/faults/fault-proxy.ts", "tools/lambda/emf.ts"),
    ]);

    expect(layerViolations(files)).toEqual([
      "tools/pipeline/run.ts → scripts/pipeline.ts",
      "shared/batch/preparation.ts → tools/fixtures/fixtures.ts",
      "tools/fixtures/events.ts → tools/pipeline/moto.ts",
      "tools/lambda/invoke.ts → tests/support/batch.ts",
      "elsewhere/thing.ts: its folder has no place in the import map",
    ]);
  });
});
