/** The parts of Stryker's JSON report (mutation-testing-report-schema) the score needs. */
export interface MutationReport {
  files: Record<string, { mutants: ReadonlyArray<ReportMutant> }>;
}

export interface ReportMutant {
  status: string;
  mutatorName: string;
  replacement?: string;
  location: { start: { line: number; column: number } };
}

export interface Tally {
  detected: number;
  undetected: number;
  /** Detected / (detected + undetected), in percent; null when nothing could be scored. */
  score: number | null;
}

/** A surviving (or uncovered) mutant, named as the docs list them: file:line, mutator, replacement. */
export interface Survivor {
  file: string;
  line: number;
  mutator: string;
  status: string;
  replacement: string;
}

// Stryker's definition: timeouts count as detected (an infinite loop is caught); compile and runtime
// errors and ignored mutants are not scored at all.
const DETECTED = new Set(["Killed", "Timeout"]);
const UNDETECTED = new Set(["Survived", "NoCoverage"]);

function tally(mutants: Iterable<ReportMutant>): Tally {
  let detected = 0;
  let undetected = 0;
  for (const m of mutants) {
    if (DETECTED.has(m.status)) detected += 1;
    else if (UNDETECTED.has(m.status)) undetected += 1;
  }
  const scored = detected + undetected;
  return { detected, undetected, score: scored === 0 ? null : (100 * detected) / scored };
}

/** Scores per file, per top-level directory and overall, as Stryker computes them. */
export function mutationScores(report: MutationReport): {
  files: Map<string, Tally>;
  directories: Map<string, Tally>;
  overall: Tally;
} {
  const files = new Map<string, Tally>();
  const byDirectory = new Map<string, ReportMutant[]>();
  const all: ReportMutant[] = [];
  for (const [file, { mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
    files.set(file, tally(mutants));
    const directory = file.includes("/") ? `${file.slice(0, file.indexOf("/"))}/` : file;
    byDirectory.set(directory, [...(byDirectory.get(directory) ?? []), ...mutants]);
    all.push(...mutants);
  }
  const directories = new Map([...byDirectory].map(([d, ms]) => [d, tally(ms)]));
  return { files, directories, overall: tally(all) };
}

/** Every mutant no test detected, in file and line order. */
export function survivors(report: MutationReport): Survivor[] {
  return Object.entries(report.files)
    .flatMap(([file, { mutants }]) =>
      mutants
        .filter((m) => UNDETECTED.has(m.status))
        .map((m) => ({
          file,
          line: m.location.start.line,
          mutator: m.mutatorName,
          status: m.status,
          replacement: m.replacement ?? "",
        })),
    )
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

function percent(t: Tally): string {
  return t.score === null ? "n/a" : `${t.score.toFixed(1)} %`;
}

/** The one line `npm run mutation` ends with. */
export function scoreLine(report: MutationReport): string {
  const { directories, overall } = mutationScores(report);
  const parts = [...directories].map(([d, t]) => `${d} ${percent(t)}`).join(", ");
  return `mutation score ${percent(overall)} (${parts}): ${overall.detected} detected, ${overall.undetected} undetected`;
}

/**
 * Why `directory`'s score misses `minimum` percent, or undefined when it meets it. A directory with
 * no scored mutant fails too: a gate that nothing was measured against proves nothing.
 */
export function belowTarget(report: MutationReport, directory: string, minimum: number): string | undefined {
  const tally = mutationScores(report).directories.get(directory);
  if (tally === undefined || tally.score === null)
    return `no scored mutant in ${directory}: the report measured nothing there`;
  if (tally.score >= minimum) return undefined;
  const needed = Math.ceil((minimum / 100) * (tally.detected + tally.undetected) - tally.detected);
  return `${directory} scores ${percent(tally)}, under the ${minimum} % target: ${needed} more mutant(s) must be detected (node scripts/mutation-score.ts --survivors lists them)`;
}

/**
 * The `file:line` places a list of equivalent mutants names: each backticked `path.ts:12` names a
 * place, and a following `:34` (backticked, without a path) another line of the last named file.
 * Only the text after the heading `heading` up to the next heading of its level or above is read.
 */
export function documentedPlaces(markdown: string, heading: string): Set<string> {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => line.replace(/^#+\s*/, "") === heading && line.startsWith("#"));
  if (start < 0) return new Set();
  const level = (lines[start] as string).indexOf(" ");
  const places = new Set<string>();
  let file: string | undefined;
  for (const line of lines.slice(start + 1)) {
    const depth = /^(#+)\s/.exec(line)?.[1]?.length;
    if (depth !== undefined && depth <= level) break;
    for (const [, path, at] of line.matchAll(/`([\w./-]+\.ts)?:(\d+)`/g)) {
      if (path !== undefined) file = path;
      if (file !== undefined) places.add(`${file}:${at}`);
    }
  }
  return places;
}

/**
 * Survivors the list does not name (a missing test or a missing reason), and places it names where
 * nothing survives (stale after a change moved or killed them): both empty when the list is exact.
 */
export function undocumentedSurvivors(
  report: MutationReport,
  documented: ReadonlySet<string>,
): { unlisted: Survivor[]; stale: string[] } {
  const all = survivors(report);
  const places = new Set(all.map((s) => `${s.file}:${s.line}`));
  return {
    unlisted: all.filter((s) => !documented.has(`${s.file}:${s.line}`)),
    stale: [...documented].filter((place) => !places.has(place)),
  };
}
