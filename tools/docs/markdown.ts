/** Markdown as the docs write it: tables with aligned columns, code spans. */

/** A code span; a backtick inside is written with a longer fence. */
export const code = (text: string | number) => {
  const value = String(text);
  return value.includes("`") ? `\`\` ${value} \`\`` : `\`${value}\``;
};

/** Text for Markdown: `<` and `>` outside code spans escaped, so that `<name>` shows rather than being taken for HTML. */
export const prose = (text: string) =>
  text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replaceAll("<", "&lt;").replaceAll(">", "&gt;")))
    .join("");

/** A cell's text: on one line, its pipes escaped (a pipe ends a cell even inside a code span). */
const cell = (text: string) => text.replace(/\s*\n\s*/g, " ").replaceAll("|", "\\|");

/** A table: the header, a delimiter row, one row per entry, each column padded to its widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [header, ...rows].map((row) => header.map((_, i) => cell(row[i] ?? "")));
  const widths = header.map((_, i) => Math.max(3, ...cells.map((row) => (row[i] ?? "").length)));
  const line = (row: readonly string[]) => `| ${row.map((text, i) => text.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const [head, ...body] = cells;
  return [line(head ?? []), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...body.map(line)].join("\n");
}
