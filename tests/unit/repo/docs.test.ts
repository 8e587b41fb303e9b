/**
 * The documentation stays true to the repository: every relative link in README.md and docs/
 * resolves (anchors included, GitHub-style), every repository path those pages name exists, no
 * tracked file refers to a path outside the repository, and the README stays a front door (the
 * layering that docs/architecture.md states is tests/unit/repo/layering.test.ts). No network.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { posix } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = posix.resolve(import.meta.dirname, "..", "..", "..");
const README_MAX_LINES = 160;

/** The repository's files (tracked, or new and not ignored) that exist, as repository-relative POSIX paths. */
const TRACKED = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT })
  .toString("utf8")
  .split("\0")
  .filter((path) => path !== "" && existsSync(posix.join(ROOT, path)));

/** The documentation pages: the README and every page in docs/ (tracked or not yet). */
const PAGES = [
  "README.md",
  ...readdirSync(posix.join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];

/** Files the scripts generate (ignored by git) that the pages may name. */
const GENERATED = new Set(["events/max-size-batch.json"]);

/** Every tracked file and every directory that holds one. */
const REPO_PATHS = new Set(TRACKED.flatMap((path) => [path, ...parentsOf(path)]));

function parentsOf(path: string): string[] {
  const parents: string[] = [];
  for (let dir = posix.dirname(path); dir !== "."; dir = posix.dirname(dir)) parents.push(dir);
  return parents;
}

function existsInRepo(path: string): boolean {
  const clean = path.replace(/\/$/, "");
  return clean === "" || REPO_PATHS.has(clean) || GENERATED.has(clean) || PAGES.includes(clean);
}

/** Repository-relative path of `target` seen from `fromFile`, or undefined when it leaves the repository. */
function resolveFrom(fromFile: string, target: string): string | undefined {
  const resolved = posix.normalize(posix.join(posix.dirname(fromFile), target));
  return resolved === ".." || resolved.startsWith("../") ? undefined : resolved.replace(/^\.\/?/, "");
}

/** Markdown lines outside fenced code blocks, with inline code spans removed. */
function proseLines(markdown: string): string[] {
  const lines: string[] = [];
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (!fenced) lines.push(line.replace(/`[^`]*`/g, ""));
  }
  return lines;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function githubSlug(heading: string): string {
  const text = heading
    .replace(/`([^`]*)`/g, "$1")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[*]/g, "");
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** The anchors of a Markdown file's headings, with GitHub's -1, -2 suffixes for repeats. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = githubSlug(heading[1] ?? "");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The targets of inline links and reference definitions, outside code. */
function linkTargets(markdown: string): string[] {
  const targets: string[] = [];
  for (const line of proseLines(markdown)) {
    for (const match of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(match[1] ?? "");
    const definition = /^\s*\[[^\]]+\]:\s*(\S+)/.exec(line);
    if (definition) targets.push(definition[1] ?? "");
  }
  return targets;
}

/**
 * The relative links of `page` that do not resolve: to no file of the repository, outside it, or
 * to an anchor that is not a heading of the target. External links (with a scheme) are not checked.
 */
function brokenLinks(page: string, markdown: string, read: (path: string) => string | undefined): string[] {
  const broken: string[] = [];
  for (const target of linkTargets(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:|^\/\//i.test(target)) continue;
    const [path = "", anchor] = target.split("#", 2);
    const file = path === "" ? page : resolveFrom(page, decodeURI(path));
    if (file === undefined || !existsInRepo(file)) {
      broken.push(`${target} (no such file in the repository)`);
      continue;
    }
    if (anchor === undefined || anchor === "") continue;
    const text = read(file);
    if (text === undefined || !file.endsWith(".md") || !anchorsOf(text).has(anchor)) {
      broken.push(`${target} (no heading #${anchor} in ${file})`);
    }
  }
  return broken;
}

const TOP_LEVEL_DIRS = "functions|shared|scripts|tools|tests|events|schema|local|producer|docs";

/** Repository paths (`tools/pipeline/run.ts`, `tests/unit`) a page names that do not exist. */
function missingPaths(markdown: string): string[] {
  const pattern = new RegExp(String.raw`(?<![\w./~-])((?:${TOP_LEVEL_DIRS})/[\w./-]*)`, "g");
  const missing: string[] = [];
  for (const match of markdown.matchAll(pattern)) {
    const path = (match[1] ?? "").replace(/\.+$/, "");
    if (!existsInRepo(path)) missing.push(path);
  }
  return missing;
}

/** Home and machine directories a cloned repository never has. */
const FOREIGN_ROOTS = ["work", "root", "home", "Users", "mnt"];

/**
 * References in a file's text to places outside the repository: an absolute path under a machine's
 * home or work directory, a relative path that climbs above the repository root, or a relative path
 * that climbs to a file that is not in the repository (a handbook beside the clone, say).
 */
function outsideReferences(file: string, text: string): string[] {
  const found: string[] = [];
  const absolute = new RegExp(String.raw`(?<![\w.~$-])/(?:${FOREIGN_ROOTS.join("|")})/[^\s"'\x60)\]]*`, "g");
  for (const match of text.matchAll(absolute)) found.push(match[0]);
  for (const match of text.matchAll(/(?<![\w.~/$@-])(\.{1,2}\/[^\s"'`()<>[\]{},;:#?]*)/g)) {
    // A sentence may end right after a path: its full stop is not part of it.
    const path = (match[1] ?? "").replace(/(?<=[^./])\.+$/, "");
    const resolved = resolveFrom(file, path);
    if (resolved === undefined) found.push(`${path} (above the repository root)`);
    else if (path.startsWith("../") && !/[*…<$]/.test(path) && !existsInRepo(resolved)) {
      found.push(`${path} (not in the repository)`);
    }
  }
  return found;
}

function readRepoFile(path: string): string | undefined {
  const full = posix.join(ROOT, path);
  return existsSync(full) ? readFileSync(full, "utf8") : undefined;
}

describe("documentation pages", () => {
  it.each(PAGES)("%s: every relative link resolves to a file of the repository and a heading of it", (page) => {
    const text = readRepoFile(page) ?? "";
    expect(brokenLinks(page, text, readRepoFile)).toEqual([]);
  });

  it.each(PAGES)("%s: every repository path it names exists", (page) => {
    expect(missingPaths(readRepoFile(page) ?? "")).toEqual([]);
  });

  it(`README.md stays a front door (at most ${README_MAX_LINES} lines)`, () => {
    const lines = (readRepoFile("README.md") ?? "").trimEnd().split("\n").length;
    expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
  });
});

describe("no tracked file refers to a path outside the repository", () => {
  // Written by tools: the lockfile, and Stryker's incremental file (copies of sources scanned here as
  // themselves; `scripts/mutation.sh` strips the checkout's path from it).
  const WRITTEN_BY_TOOLS = new Set(["package-lock.json", "tests/mutation/incremental.json"]);
  const textFiles = TRACKED.filter((path) => !WRITTEN_BY_TOOLS.has(path)).filter((path) => {
    const bytes = readFileSync(posix.join(ROOT, path));
    return !bytes.includes(0);
  });

  it("scans the repository's text files", () => {
    expect(textFiles).toContain("README.md");
    expect(textFiles).toContain("template.yaml");
  });

  it.each(textFiles)("%s", (path) => {
    expect(outsideReferences(path, readRepoFile(path) ?? "")).toEqual([]);
  });
});

/** `n` levels up, built at run time so that this file's own text climbs nowhere. */
const up = (n: number) => "../".repeat(n);

describe("the checks can fail", () => {
  const pages: Record<string, string> = {
    "docs/a.md": "# Page A\n\n## Two words `code`\n",
  };
  const read = (path: string) => pages[path] ?? readRepoFile(path);

  it("finds a link to a missing file, a missing anchor and a link that climbs out", () => {
    const markdown = `[ok](architecture.md#guarantees) [gone](gone.md) [anchor](architecture.md#nope) [out](${up(2)}x.md)`;
    expect(brokenLinks("docs/b.md", markdown, read)).toHaveLength(3);
  });

  it("ignores links inside code and external links", () => {
    const markdown = "`[x](gone.md)`\n```\n[y](gone.md)\n```\n[z](https://example.com/gone.md)";
    expect(brokenLinks("docs/b.md", markdown, read)).toEqual([]);
  });

  it("makes GitHub's anchors", () => {
    expect(githubSlug("Choosing memory, batch size and parallelisation")).toBe(
      "choosing-memory-batch-size-and-parallelisation",
    );
    expect(githubSlug("`sam local invoke`")).toBe("sam-local-invoke");
    expect(githubSlug("Reliability: nothing lost")).toBe("reliability-nothing-lost");
    expect(anchorsOf("# A\n## A\n```\n# not a heading\n```\n")).toEqual(new Set(["a", "a-1"]));
  });

  it("finds a repository path that no longer exists", () => {
    expect(missingPaths("see `scripts/lib/fleet.ts` and tools/pipeline/fleet.ts")).toEqual(["scripts/lib/fleet.ts"]);
  });

  it("finds a handbook beside the clone, a climb above the root and a machine's absolute path", () => {
    const handbook = `${up(1)}shared/ARCHITECTURE.md`;
    const machine = ["", FOREIGN_ROOTS[0], "notes", "common.md"].join("/");
    expect(outsideReferences("README.md", `The design is in ${handbook}.`)).toHaveLength(1);
    expect(outsideReferences("docs/a.md", `See ${handbook}.`)).toHaveLength(1);
    expect(outsideReferences("tests/unit/x.ts", `import "${up(3)}x.ts";`)).toHaveLength(1);
    expect(outsideReferences("scripts/x.sh", `cat ${machine}`)).toHaveLength(1);
    expect(outsideReferences("tests/unit/x.ts", `import "${up(2)}shared/batch/index.ts";`)).toEqual([]);
  });
});
