/**
 * tools/cli/options.ts as the commands of scripts/ see it inside tests/support/check-commands.ts:
 * everything as it is, but `command()` also records each spec it is given, and `runCommand()` runs
 * nothing, so that importing a command yields its definition without running it.
 */
import type { Command, Options } from "../../tools/cli/options.ts";

export * from "../../tools/cli/options.ts";

/** Every spec given to command(), in order: a script's own is the last one its import records. */
export const SPECS: Command<Options>[] = [];

export function command<const O extends Options>(spec: Command<O>): Command<O> {
  SPECS.push(spec as unknown as Command<Options>);
  return spec;
}

export async function runCommand(): Promise<void> {}
