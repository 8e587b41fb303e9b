/**
 * Writes the sample events in events/ from a fixed seed. The small ones are committed; the
 * maximum-size one (close to Lambda's 6 MB payload) is generated on demand and ignored by git.
 *   node scripts/generate-events.ts          write all events
 *   node scripts/generate-events.ts --check  fail if a committed event differs from what is generated
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import {
  jsonBytes,
  kinesisEvent,
  kinesisRecord,
  kplAggregate,
  poisonRecords,
  seededRandom,
  telemetrySample,
} from "./lib/fixtures.ts";

const EVENTS_DIR = join(import.meta.dirname, "..", "events");
/** Lambda's invoke payload limit is 6 MB; the maximum-size event stays just under it. */
export const MAX_EVENT_BYTES = 6_000_000;

function validBatch(): KinesisStreamEvent {
  const random = seededRandom(1);
  const records: KinesisStreamRecord[] = [];
  for (let n = 0; n < 8; n++) {
    const vehicle = n % 3;
    const reading = telemetrySample(random, vehicle, n);
    if (n === 2) reading.timestamp = Date.parse(String(reading.timestamp));
    if (n === 5) reading.timestamp = "2026-11-21T09:00:05.120+01:00";
    records.push(kinesisRecord({ n, partitionKey: String(reading.vehicleId), data: jsonBytes(reading) }));
  }
  return kinesisEvent(records);
}

function mixedBatch(): KinesisStreamEvent {
  const random = seededRandom(2);
  const good = (n: number) => {
    const reading = telemetrySample(random, n, n);
    return { n, partitionKey: String(reading.vehicleId), data: jsonBytes(reading) };
  };
  const withUnknown = {
    ...telemetrySample(random, 9, 9),
    firmware: "4.2.1",
    engine: { rpm: 900, oilPressureKpa: 300 },
  };
  const inputs = [
    good(0),
    ...poisonRecords(1).slice(0, 3),
    good(4),
    ...poisonRecords(5).slice(3),
    { n: 8, partitionKey: "VIN-000009", data: jsonBytes(withUnknown) },
    good(9),
  ];
  return kinesisEvent(inputs.map((input, i) => kinesisRecord({ ...input, n: i })));
}

function kplAggregatedBatch(): KinesisStreamEvent {
  const random = seededRandom(3);
  const user = (vehicle: number, n: number) => {
    const reading = telemetrySample(random, vehicle, n);
    return { partitionKey: String(reading.vehicleId), data: jsonBytes(reading) };
  };
  const invalid = {
    partitionKey: "VIN-000007",
    data: jsonBytes({ vehicleId: "VIN-000007", speedKmh: -3 }),
  };
  return kinesisEvent([
    kinesisRecord({
      n: 0,
      partitionKey: "agg-0",
      data: kplAggregate([0, 1, 2, 3, 4].map((v) => user(v, 0))),
    }),
    kinesisRecord({ n: 1, ...user(5, 1) }),
    kinesisRecord({
      n: 2,
      partitionKey: "agg-2",
      data: kplAggregate([user(6, 2), invalid, user(8, 2)]),
    }),
  ]);
}

function poisonOnlyBatch(): KinesisStreamEvent {
  return kinesisEvent(poisonRecords(0).map(kinesisRecord));
}

/** About 6 MB: ~270-byte readings from 50 vehicles, a KPL aggregate every 100 records, a few poison records. */
export function maxSizeBatch(maxBytes = MAX_EVENT_BYTES): KinesisStreamEvent {
  const random = seededRandom(5);
  const records: KinesisStreamRecord[] = [];
  const poison = poisonRecords(0).filter((input) => input.partitionKey !== "VIN-LARGE");
  let bytes = JSON.stringify(kinesisEvent([])).length;
  for (let n = 0; ; n++) {
    let record: KinesisStreamRecord;
    if (n % 1000 === 500 && poison.length > 0) {
      record = kinesisRecord({ ...(poison.shift() as (typeof poison)[number]), n });
    } else if (n % 100 === 99) {
      const users = Array.from({ length: 10 }, (_, k) => {
        const reading = telemetrySample(random, (n + k) % 50, n);
        return { partitionKey: String(reading.vehicleId), data: jsonBytes(reading) };
      });
      record = kinesisRecord({ n, partitionKey: "aggregate", data: kplAggregate(users) });
    } else {
      const reading = telemetrySample(random, n % 50, n);
      record = kinesisRecord({
        n,
        partitionKey: String(reading.vehicleId),
        data: jsonBytes(reading),
      });
    }
    const size = JSON.stringify(record).length + 1;
    if (bytes + size > maxBytes || records.length === 10_000) break;
    records.push(record);
    bytes += size;
  }
  return kinesisEvent(records);
}

export const COMMITTED_EVENTS: Record<string, () => KinesisStreamEvent> = {
  "valid-batch.json": validBatch,
  "mixed-batch.json": mixedBatch,
  "kpl-aggregated-batch.json": kplAggregatedBatch,
  "poison-only-batch.json": poisonOnlyBatch,
};

function main(check: boolean): number {
  let drift = 0;
  for (const [name, build] of Object.entries(COMMITTED_EVENTS)) {
    const text = `${JSON.stringify(build(), null, 2)}\n`;
    const path = join(EVENTS_DIR, name);
    if (!check) writeFileSync(path, text);
    else if (readFileSync(path, "utf8") !== text) {
      console.error(`events/${name} differs from what scripts/generate-events.ts generates`);
      drift++;
    }
  }
  writeFileSync(join(EVENTS_DIR, "max-size-batch.json"), JSON.stringify(maxSizeBatch()));
  return drift === 0 ? 0 : 1;
}

if (import.meta.main) process.exitCode = main(process.argv.includes("--check"));
