/**
 * The simulated fleet's options, shared by the commands that drive one (pipeline, simulator,
 * reliability), each with its own defaults.
 */

import { integer, number } from "../cli/options.ts";
import type { PipelineOptions } from "./run.ts";

/** The fleet's random seed: any 32-bit unsigned integer (the generator takes seed >>> 0). */
export const SEED_MAX = 2 ** 32 - 1;

type FleetDefaults = Pick<
  PipelineOptions,
  "vehicles" | "durationS" | "rate" | "speedup" | "badFraction" | "kplShare" | "seed"
>;

/** --vehicles, --duration, --rate, --speedup, --bad-fraction, --kpl-share and --seed with these defaults. */
export function fleetOptions(defaults: FleetDefaults) {
  return {
    vehicles: integer({ min: 1, default: defaults.vehicles, description: "simulated vehicles" }),
    duration: number({ above: 0, default: defaults.durationS, description: "simulated seconds" }),
    rate: number({ above: 0, default: defaults.rate, description: "readings per vehicle per simulated second" }),
    speedup: number({
      min: 0,
      default: defaults.speedup,
      description: "simulated seconds per real second, 0 as fast as possible",
    }),
    "bad-fraction": number({
      min: 0,
      max: 1,
      default: defaults.badFraction,
      description: "share of bad readings (invalid JSON, contract violations, oversized)",
    }),
    "kpl-share": number({
      min: 0,
      max: 1,
      default: defaults.kplShare,
      description: "share of vehicles writing through a KPL aggregator",
    }),
    seed: integer({ min: 0, max: SEED_MAX, default: defaults.seed, description: "the fleet's random seed" }),
  } as const;
}
