/**
 * The project's rule for IAM wildcards in its templates: a `*` in an Action, Resource or Principal
 * stays only with a comment just above it saying why. Text-based on purpose: the comments are the
 * point, and YAML parsers drop them.
 */

export interface UnjustifiedWildcard {
  readonly line: number;
  readonly text: string;
}

/** A policy line that holds a wildcard: `Action: kms:*`, `- s3:*`, `Resource: "*"`, `…/*`, `Principal: "*"`. */
const POLICY_WILDCARD =
  /^\s*(-\s+)?((Not)?(Action|Resource|Principal)\s*:.*\*|["']?[a-z0-9-]+:[\w*]*\*["']?\s*$|.*!Sub\s+["']?\$\{[\w.]+\}\/[^\s"']*\*)/;
/** How many lines above a wildcard its justifying comment may stand (the statement's own lines). */
const REACH = 4;

/** The wildcard lines of a template that have no comment within the few lines above them. */
export function unjustifiedWildcards(template: string): UnjustifiedWildcard[] {
  const lines = template.split("\n");
  const found: UnjustifiedWildcard[] = [];
  lines.forEach((text, i) => {
    if (text.trimStart().startsWith("#") || !POLICY_WILDCARD.test(text)) return;
    const above = lines.slice(Math.max(0, i - REACH), i);
    if (!above.some((line) => line.trimStart().startsWith("#"))) found.push({ line: i + 1, text: text.trim() });
  });
  return found;
}
