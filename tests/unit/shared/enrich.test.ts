import { describe, expect, it } from "vitest";
import {
  type BatchInfo,
  enrich,
  type IngestInfo,
  parseStreamArn,
  type RedriveInfo,
  recordIdOf,
  shardIdOf,
} from "../../../shared/enrich.ts";
import { Rejection } from "../../../shared/rejection.ts";
import { validateTelemetry } from "../../../shared/validate.ts";
import { enrichedV2Validator, enrichedValidator } from "../../support/contract.ts";

const batch: BatchInfo = {
  processedAt: "2026-11-21T08:00:05.000Z",
  source: { account: "111122223333", stream: "vehicle-telemetry" },
  speedLimitKmh: 130,
};
const ingest: IngestInfo = {
  recordId: "shardId-000000000001:4959:2",
  partitionKey: "VIN-000001",
  arrivalMs: Date.parse("2026-11-21T08:00:01.250Z"),
  arrivalTime: "2026-11-21T08:00:01.250Z",
};

function enriched(input: Record<string, unknown>, info: BatchInfo = batch) {
  const valid = validateTelemetry(input);
  if (valid instanceof Rejection) throw new Error(JSON.stringify(valid));
  return enrich(valid, ingest, info);
}

describe("enrich", () => {
  it("normalises the event time to ISO UTC with milliseconds and adds the ingest block", () => {
    const output = enriched({
      vehicleId: "VIN-000001",
      timestamp: "2026-11-21T09:00:00+01:00",
      speedKmh: 100,
    });

    expect(output).toMatchObject({
      vehicleId: "VIN-000001",
      eventTime: "2026-11-21T08:00:00.000Z",
      speedKmh: 100,
      speedMph: 62.14,
      overSpeedLimit: false,
      schemaVersion: 1,
      ingest: {
        recordId: "shardId-000000000001:4959:2",
        partitionKey: "VIN-000001",
        arrivalTime: "2026-11-21T08:00:01.250Z",
        processedAt: "2026-11-21T08:00:05.000Z",
        arrivalLagMs: 1250,
        sourceAccount: "111122223333",
        sourceStream: "vehicle-telemetry",
      },
    });
    expect(enrichedValidator.Check(JSON.parse(JSON.stringify(output)))).toBe(true);
  });

  it("flags speeds strictly above the configured limit", () => {
    const at = enriched({ vehicleId: "V", timestamp: 0, speedKmh: 90 }, { ...batch, speedLimitKmh: 90 });
    const above = enriched({ vehicleId: "V", timestamp: 0, speedKmh: 90.1 }, { ...batch, speedLimitKmh: 90 });
    expect([at.overSpeedLimit, above.overSpeedLimit]).toEqual([false, true]);
  });

  it("drops unknown fields at every level", () => {
    const output = enriched({
      vehicleId: "V",
      timestamp: 0,
      speedKmh: 1,
      firmware: "x",
      location: { lat: 1, lon: 2, alt: 3 },
      engine: { rpm: 800, oilPressureKpa: 300 },
    });
    const line = JSON.parse(JSON.stringify(output));
    expect(line.firmware).toBeUndefined();
    expect(line.location).toEqual({ lat: 1, lon: 2 });
    expect(line.engine).toEqual({ rpm: 800 });
    expect(enrichedValidator.Check(line)).toBe(true);
  });

  it("reports a negative arrival lag when the vehicle clock runs ahead", () => {
    const output = enriched({ vehicleId: "V", timestamp: "2026-11-21T08:00:02.000Z", speedKmh: 1 });
    expect(output.ingest.arrivalLagMs).toBe(-750);
  });

  it("adds ingest.redrive, after the fixed fields, to a redriven record only; an ordinary line has no such key", () => {
    const valid = validateTelemetry({ vehicleId: "V", timestamp: 0, speedKmh: 1 });
    if (valid instanceof Rejection) throw new Error(JSON.stringify(valid));
    const redrive: RedriveInfo = {
      source: "quarantine",
      object: "s3://q/k.ndjson",
      line: 3,
      at: batch.processedAt,
      attempt: 1,
    };

    const ordinary = enrich(valid, ingest, batch).ingest;
    const redriven = enrich(valid, { ...ingest, redrive }, batch).ingest;

    expect(Object.keys(ordinary)).not.toContain("redrive");
    expect(Object.keys(redriven)).toEqual([...Object.keys(ordinary), "redrive"]);
    expect(redriven.redrive).toEqual(redrive);
  });
});

describe("record identity", () => {
  it("builds recordId from shard, sequence and, for aggregates, sub-sequence number", () => {
    expect(recordIdOf("shardId-000000000003", "4959", undefined)).toBe("shardId-000000000003:4959");
    expect(recordIdOf("shardId-000000000003", "4959", 0)).toBe("shardId-000000000003:4959:0");
  });

  it("takes the shard id from Lambda's eventID", () => {
    expect(shardIdOf("shardId-000000000006:49590338271490256608559692538361571095921575989136588898")).toBe(
      "shardId-000000000006",
    );
  });

  it("reads account and stream from the event source ARN, and marks a malformed one unknown", () => {
    expect(parseStreamArn("arn:aws:kinesis:eu-west-1:111122223333:stream/vehicle-telemetry")).toEqual({
      account: "111122223333",
      stream: "vehicle-telemetry",
    });
    expect(parseStreamArn("not-an-arn")).toEqual({ account: "unknown", stream: "unknown" });
  });

  it.each([
    ["the stream's ARN", "arn:aws:kinesis:eu-west-1:111122223333:stream/vehicle-telemetry"],
    [
      "an enhanced fan-out consumer's ARN",
      "arn:aws:kinesis:eu-west-1:111122223333:stream/vehicle-telemetry/consumer/telemetry-consumer:1763712000",
    ],
    [
      "a consumer's ARN in another partition",
      "arn:aws-cn:kinesis:cn-north-1:111122223333:stream/vehicle-telemetry/consumer/c:1",
    ],
  ])("takes the stream's name from %s", (_, arn) => {
    expect(parseStreamArn(arn)).toEqual({ account: "111122223333", stream: "vehicle-telemetry" });
  });

  it.each([
    "arn:aws:kinesis:eu-west-1:111122223333:stream/",
    "arn:aws:kinesis:eu-west-1:111122223333:stream//consumer/c:1",
  ])("marks an ARN without a stream name unknown (%s)", (arn) => {
    expect(parseStreamArn(arn).stream).toBe("unknown");
  });
});

describe("enrich, telemetry v2", () => {
  const v2 = {
    vehicleId: "VIN-000002",
    timestamp: "2026-11-21T09:00:00+01:00",
    speedKmh: 100,
    location: { lat: 48.85, lon: 2.35, altM: 35 },
    battery: { currentA: -120.5, stateOfChargePct: 64.5, temperatureC: 25, cellCount: 96 },
    chargingState: "DC_FAST_CHARGING",
    tyrePressuresKpa: { rearRight: 250, rearLeft: 250, frontRight: 240, frontLeft: 0, spare: 420 },
    firmware: "2.0",
    schemaVersion: 2,
  };

  it("flags a v2 speed strictly above the configured limit, not one at it", () => {
    expect(enriched({ ...v2, speedKmh: 130 }).overSpeedLimit).toBe(false);
    expect(enriched({ ...v2, speedKmh: 130.5 }).overSpeedLimit).toBe(true);
  });

  it("writes v1's fields in v1's order, then the EV fields, normalised, unknown ones dropped, and schemaVersion 2", () => {
    const line = JSON.stringify(enriched(v2));

    expect(line).toBe(
      JSON.stringify({
        vehicleId: "VIN-000002",
        eventTime: "2026-11-21T08:00:00.000Z",
        speedKmh: 100,
        speedMph: 62.14,
        overSpeedLimit: false,
        location: { lat: 48.85, lon: 2.35 },
        battery: { stateOfChargePct: 64.5, temperatureC: 25, currentA: -120.5 },
        chargingState: "DC_FAST_CHARGING",
        tyrePressuresKpa: { frontLeft: 0, frontRight: 240, rearLeft: 250, rearRight: 250 },
        schemaVersion: 2,
        ingest: {
          recordId: "shardId-000000000001:4959:2",
          partitionKey: "VIN-000001",
          arrivalTime: "2026-11-21T08:00:01.250Z",
          processedAt: "2026-11-21T08:00:05.000Z",
          arrivalLagMs: 1250,
          sourceAccount: "111122223333",
          sourceStream: "vehicle-telemetry",
        },
      }),
    );
    expect(enrichedV2Validator.Check(JSON.parse(line))).toBe(true);
    expect(enrichedValidator.Check(JSON.parse(line))).toBe(false);
  });

  it("keeps every optional v2 field a record carries", () => {
    const line = JSON.parse(
      JSON.stringify(
        enriched({
          ...v2,
          battery: { stateOfChargePct: 0, temperatureC: -40, voltageV: 1_000, currentA: 1_500 },
          estimatedRangeKm: 2_000,
          fuelLevelPct: 12,
          engine: { rpm: 1_200, coolantTempC: 80 },
        }),
      ),
    );
    expect(line).toMatchObject({
      fuelLevelPct: 12,
      engine: { rpm: 1_200, coolantTempC: 80 },
      battery: { stateOfChargePct: 0, temperatureC: -40, voltageV: 1_000, currentA: 1_500 },
      estimatedRangeKm: 2_000,
      schemaVersion: 2,
    });
    expect(enrichedV2Validator.Check(line)).toBe(true);
  });

  it("writes a v1 line with schemaVersion 1 and none of the EV fields a v1 record happens to carry", () => {
    const { schemaVersion: _, ...unversioned } = v2;
    const line = JSON.parse(JSON.stringify(enriched(unversioned)));
    expect(line.schemaVersion).toBe(1);
    expect(line.battery).toBeUndefined();
    expect(enrichedValidator.Check(line)).toBe(true);
  });
});

describe("record identity, edges", () => {
  it("takes an eventID without a colon whole as the shard id", () => {
    expect(shardIdOf("shardId-000000000007")).toBe("shardId-000000000007");
  });

  it.each([
    ["another service's ARN, even with an account", "arn:aws:dynamodb:eu-west-1:111122223333:stream/x", "unknown", "x"],
    [
      "a Kinesis ARN of a resource that is no stream",
      "arn:aws:kinesis:eu-west-1:111122223333:table/telemetry",
      "111122223333",
      "unknown",
    ],
  ])("marks unknown what %s does not say", (_, arn, account, stream) => {
    expect(parseStreamArn(arn)).toEqual({ account, stream });
  });
});
