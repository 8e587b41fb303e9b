/** The parts of Stryker's JSON report (mutation-testing-report-schema) the score needs. */
export interface MutationReport {
  files: Record<string, { mutants: ReadonlyArray<ReportMutant> }>;
}

export interface ReportMutant {
  status: string;
  /** Why the mutant was not scored; for an `Ignored` one, the reason its disable comment gives. */
  statusReason?: string;
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

/** A surviving (or uncovered) mutant, named by file:line, mutator and replacement. */
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

/** The one line `npm run mutation` ends with; ignored mutants are outside the score, counted apart. */
export function scoreLine(report: MutationReport): string {
  const { directories, overall } = mutationScores(report);
  const parts = [...directories].map(([d, t]) => `${d} ${percent(t)}`).join(", ");
  const ignored = disabledMutants(report).length;
  return `mutation score ${percent(overall)} (${parts}): ${overall.detected} detected, ${overall.undetected} undetected, ${ignored} ignored`;
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
  return `${directory} scores ${percent(tally)}, under the ${minimum} % target: ${needed} more mutant(s) must be detected (npm run mutation:score -- --survivors lists them)`;
}

/** A mutant a `// Stryker disable` comment kept from running, with the reason Stryker recorded. */
export interface Disabled {
  file: string;
  line: number;
  mutator: string;
  reason: string;
}

/**
 * The reasons Stryker records for an ignored mutant when nobody wrote one: a disable comment without
 * `: <why>` ("Ignored using a comment"), or a mutator excluded in the configuration, far from the code.
 */
const UNEXPLAINED = [/^Ignored using a comment$/, /^Ignored because of excluded mutation/];

/** Every ignored mutant, in file and line order, with the reason its disable gives. */
export function disabledMutants(report: MutationReport): Disabled[] {
  return Object.entries(report.files)
    .flatMap(([file, { mutants }]) =>
      mutants
        .filter((m) => m.status === "Ignored")
        .map((m) => ({
          file,
          line: m.location.start.line,
          mutator: m.mutatorName,
          reason: m.statusReason?.trim() ?? "",
        })),
    )
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** True when a disable's reason is one a person wrote at the code. */
export function hasWrittenReason(reason: string): boolean {
  return reason !== "" && !UNEXPLAINED.some((pattern) => pattern.test(reason));
}

/**
 * What keeps the report from passing the gate beyond the score: each mutant that survived or that no
 * test covers, and each mutant ignored without a written reason; one message each, naming
 * file:line, the mutator and the fix. Empty when every mutant is detected or disabled with a reason.
 */
export function unexplainedMutants(report: MutationReport): string[] {
  const undetected = survivors(report).map((s) => {
    const what = s.status === "NoCoverage" ? "no test runs it" : "no test detects it";
    const replacement = s.replacement.replace(/\s+/g, " ").slice(0, 80);
    return `${s.file}:${s.line} ${s.mutator} ${s.status} (${replacement}): ${what}; write a test that does, or, if it cannot change behaviour, mark it at the code with "// Stryker disable next-line ${s.mutator}: <why>"`;
  });
  const unexplained = disabledMutants(report)
    .filter((d) => !hasWrittenReason(d.reason))
    .map(
      (d) =>
        `${d.file}:${d.line} ${d.mutator} is ignored without a reason ("${d.reason}"): write why after the mutator name, "// Stryker disable next-line ${d.mutator}: <why>"`,
    );
  return [...undetected, ...unexplained];
}
