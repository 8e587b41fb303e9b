/**
 * The benchmark's same-output floor: the least work any implementation must do to produce our
 * output lines. For each Kinesis record: base64 decode, `JSON.parse`, build the enriched object
 * (the same fields, in the same order, with the same values as our line), `JSON.stringify`, and
 * UTF-8 encode it into one output buffer. It validates nothing, de-aggregates nothing (KPL
 * aggregates and records that are not JSON objects are skipped), quarantines nothing, sends
 * nothing (records whose line cannot be built are skipped). tests/integration/same-output-floor.test.ts
 * checks its lines byte for byte against the built bundle's.
 *
 * `sameOutputSendFloor` adds what any sender of those lines must do: the PutRecordBatch requests,
 * built, serialised and signed by the SDK's Firehose client. Ours ÷ that floor is our overhead over
 * producing and sending the output itself; `sameOutputFloor` alone (lines only, the old floor) is
 * kept beside it for comparison.
 *
 * The fields and their order are the output schemas' (EnrichedTelemetryV1, EnrichedTelemetryV2 of
 * shared/contract.ts), read once, when this module loads: a field the contract adds reaches the
 * floor's lines without an edit here.
 */
import { type FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import type { KinesisStreamEvent } from "aws-lambda";
import type { TObject, TSchema } from "typebox";
import { EnrichedTelemetryV1, EnrichedTelemetryV2, type Telemetry } from "../../shared/contract.ts";
import { FIREHOSE_LIMITS } from "../../shared/firehose/index.ts";

const KM_PER_MILE = 1.609344;

/** What the floor computes for a line, by output field; every other field is copied from the reading. */
interface Computed {
  readonly eventTime: string;
  readonly speedMph: number;
  readonly overSpeedLimit: boolean;
  readonly ingest: object;
}
const COMPUTED: readonly (keyof Computed)[] = ["eventTime", "speedMph", "overSpeedLimit", "ingest"];

/** Serialises one line of a version: the reading's fields and the computed ones, as one object. */
type Line = (
  t: Telemetry,
  eventTime: string,
  speedMph: number,
  overSpeedLimit: boolean,
  ingest: Computed["ingest"],
) => string;

/**
 * The line of one output schema, compiled once: a function whose body is a single object literal
 * with the schema's fields in the schema's order (a nested object copied field by field, by its own
 * schema; an optional one only when present), as ours builds its lines, so each line has one shape
 * and the floor does no per-record work to follow the schema (a loop over its fields would).
 */
function compileLine(schema: TObject): Line {
  const copy = (source: string, property: TSchema, required: boolean): string => {
    const nested = (property as Partial<TObject>).properties;
    if (nested === undefined) return source;
    const fields = Object.entries(nested).map(
      ([key, inner]) => `${JSON.stringify(key)}: ${copy(`${source}[${JSON.stringify(key)}]`, inner, true)}`,
    );
    return `${required ? "" : `${source} && `}{ ${fields.join(", ")} }`;
  };
  const fields = Object.entries(schema.properties).map(([key, property]) => {
    const value =
      key === "schemaVersion"
        ? JSON.stringify((property as { const: number }).const)
        : (COMPUTED as readonly string[]).includes(key)
          ? key
          : copy(`t[${JSON.stringify(key)}]`, property, schema.required?.includes(key) ?? false);
    return `${JSON.stringify(key)}: ${value}`;
  });
  // A generated function, as TypeBox compiles the contract's validators: the literal is the schema's.
  return new Function("t", ...COMPUTED, `return JSON.stringify({ ${fields.join(", ")} });`) as Line;
}

const LINE_V1 = compileLine(EnrichedTelemetryV1);
const LINE_V2 = compileLine(EnrichedTelemetryV2);

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
    let t: Telemetry;
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
    // One literal per version (compiled at load), as ours builds them: each line has one shape, nothing is copied.
    const line = (t.schemaVersion === 2 ? LINE_V2 : LINE_V1)(t, eventTime, speedMph, overSpeedLimit, ingest);
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

/**
 * The same-output floor, then the requests any sender of its lines must make: the lines cut, at line
 * boundaries, into Firehose records of at most 1,000 KiB, the records grouped into PutRecordBatch
 * calls of at most 500 records and 4,000,000 bytes, each built, serialised (the records' base64 in
 * the JSON body) and signed (SigV4, the payload hashed) by `client`, and sent (in the benchmark, to
 * AWS answering in-process). It packs nothing tighter and retries nothing. Resolves with the calls made.
 */
export async function sameOutputSendFloor(
  event: KinesisStreamEvent,
  options: FloorOptions,
  client: FirehoseClient,
  deliveryStreamName: string,
): Promise<number> {
  const { bytes } = sameOutputFloor(event, options);
  let calls = 0;
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  const send = async () => {
    await client.send(
      new PutRecordBatchCommand({ DeliveryStreamName: deliveryStreamName, Records: batch.map((Data) => ({ Data })) }),
    );
    calls++;
    batch = [];
    batchBytes = 0;
  };
  for (let start = 0; start < bytes.length; ) {
    const limit = Math.min(start + FIREHOSE_LIMITS.recordBytes, bytes.length);
    // After the last whole line that fits (a line longer than a record, which ours would reject, is cut).
    const cut = bytes.lastIndexOf(0x0a, limit - 1) + 1;
    const end = limit === bytes.length || cut <= start ? limit : cut;
    const record = bytes.subarray(start, end);
    if (batch.length === FIREHOSE_LIMITS.batchRecords || batchBytes + record.length > FIREHOSE_LIMITS.batchBytes)
      await send();
    batch.push(record);
    batchBytes += record.length;
    start = end;
  }
  if (batch.length > 0) await send();
  return calls;
}
