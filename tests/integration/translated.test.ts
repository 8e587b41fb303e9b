/**
 * The translated templates the access matrix and the mutation harness read are never stale: a
 * translation whose recorded template hashes differ from the templates (or that is missing) is made
 * anew with the SAM translator ($SAM_PYTHON, as scripts/setup.sh sets it), or refused with a one-line
 * message saying what to run. On copies of both templates in a directory of their own.
 */
import { appendFileSync, copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ensureTranslated,
  PROJECT_TRANSLATION,
  StaleTranslationError,
  staleness,
  type TranslationPaths,
} from "../../tools/templates/translated.ts";

const python = process.env.SAM_PYTHON;
let dir: string;
let paths: TranslationPaths;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "translated-"));
  const sources = { consumer: join(dir, "template.yaml"), producer: join(dir, "producer.yaml") };
  copyFileSync(PROJECT_TRANSLATION.sources.consumer, sources.consumer);
  copyFileSync(PROJECT_TRANSLATION.sources.producer, sources.producer);
  paths = { out: join(dir, "cfn"), sources };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(): string {
  try {
    ensureTranslated(paths, undefined);
  } catch (error) {
    expect(error).toBeInstanceOf(StaleTranslationError);
    return (error as Error).message;
  }
  throw new Error("a stale translation was accepted");
}

describe("the translated templates", () => {
  it("are refused when missing and no translator is at hand, in one line saying what to run", () => {
    expect(staleness(paths)).toMatch(/sources\.json is missing/);
    const message = refusal();
    expect(message).not.toContain("\n");
    expect(message).toContain("run bash scripts/check-templates.sh");
  });

  it("are made by the translator when missing, and then match their templates", () => {
    expect(python, "SAM_PYTHON (source scripts/setup.sh)").toBeTruthy();
    ensureTranslated(paths, python);
    expect(staleness(paths)).toBeUndefined();
  });

  it("are stale once a template changes after translating: refused without a translator, renewed with it", () => {
    appendFileSync(paths.sources.producer, "# changed after translating\n");
    expect(staleness(paths)).toMatch(/producer\.json is older than .*producer\.yaml/);
    expect(refusal()).toMatch(/producer\.json is older than/);
    ensureTranslated(paths, python);
    expect(staleness(paths)).toBeUndefined();
  });
});
