/**
 * Delivered objects made from a simulated fleet with the real contract code (validate, enrich), laid
 * out as Firehose writes them, with re-deliveries injected: the known input the query tests check
 * the queries' local results against.
 */
import type { EnrichedTelemetry } from "../../shared/contract.ts";
import { enrich } from "../../shared/enrich.ts";
import { validateTelemetry } from "../../shared/validate.ts";
import { seededRandom, sequenceNumber } from "../../tools/fixtures/fixtures.ts";
import { writeDeliveredObject } from "../../tools/pipeline/delivered.ts";
import { Fleet } from "../../tools/pipeline/fleet.ts";

export interface FleetDeliveryOptions {
  readonly dir: string;
  readonly vehicles: number;
  readonly durationS: number;
  /** Event time of the first reading. */
  readonly startMs: number;
  readonly seed: number;
  readonly speedLimitKmh: number;
  /** This vehicle drives at 180 km/h for `speedingS` seconds from the start (made to speed). */
  readonly speeder: { readonly vehicleId: string; readonly seconds: number };
  /** How many delivered lines are delivered a second time (a retried batch, from the third second on), in an object of their own. */
  readonly redelivered: number;
  readonly linesPerObject: number;
}

export interface FleetDeliveries {
  /** Every distinct delivered line (one per reading), in event-time order. */
  readonly lines: readonly EnrichedTelemetry[];
  /** The recordIds delivered twice. */
  readonly redelivered: readonly string[];
  readonly objects: number;
}

/** Writes the fleet's readings as delivered objects under `dir` and returns what was written. */
export function writeFleetDeliveries(options: FleetDeliveryOptions): FleetDeliveries {
  const random = seededRandom(options.seed);
  const fleet = new Fleet({ vehicles: options.vehicles, random, badFraction: 0 });
  const lines: EnrichedTelemetry[] = [];
  let sequence = 0;
  for (let s = 0; s < options.durationS; s++) {
    const atMs = options.startMs + s * 1000;
    for (const reading of fleet.tick(1, atMs)) {
      const value = JSON.parse(reading.data.toString()) as Record<string, unknown>;
      if (value.vehicleId === options.speeder.vehicleId && s < options.speeder.seconds) value.speedKmh = 180;
      const valid = validateTelemetry(value);
      if (!("telemetry" in valid)) throw new Error(`the fleet made an invalid reading: ${reading.data.toString()}`);
      const arrivalMs = atMs + 40 + Math.floor(random() * 2_000);
      lines.push(
        enrich(
          valid,
          {
            recordId: `shardId-000000000000:${sequenceNumber(sequence++)}`,
            partitionKey: reading.vehicleId,
            arrivalMs,
            arrivalTime: new Date(arrivalMs).toISOString(),
          },
          {
            processedAt: new Date(arrivalMs + 500).toISOString(),
            source: { account: "111122223333", stream: "vehicle-telemetry" },
            speedLimitKmh: options.speedLimitKmh,
          },
        ),
      );
    }
  }
  let objects = 0;
  const write = (chunk: readonly EnrichedTelemetry[], arrivalTime: string) =>
    writeDeliveredObject(options.dir, new Date(arrivalTime), `telemetry-delivery-1-${objects++}`, chunk);
  for (let i = 0; i < lines.length; i += options.linesPerObject) {
    const chunk = lines.slice(i, i + options.linesPerObject);
    write(chunk, chunk[0]?.ingest.arrivalTime ?? "");
  }
  // A retried batch: a run of records (same recordIds) processed again, a little later. It starts
  // at the third second, so it holds readings of the vehicle made to speed.
  const from = 2 * options.vehicles;
  const again = lines.slice(from, from + options.redelivered).map((line) => ({
    ...line,
    ingest: { ...line.ingest, processedAt: new Date(Date.parse(line.ingest.processedAt) + 30_000).toISOString() },
  }));
  write(again, again[0]?.ingest.arrivalTime ?? "");
  return { lines, redelivered: again.map((line) => line.ingest.recordId), objects };
}
