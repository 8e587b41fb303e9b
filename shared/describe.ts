/**
 * Describing a value the consumer did not make (a record's field, a request's option) without ever
 * recursing into it: a value nested 6,000 deep would overflow the stack of any recursive walk
 * (`JSON.stringify` included), so a message about a bad value must not depend on its depth.
 */

/**
 * The start of `value`'s JSON text, at most `maxChars` characters, `…` after it when there is more:
 * the same text as `JSON.stringify(value)` (for values JSON.parse makes) as far as it goes. Walks
 * with a stack of its own and stops at `maxChars`, so it costs the same for a value nested a
 * million deep as for `[[1]]`, and never throws.
 */
export function jsonPreview(value: unknown, maxChars: number): string {
  let text = "";
  // What is left to write, last first: a value, or a piece of punctuation.
  const todo: (Pending | string)[] = [{ value }];
  // Stryker disable next-line EqualityOperator: stopping at maxChars rather than past it, the text is cut there and marked all the same
  while (todo.length > 0 && text.length <= maxChars) {
    const next = todo.pop() as Pending | string;
    if (typeof next === "string") {
      text += next;
      continue;
    }
    const v = next.value;
    if (Array.isArray(v)) {
      todo.push("]");
      // Only as many items as could still be written: each takes at least one character.
      for (let i = Math.min(v.length, maxChars) - 1; i >= 0; i--) {
        todo.push({ value: v[i] === undefined ? null : v[i] });
        if (i > 0) todo.push(",");
      }
      text += "[";
    } else if (typeof v === "object" && v !== null) {
      const keys: string[] = [];
      for (const key in v) {
        if ((v as Record<string, unknown>)[key] === undefined) continue;
        keys.push(key);
        // Stryker disable next-line EqualityOperator: a key takes at least four characters ("":0), so neither count of keys is all shown
        if (keys.length > maxChars) break;
      }
      todo.push("}");
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        todo.push({ value: (v as Record<string, unknown>)[key] });
        // Stryker disable next-line MethodExpression: the key's JSON is cut at maxChars all the same; slicing first spares copying a long one whole (performance only)
        todo.push(`${primitive(key.slice(0, maxChars))}:`);
        if (i > 0) todo.push(",");
      }
      text += "{";
    } else {
      // Stryker disable next-line ConditionalExpression,StringLiteral,ArithmeticOperator,MethodExpression: the string's JSON (quotes included) is cut at maxChars all the same; slicing first spares copying a long one whole (performance only)
      text += primitive(typeof v === "string" ? v.slice(0, maxChars + 1) : v);
    }
  }
  // The walk stops with something left only once the text is past maxChars.
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

interface Pending {
  readonly value: unknown;
}

/**
 * A value that is not an array or object, as JSON text; what JSON has no text for as JavaScript
 * writes it (`undefined`, a bigint), so that describing it cannot throw.
 */
function primitive(value: unknown): string {
  if (typeof value === "bigint" || value === undefined) return String(value);
  return JSON.stringify(value) ?? "null";
}
