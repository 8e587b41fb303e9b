/**
 * Deterministic Kinesis events for the sample events, tests and benchmarks: records in exactly the
 * shape Lambda delivers (and `sam local generate-event kinesis get-records` prints), telemetry
 * samples from a seeded generator, and KPL aggregates built with awslabs' aggregator.
 */

import { RecordAggregator } from "aws-kinesis-agg/lib/kpl-agg.js";
import type { KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";

export const SAMPLE_REGION = "eu-west-1";
export const SAMPLE_PRODUCER_ACCOUNT = "111122223333";
export const SAMPLE_STREAM = "vehicle-telemetry";
export const SAMPLE_STREAM_ARN = `arn:aws:kinesis:${SAMPLE_REGION}:${SAMPLE_PRODUCER_ACCOUNT}:stream/${SAMPLE_STREAM}`;
const INVOKE_ROLE_ARN = "arn:aws:iam::444455556666:role/telemetry-consumer-role";
const SEQUENCE_BASE = 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_898n;
/** 2026-11-21T08:00:00Z, in seconds: the arrival time of the first sample record. */
const ARRIVAL_BASE_S = 1_795_248_000;

/** A small, seedable PRNG (mulberry32): the same seed gives the same events on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The sequence number of the n-th sample record of a shard: 56 digits, increasing. */
export function sequenceNumber(n: number): string {
  return (SEQUENCE_BASE + BigInt(n) * 1_000n).toString();
}

/** A plausible telemetry v1 reading (about 270 bytes of JSON) for vehicle `vehicle`, reading `n`. */
export function telemetrySample(random: () => number, vehicle: number, n: number): Record<string, unknown> {
  const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
  return {
    vehicleId: `VIN-${String(vehicle).padStart(6, "0")}`,
    timestamp: new Date((ARRIVAL_BASE_S + n) * 1000 - 250 - Math.floor(random() * 500)).toISOString(),
    speedKmh: round(random() * 160, 1),
    location: { lat: round(48 + random() * 4, 6), lon: round(2 + random() * 6, 6) },
    heading: round(random() * 359.9, 1),
    odometerKm: round(10_000 + vehicle * 100 + n * 0.02, 2),
    fuelLevelPct: round(5 + random() * 95, 1),
    engine: { rpm: Math.floor(700 + random() * 4000), coolantTempC: round(70 + random() * 30, 1) },
    schemaVersion: 1,
  };
}

export interface SampleRecordInput {
  /** The record's bytes, or a raw string to put in `data` unchanged (for invalid base64). */
  readonly data: Buffer | { readonly rawBase64: string };
  readonly partitionKey: string;
  readonly n: number;
  readonly shardId?: string;
}

/** One Kinesis record in Lambda's event shape. */
export function kinesisRecord(input: SampleRecordInput): KinesisStreamRecord {
  const shardId = input.shardId ?? "shardId-000000000000";
  const seq = sequenceNumber(input.n);
  return {
    kinesis: {
      kinesisSchemaVersion: "1.0",
      partitionKey: input.partitionKey,
      sequenceNumber: seq,
      data: Buffer.isBuffer(input.data) ? input.data.toString("base64") : input.data.rawBase64,
      approximateArrivalTimestamp: ARRIVAL_BASE_S + input.n + 0.125,
    },
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `${shardId}:${seq}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn: INVOKE_ROLE_ARN,
    awsRegion: SAMPLE_REGION,
    eventSourceARN: SAMPLE_STREAM_ARN,
  };
}

export function kinesisEvent(records: KinesisStreamRecord[]): KinesisStreamEvent {
  return { Records: records };
}

/** Encodes user records as one KPL aggregate (magic, protobuf, MD5) with awslabs' aggregator. */
export function kplAggregate(userRecords: readonly { partitionKey: string; data: Buffer }[]): Buffer {
  const aggregator = new RecordAggregator();
  for (const record of userRecords) aggregator.addUserRecord({ partitionKey: record.partitionKey, data: record.data });
  const built = aggregator.build();
  if (!built) throw new RangeError("kplAggregate needs at least one user record");
  return built.data;
}

/** The JSON bytes of a value. */
export function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), "utf8");
}

/** One bad record of each rejection reason, as record inputs numbered from `n`. */
export function poisonRecords(n: number): SampleRecordInput[] {
  const valid = Buffer.from(JSON.stringify({ vehicleId: "VIN-POISON", timestamp: 0, speedKmh: 1 }));
  const corruptAggregate = kplAggregate([{ partitionKey: "VIN-POISON", data: valid }]);
  corruptAggregate[corruptAggregate.length - 1] = (corruptAggregate.at(-1) ?? 0) ^ 0xff;
  return [
    { n, partitionKey: "VIN-BASE64", data: { rawBase64: "not*base64!" } },
    { n: n + 1, partitionKey: "VIN-AGG", data: corruptAggregate },
    {
      n: n + 2,
      partitionKey: "VIN-LARGE",
      data: jsonBytes({
        vehicleId: "VIN-LARGE",
        timestamp: 0,
        speedKmh: 1,
        note: "x".repeat(70_000),
      }),
    },
    { n: n + 3, partitionKey: "VIN-UTF8", data: Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]) },
    {
      n: n + 4,
      partitionKey: "VIN-JSON",
      data: Buffer.from('{"vehicleId": "VIN-JSON", "speedKmh": 12', "utf8"),
    },
    {
      n: n + 5,
      partitionKey: "VIN-SCHEMA",
      data: jsonBytes({ vehicleId: "VIN SCHEMA!", timestamp: "yesterday", speedKmh: 512 }),
    },
  ];
}
