/**
 * A simulated vehicle fleet: each vehicle runs through speed phases (accelerate, cruise, brake,
 * stop), moves along its heading, and keeps odometer, fuel and engine values consistent over time.
 * Everything comes from one seeded generator, so a seed replays the same fleet. A `v2Share` of the
 * vehicles are electric and send telemetry v2 (battery, charging state, range, tyres) instead of v1;
 * which ones is fixed by their index, not drawn, so the share never changes the other vehicles' readings.
 */
import type { RejectionReason } from "../../shared/rejection.ts";

type Phase = "accelerate" | "cruise" | "brake" | "stop";

interface Vehicle {
  readonly id: string;
  /** Sends telemetry v2; its fuel level stands for the battery's state of charge. */
  readonly electric: boolean;
  lat: number;
  lon: number;
  heading: number;
  speedKmh: number;
  cruiseKmh: number;
  phase: Phase;
  phaseLeftS: number;
  odometerKm: number;
  fuelPct: number;
  coolantC: number;
}

/** What a reading is meant to become in the consumer: a delivered line, or a reject with this reason. */
export type Intent = "VALID" | Extract<RejectionReason, "JSON_INVALID" | "SCHEMA_INVALID" | "TOO_LARGE">;

export interface Reading {
  readonly vehicleId: string;
  readonly intent: Intent;
  /** The contract version the reading is written in (absent: 1). */
  readonly schemaVersion?: 1 | 2;
  readonly data: Buffer;
}

const EARTH_METRES_PER_DEGREE = 111_320;
/** Litres per 100 km and tank size: fuel falls by distance. */
const CONSUMPTION_L_PER_100KM = 7.5;
const TANK_L = 55;
/** Electric range per % of charge (a ~450 km battery), and tyre pressures (kPa) the fleet runs at. */
const RANGE_KM_PER_PCT = 4.5;
const TYRES_KPA = { frontLeft: 240, frontRight: 240, rearLeft: 250, rearRight: 250 } as const;
/** The golden ratio's fraction: index × it, mod 1, spreads any share of vehicles evenly over the fleet. */
const GOLDEN_FRACTION = 0.618_033_988_749_895;

export class Fleet {
  readonly #random: () => number;
  readonly #vehicles: Vehicle[];
  readonly #badFraction: number;
  readonly #v2Share: number;

  constructor(options: { vehicles: number; random: () => number; badFraction: number; v2Share?: number }) {
    this.#random = options.random;
    this.#badFraction = options.badFraction;
    this.#v2Share = options.v2Share ?? 0;
    this.#vehicles = Array.from({ length: options.vehicles }, (_, i) => this.#newVehicle(i));
  }

  get size(): number {
    return this.#vehicles.length;
  }

  /**
   * Advances every vehicle by `dtS` seconds and returns one reading each, stamped `atMs`.
   * A `badFraction` of readings are made bad on purpose: invalid JSON, a contract violation, or
   * oversized, in equal shares.
   */
  tick(dtS: number, atMs: number): Reading[] {
    return this.#vehicles.map((vehicle) => {
      this.#advance(vehicle, dtS);
      return this.#reading(vehicle, atMs);
    });
  }

  #newVehicle(i: number): Vehicle {
    const r = this.#random;
    return {
      id: `VIN-${String(i + 1).padStart(6, "0")}`,
      electric: ((i + 1) * GOLDEN_FRACTION) % 1 < this.#v2Share,
      lat: 48 + r() * 4,
      lon: 2 + r() * 6,
      heading: r() * 360,
      speedKmh: 0,
      cruiseKmh: 50 + r() * 80,
      phase: "stop",
      phaseLeftS: r() * 20,
      odometerKm: 5_000 + r() * 150_000,
      fuelPct: 20 + r() * 80,
      coolantC: 20 + r() * 10,
    };
  }

  #advance(v: Vehicle, dtS: number): void {
    const r = this.#random;
    v.phaseLeftS -= dtS;
    if (v.phaseLeftS <= 0) this.#nextPhase(v);
    const accelKmhPerS = v.phase === "accelerate" ? 6 + r() * 4 : v.phase === "brake" ? -(10 + r() * 8) : 0;
    if (v.phase === "cruise") v.speedKmh += (v.cruiseKmh - v.speedKmh) * 0.2 + (r() - 0.5) * 3;
    else v.speedKmh += accelKmhPerS * dtS;
    if (v.phase === "accelerate" && v.speedKmh >= v.cruiseKmh) v.phase = "cruise";
    if (v.phase === "stop") v.speedKmh = 0;
    v.speedKmh = Math.min(Math.max(v.speedKmh, 0), 250);
    const metres = (v.speedKmh / 3.6) * dtS;
    v.heading = (v.heading + (r() - 0.5) * 4 + 360) % 360;
    const rad = (v.heading * Math.PI) / 180;
    v.lat = clamp(v.lat + (metres * Math.cos(rad)) / EARTH_METRES_PER_DEGREE, -89.9, 89.9);
    v.lon = wrapLon(v.lon + (metres * Math.sin(rad)) / (EARTH_METRES_PER_DEGREE * Math.cos((v.lat * Math.PI) / 180)));
    v.odometerKm += metres / 1000;
    v.fuelPct -= ((metres / 100_000) * CONSUMPTION_L_PER_100KM * 100) / TANK_L;
    if (v.fuelPct < 5) v.fuelPct = 95; // refuelled at a stop
    const target = v.speedKmh > 0 ? 90 : 85;
    v.coolantC += (target - v.coolantC) * Math.min(1, 0.02 * dtS);
  }

  #nextPhase(v: Vehicle): void {
    const r = this.#random;
    const next: Record<Phase, Phase> = {
      stop: "accelerate",
      accelerate: "cruise",
      cruise: r() < 0.7 ? "brake" : "cruise",
      brake: r() < 0.5 ? "stop" : "accelerate",
    };
    v.phase = next[v.phase];
    if (v.phase === "accelerate" || v.phase === "cruise") v.cruiseKmh = 40 + r() * 100;
    v.phaseLeftS = v.phase === "stop" ? 5 + r() * 40 : v.phase === "cruise" ? 30 + r() * 300 : 5 + r() * 15;
  }

  #reading(v: Vehicle, atMs: number): Reading {
    const r = this.#random;
    const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
    const gearRatio = v.speedKmh < 20 ? 110 : v.speedKmh < 50 ? 60 : 30;
    const common = {
      vehicleId: v.id,
      timestamp: new Date(atMs).toISOString(),
      speedKmh: round(v.speedKmh, 1),
      location: { lat: round(v.lat, 6), lon: round(v.lon, 6) },
      heading: round(v.heading, 1) % 360,
      odometerKm: round(v.odometerKm, 2),
    };
    // No draw from the generator here: a vehicle's readings are the same whatever the v2 share.
    const schemaVersion = v.electric ? 2 : 1;
    const charging = v.electric && v.phase === "stop" && v.fuelPct < 50;
    const reading: Record<string, unknown> = v.electric
      ? {
          ...common,
          battery: {
            stateOfChargePct: round(v.fuelPct, 1),
            // The coolant's warm-up from ambient stands for the pack's, damped.
            temperatureC: round(20 + (v.coolantC - 20) * 0.3, 1),
            voltageV: round(350 + v.fuelPct * 0.6, 1),
            currentA: charging ? -16 : round(v.speedKmh * 1.2, 1),
          },
          chargingState: charging ? "AC_CHARGING" : "NOT_CHARGING",
          estimatedRangeKm: round(v.fuelPct * RANGE_KM_PER_PCT, 1),
          tyrePressuresKpa: TYRES_KPA,
          schemaVersion,
        }
      : {
          ...common,
          fuelLevelPct: round(v.fuelPct, 1),
          engine: { rpm: Math.round(750 + v.speedKmh * gearRatio * 0.3), coolantTempC: round(v.coolantC, 1) },
          schemaVersion,
        };
    const roll = r();
    if (roll >= this.#badFraction)
      return { vehicleId: v.id, intent: "VALID", schemaVersion, data: Buffer.from(JSON.stringify(reading)) };
    const kind = Math.floor((roll / this.#badFraction) * 3);
    if (kind === 0) {
      const text = JSON.stringify(reading);
      return {
        vehicleId: v.id,
        intent: "JSON_INVALID",
        schemaVersion,
        data: Buffer.from(text.slice(0, Math.floor(text.length / 2))),
      };
    }
    if (kind === 1) {
      return {
        vehicleId: v.id,
        intent: "SCHEMA_INVALID",
        schemaVersion,
        data: Buffer.from(JSON.stringify({ ...reading, speedKmh: -12 })),
      };
    }
    const padded = { ...reading, diagnostics: "x".repeat(70_000) };
    return { vehicleId: v.id, intent: "TOO_LARGE", schemaVersion, data: Buffer.from(JSON.stringify(padded)) };
  }
}

function clamp(x: number, min: number, max: number): number {
  return Math.min(Math.max(x, min), max);
}

function wrapLon(lon: number): number {
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}
