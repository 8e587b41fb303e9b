/**
 * What every contract version shares: the size and time limits, the end-of-input anchor the
 * published patterns use, and the description of a version the validator dispatches to.
 */
import type { TObject, TProperties, TSchema } from "typebox";
import type { Validator } from "typebox/compile";

/** Largest accepted user record, in bytes, before JSON parsing (bigger ones are `TOO_LARGE`). */
export const MAX_USER_RECORD_BYTES = 64 * 1024;

/** Latest instant representable as a four-digit-year ISO string (9999-12-31T23:59:59.999Z). */
export const MAX_EPOCH_MS = 253_402_300_799_999;

/**
 * End of input in every regex dialect a producer may validate with. `$` would do in ECMA-262 (the
 * consumer's, Ajv's) but Python's `re` also lets it match before a final newline, so
 * `"VIN-1\n"` would pass there; ECMA-262 has no `\z`. A negative lookahead for any character reads
 * the same everywhere.
 */
export const END_OF_INPUT = "(?![\\s\\S])";

/** The properties a version knows, per object; everything else is dropped and counted. */
export interface KnownFields {
  readonly root: ReadonlySet<string>;
  /** The nested objects of the contract and the properties each knows. */
  readonly nested: readonly { readonly key: string; readonly fields: ReadonlySet<string> }[];
}

/** One contract version, as the validator dispatches to it. */
export interface ContractVersion<T> {
  readonly validator: Pick<Validator<TProperties, TSchema, T>, "Check" | "Errors">;
  readonly known: KnownFields;
}

/** The known properties of an input contract: its own and those of each nested object property. */
export function knownFieldsOf(contract: TObject): KnownFields {
  const nested: { key: string; fields: ReadonlySet<string> }[] = [];
  for (const [key, schema] of Object.entries(contract.properties)) {
    const properties = (schema as { properties?: object }).properties;
    if (properties) nested.push({ key, fields: new Set(Object.keys(properties)) });
  }
  return { root: new Set(Object.keys(contract.properties)), nested };
}
