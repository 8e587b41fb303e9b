/**
 * The translated templates in .tmp/cfn, kept in step with the SAM templates they come from. The
 * translator (translate-templates.py) writes beside them sources.json, the sha256 of each template
 * it translated; a translation that is missing, or whose hashes are not the templates' own, is
 * stale. Hashes, not file times: a checkout or a copy changes times, never contents.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");

export type StackName = "consumer" | "producer";

/** Where the translation is written and which templates it comes from. */
export interface TranslationPaths {
  readonly out: string;
  readonly sources: Readonly<Record<StackName, string>>;
}

/** The project's own: .tmp/cfn from template.yaml and producer/template.yaml. */
export const PROJECT_TRANSLATION: TranslationPaths = {
  out: join(ROOT, ".tmp", "cfn"),
  sources: { consumer: join(ROOT, "template.yaml"), producer: join(ROOT, "producer", "template.yaml") },
};

/** A translation that is missing or older than the templates, with no translator at hand to renew it. */
export class StaleTranslationError extends Error {
  constructor(reason: string) {
    super(`${reason}: run bash scripts/check-templates.sh (or set SAM_PYTHON, as scripts/setup.sh does)`);
    this.name = "StaleTranslationError";
  }
}

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Why the translation in `paths.out` does not match its templates, or undefined when it does. */
export function staleness(paths: TranslationPaths): string | undefined {
  const record = join(paths.out, "sources.json");
  if (!existsSync(record)) return `${record} is missing (no translation, or one made before hashes were kept)`;
  const hashes = JSON.parse(readFileSync(record, "utf8")) as Partial<Record<StackName, { sha256?: string }>>;
  for (const [name, source] of Object.entries(paths.sources) as [StackName, string][]) {
    if (!existsSync(join(paths.out, `${name}.json`))) return `${join(paths.out, `${name}.json`)} is missing`;
    if (hashes[name]?.sha256 !== sha256(source)) return `${join(paths.out, `${name}.json`)} is older than ${source}`;
  }
  return undefined;
}

/**
 * Makes sure `paths.out` holds the translation of the templates as they are now: when it is stale
 * and `python` (the SAM CLI's interpreter, $SAM_PYTHON) is given, runs the translator (under a
 * second); otherwise throws StaleTranslationError, whose one-line message says what to run.
 */
export function ensureTranslated(paths: TranslationPaths, python: string | undefined): void {
  const reason = staleness(paths);
  if (reason === undefined) return;
  if (python === undefined || python === "") throw new StaleTranslationError(reason);
  const script = join(import.meta.dirname, "translate-templates.py");
  try {
    execFileSync(python, [script, paths.out, paths.sources.consumer, paths.sources.producer], {
      env: { ...process.env, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION ?? "eu-west-1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim();
    throw new StaleTranslationError(`${reason}, and translating failed: ${stderr.split("\n").pop() ?? error}`);
  }
  const still = staleness(paths);
  if (still !== undefined) throw new StaleTranslationError(still);
}

let project: Readonly<Record<StackName, string>> | undefined;

/**
 * The project's translated templates as JSON text, checked (and renewed if need be) once per
 * process: callers parse their own copy, so mutating one never touches another.
 */
export function translatedTemplates(): Readonly<Record<StackName, string>> {
  if (project === undefined) {
    ensureTranslated(PROJECT_TRANSLATION, process.env.SAM_PYTHON);
    const read = (name: StackName) => readFileSync(join(PROJECT_TRANSLATION.out, `${name}.json`), "utf8");
    project = { consumer: read("consumer"), producer: read("producer") };
  }
  return project;
}
