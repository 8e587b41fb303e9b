/**
 * Values generated from a contract's TypeBox schema, inside its bounds, so a test can fill every
 * property a version declares without restating the version: a new optional field is filled, and
 * checked, the day it is added. A schema this cannot generate for is an error naming its path, never
 * a property silently left out.
 */

/** The part of a JSON Schema the contracts use. */
export interface Schema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly Schema[];
  readonly format?: string;
  readonly pattern?: string;
}

/** A TypeBox schema read as the plain JSON Schema it is. */
export const schemaOf = (schema: object): Schema => schema as Schema;

/** A schema no value can be generated for here (say, a string pattern): add the case to `ValueSource`. */
export class UngeneratableSchemaError extends Error {
  constructor(path: string, why: string) {
    super(`cannot generate a value for ${path === "" ? "the record" : path}: ${why}`);
    this.name = "UngeneratableSchemaError";
  }
}

const GOLDEN = 0.618_033_988_749_895;
const round = (value: number) => Math.round(value * 10_000) / 10_000;

/**
 * Makes values one after the other: each number at another point inside its bounds (never at an
 * edge), so that no two properties of one record share a value and a value copied to the wrong
 * property shows.
 */
export class ValueSource {
  #n = 0;

  /** A value of `schema`; an object has every property filled, optional ones included. */
  value(schema: Schema, path = ""): unknown {
    const n = ++this.#n;
    if ("const" in schema) return schema.const;
    if (schema.enum) return schema.enum[n % schema.enum.length];
    if (schema.anyOf) return this.#firstOf(schema.anyOf, path);
    switch (schema.type) {
      case "object":
        return this.#object(schema, path);
      case "number":
      case "integer":
        return this.#number(schema, n, path);
      case "boolean":
        return n % 2 === 0;
      case "string":
        if (schema.format === "date-time") return new Date(Date.UTC(2026, 10, 21, 8, 0, n % 60, n)).toISOString();
        if (schema.pattern !== undefined)
          throw new UngeneratableSchemaError(path, `a string of pattern ${schema.pattern}`);
        return `${path}-${n}`;
      default:
        throw new UngeneratableSchemaError(path, `a schema of type ${JSON.stringify(schema.type)}`);
    }
  }

  /**
   * `base` (which must hold every required property) with every optional property of `schema` set,
   * nested ones included: a property `base` lacks gets a generated value; an object `base` holds has
   * its own optional properties filled the same way.
   */
  fillOptional(schema: Schema, base: Readonly<Record<string, unknown>>, path = ""): Record<string, unknown> {
    const filled: Record<string, unknown> = { ...base };
    for (const [key, property] of Object.entries(schema.properties ?? {})) {
      const at = `${path}/${key}`;
      const present = filled[key];
      if (present === undefined) filled[key] = this.value(property, at);
      else if (property.type === "object" && typeof present === "object" && present !== null)
        filled[key] = this.fillOptional(property, present as Record<string, unknown>, at);
    }
    return filled;
  }

  #object(schema: Schema, path: string): Record<string, unknown> {
    return Object.fromEntries(
      Object.entries(schema.properties ?? {}).map(([key, property]) => [key, this.value(property, `${path}/${key}`)]),
    );
  }

  #number(schema: Schema, n: number, path: string): number {
    const low = schema.minimum ?? schema.exclusiveMinimum;
    const high = schema.maximum ?? schema.exclusiveMaximum;
    const fraction = 0.05 + 0.9 * ((n * GOLDEN) % 1);
    let value: number;
    if (low !== undefined && high !== undefined) value = low + (high - low) * fraction;
    else if (low !== undefined) value = low + 1 + 1_000 * fraction;
    else if (high !== undefined) value = high - 1 - 1_000 * fraction;
    else value = 1_000 * fraction;
    if (schema.type === "number") return round(value);
    const whole = Math.round(value);
    const aboveLow = low === undefined || whole > low || (whole === low && schema.exclusiveMinimum === undefined);
    const belowHigh = high === undefined || whole < high || (whole === high && schema.exclusiveMaximum === undefined);
    if (!(aboveLow && belowHigh))
      throw new UngeneratableSchemaError(path, "an integer range with no whole number inside");
    return whole;
  }

  #firstOf(branches: readonly Schema[], path: string): unknown {
    const reasons: string[] = [];
    for (const branch of branches) {
      try {
        return this.value(branch, path);
      } catch (error) {
        if (!(error instanceof UngeneratableSchemaError)) throw error;
        reasons.push(error.message);
      }
    }
    throw new UngeneratableSchemaError(path, `no branch of anyOf (${reasons.join("; ")})`);
  }
}

/** The JSON Pointers of every optional property of an object schema, nested ones included, parents first. */
export function optionalPointers(schema: Schema, path = ""): string[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).flatMap(([key, property]) => {
    const at = `${path}/${key}`;
    return [...(required.has(key) ? [] : [at]), ...(property.type === "object" ? optionalPointers(property, at) : [])];
  });
}

/** The value at a JSON Pointer (`/engine/rpm`), or undefined when some step is missing. */
export function valueAt(value: unknown, pointer: string): unknown {
  let at: unknown = value;
  for (const key of pointer.split("/").slice(1)) {
    if (typeof at !== "object" || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}
