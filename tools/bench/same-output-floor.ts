/**
 * The benchmark's same-output floor: the least work any implementation must do to produce our
 * output lines. For each Kinesis record: base64 decode, `JSON.parse`, build the enriched object
 * (the same fields, in the same order, with the same values as our line), `JSON.stringify`, and
 * UTF-8 encode it into one output buffer. It validates nothing, de-aggregates nothing (KPL
 * aggregates and records that are not JSON objects are skipped), quarantines nothing, sends
 * nothing (records whose line cannot be built are skipped): ours ÷ this floor is our overhead over
 * the output itself. tests/unit/same-output-floor.test.ts
 * checks its lines byte for byte against the built bundle's.
 */
import type { KinesisStreamEvent } from "aws-lambda";

const KM_PER_MILE = 1.609344;

interface Reading {
  vehicleId: string;
  timestamp: string | number;
  speedKmh: number;
  location?: { lat: number; lon: number };
  heading?: number;
  odometerKm?: number;
  fuelLevelPct?: number;
  engine?: { rpm: number; coolantTempC: number };
  schemaVersion: number;
  battery: { stateOfChargePct: number; temperatureC: number; voltageV: number; currentA: number };
  chargingState?: string;
  estimatedRangeKm?: number;
  tyrePressuresKpa?: { frontLeft: number; frontRight: number; rearLeft: number; rearRight: number };
}

export interface FloorOptions {
  /** The invocation's `processedAt` (ours takes it once per batch). */
  readonly processedAt: string;
  readonly speedLimitKmh: number;
}

/** Output buffer, reused: ours encodes into records of 1,000 KiB; this one is as large as an event needs. */
let out = Buffer.allocUnsafeSlow(16 * 1024 * 1024);

/**
 * Produces our output lines for the event's plain JSON records, into one buffer; returns the bytes
 * written (the lines are `out.subarray(0, n)`, each ending in a newline).
 */
export function sameOutputFloor(event: KinesisStreamEvent, options: FloorOptions): { bytes: Buffer } {
  let offset = 0;
  let arn = "";
  let account = "unknown";
  let stream = "unknown";
  for (const record of event.Records) {
    const kinesis = record.kinesis;
    const bytes = Buffer.from(kinesis.data, "base64");
    // KPL aggregates start with their magic number; the floor does not de-aggregate.
    if (bytes[0] === 0xf3 && bytes[1] === 0x89 && bytes[2] === 0x9a && bytes[3] === 0xc2) continue;
    let t: Reading;
    try {
      t = JSON.parse(bytes.toString("utf8"));
    } catch {
      continue;
    }
    if (typeof t !== "object" || t === null) continue;
    if (record.eventSourceARN !== arn) {
      arn = record.eventSourceARN;
      const parts = arn.split(":");
      const resource = parts[5] ?? "";
      const slash = resource.indexOf("/", 7);
      const name = resource.startsWith("stream/") ? resource.slice(7, slash === -1 ? undefined : slash) : "";
      account = parts[2] === "kinesis" && parts[4] ? parts[4] : "unknown";
      stream = name === "" ? "unknown" : name;
    }
    const eventTimeMs = typeof t.timestamp === "number" ? t.timestamp : Date.parse(t.timestamp);
    // Not validated: a poison record's line could not be built (no date, no battery), so it is skipped.
    if (!(eventTimeMs >= 0 && eventTimeMs <= 8.64e15)) continue;
    if (t.schemaVersion === 2 && typeof t.battery !== "object") continue;
    const eventTime =
      typeof t.timestamp === "string" && t.timestamp.length === 24 && t.timestamp.endsWith("Z")
        ? t.timestamp
        : new Date(eventTimeMs).toISOString();
    const arrivalMs = Math.round(kinesis.approximateArrivalTimestamp * 1000);
    const colon = record.eventID.indexOf(":");
    const ingest = {
      recordId: `${colon === -1 ? record.eventID : record.eventID.slice(0, colon)}:${kinesis.sequenceNumber}`,
      partitionKey: kinesis.partitionKey,
      arrivalTime: new Date(arrivalMs).toISOString(),
      processedAt: options.processedAt,
      arrivalLagMs: arrivalMs - eventTimeMs,
      sourceAccount: account,
      sourceStream: stream,
    };
    const speedMph = Math.round((t.speedKmh / KM_PER_MILE) * 100) / 100;
    const overSpeedLimit = t.speedKmh > options.speedLimitKmh;
    const location = t.location && { lat: t.location.lat, lon: t.location.lon };
    const engine = t.engine && { rpm: t.engine.rpm, coolantTempC: t.engine.coolantTempC };
    // Two literals, one per version, as ours builds them: each line has one shape, nothing is copied.
    const line =
      t.schemaVersion === 2
        ? JSON.stringify({
            vehicleId: t.vehicleId,
            eventTime,
            speedKmh: t.speedKmh,
            speedMph,
            overSpeedLimit,
            location,
            heading: t.heading,
            odometerKm: t.odometerKm,
            fuelLevelPct: t.fuelLevelPct,
            engine,
            battery: {
              stateOfChargePct: t.battery.stateOfChargePct,
              temperatureC: t.battery.temperatureC,
              voltageV: t.battery.voltageV,
              currentA: t.battery.currentA,
            },
            chargingState: t.chargingState,
            estimatedRangeKm: t.estimatedRangeKm,
            tyrePressuresKpa: t.tyrePressuresKpa && {
              frontLeft: t.tyrePressuresKpa.frontLeft,
              frontRight: t.tyrePressuresKpa.frontRight,
              rearLeft: t.tyrePressuresKpa.rearLeft,
              rearRight: t.tyrePressuresKpa.rearRight,
            },
            schemaVersion: 2,
            ingest,
          })
        : JSON.stringify({
            vehicleId: t.vehicleId,
            eventTime,
            speedKmh: t.speedKmh,
            speedMph,
            overSpeedLimit,
            location,
            heading: t.heading,
            odometerKm: t.odometerKm,
            fuelLevelPct: t.fuelLevelPct,
            engine,
            schemaVersion: 1,
            ingest,
          });
    if (offset + line.length * 3 + 1 > out.length) {
      const bigger = Buffer.allocUnsafeSlow(out.length * 2);
      out.copy(bigger, 0, 0, offset);
      out = bigger;
    }
    offset += out.write(line, offset, "utf8");
    out[offset++] = 0x0a;
  }
  return { bytes: out.subarray(0, offset) };
}
