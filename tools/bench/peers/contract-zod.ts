/** The telemetry v1 contract in Zod and the same enrichment, for the peer implementations. */
import { z } from "zod";

export const TelemetryZod = z.object({
  vehicleId: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/),
  timestamp: z.union([z.iso.datetime({ offset: true }), z.number().int().min(0).max(253_402_300_799_999)]),
  speedKmh: z.number().min(0).max(400),
  location: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).optional(),
  heading: z.number().min(0).lt(360).optional(),
  odometerKm: z.number().min(0).optional(),
  fuelLevelPct: z.number().min(0).max(100).optional(),
  engine: z
    .object({ rpm: z.number().min(0).max(20_000).optional(), coolantTempC: z.number().min(-60).max(200).optional() })
    .optional(),
  schemaVersion: z.literal(1).optional(),
});
export type TelemetryZod = z.infer<typeof TelemetryZod>;

export interface KinesisMeta {
  readonly eventID: string;
  readonly eventSourceARN: string;
  readonly kinesis: { readonly partitionKey: string; readonly approximateArrivalTimestamp: number };
}

/** The same output line as the consumer's. */
export function enrichedLine(t: TelemetryZod, record: KinesisMeta): string {
  const eventMs = typeof t.timestamp === "number" ? t.timestamp : Date.parse(t.timestamp);
  const arrivalMs = Math.round(record.kinesis.approximateArrivalTimestamp * 1000);
  const arn = record.eventSourceARN.split(":");
  return JSON.stringify({
    vehicleId: t.vehicleId,
    eventTime: new Date(eventMs).toISOString(),
    speedKmh: t.speedKmh,
    speedMph: Math.round((t.speedKmh / 1.609344) * 100) / 100,
    overSpeedLimit: t.speedKmh > 130,
    location: t.location,
    heading: t.heading,
    odometerKm: t.odometerKm,
    fuelLevelPct: t.fuelLevelPct,
    engine: t.engine,
    schemaVersion: 1,
    ingest: {
      recordId: record.eventID,
      partitionKey: record.kinesis.partitionKey,
      arrivalTime: new Date(arrivalMs).toISOString(),
      processedAt: new Date().toISOString(),
      arrivalLagMs: arrivalMs - eventMs,
      sourceAccount: arn[4],
      sourceStream: arn[5]?.slice(7),
    },
  });
}
