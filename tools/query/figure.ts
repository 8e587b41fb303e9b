/**
 * The curated layer's figure (scripts/curated-figure.ts): a simulated day of a fleet delivered as
 * the raw layer (gzip NDJSON by arrival hour, with re-deliveries and readings arriving 6 hours
 * late), merged hour by hour into the curated layer as the schedule would, then each moved named
 * query run on both layers with DuckDB: the bytes each read, whether they agree, and what those
 * bytes per reading cost in Athena for a larger fleet.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import type { EnrichedTelemetry } from "../../shared/contract.ts";
import { enrich } from "../../shared/enrich.ts";
import { validateTelemetry } from "../../shared/validate.ts";
import { seededRandom, sequenceNumber } from "../fixtures/fixtures.ts";
import { deliveredPath } from "../pipeline/delivered.ts";
import { Fleet } from "../pipeline/fleet.ts";
import { buildCuratedLayer } from "./curate-local.ts";
import { openLocalCatalog } from "./duckdb.ts";
import { namedQueries, RAW_FORMS_DIR } from "./queries.ts";
import { sameAnswer } from "./report.ts";

const HOUR_MS = 3_600_000;
/** Firehose's buffer interval: one raw object per 5 minutes of arrivals. */
const BUFFER_MS = 300_000;

export interface FigureOptions {
  readonly dir: string;
  readonly vehicles: number;
  /** Seconds between two readings of a vehicle. */
  readonly intervalS: number;
  readonly hours: number;
  readonly seed: number;
  /** Share of readings that arrive 6 hours late (if that is still within the simulated period). */
  readonly lateShare: number;
  /** Share of readings delivered twice (a retried batch). */
  readonly redeliveredShare: number;
  readonly rowGroupRows?: number;
}

export interface QueryFigure {
  readonly name: string;
  /** How many days of readings its window takes (for the cost model): 1 for 24 hours, 7 for a week. */
  readonly windowDays: number;
  readonly rawBytes: number;
  readonly curatedBytes: number;
  readonly sameAnswer: boolean;
}

export interface Figure {
  readonly readings: number;
  readonly rawLines: number;
  readonly rawObjects: number;
  readonly rawBytes: number;
  readonly curatedRows: number;
  readonly curatedFiles: number;
  readonly curatedBytes: number;
  readonly hoursMerged: number;
  readonly queries: readonly QueryFigure[];
}

/** The days of readings each moved query reads (its window): latest position 24 hours, the others a week. */
const WINDOW_DAYS: Readonly<Record<string, number>> = {
  latest_position: 1,
  over_speed_per_vehicle_day: 7,
  distance_fuel_per_vehicle_day: 7,
};

/** Writes the simulated period's raw objects under `dir`; returns the readings and lines written. */
function simulateRaw(options: FigureOptions): {
  readings: number;
  lines: number;
  objects: number;
  bytes: number;
} {
  const random = seededRandom(options.seed);
  const fleet = new Fleet({ vehicles: options.vehicles, random, badFraction: 0 });
  const end = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  const start = end - options.hours * HOUR_MS;
  const buffers = new Map<number, string[]>();
  const deliver = (line: EnrichedTelemetry, arrivalMs: number) => {
    const window = Math.floor(arrivalMs / BUFFER_MS) * BUFFER_MS;
    const buffer = buffers.get(window) ?? [];
    buffers.set(window, buffer);
    buffer.push(JSON.stringify(line));
  };
  let readings = 0;
  let lines = 0;
  for (let t = start; t < end; t += options.intervalS * 1000) {
    for (const reading of fleet.tick(options.intervalS, t)) {
      const valid = validateTelemetry(JSON.parse(reading.data.toString()));
      if (!("telemetry" in valid)) throw new Error(`the fleet made an invalid reading: ${reading.data.toString()}`);
      const late = random() < options.lateShare && t + 6 * HOUR_MS < end;
      const arrivalMs = t + (late ? 6 * HOUR_MS : 40 + Math.floor(random() * 2_000));
      const line = enrich(
        valid,
        {
          recordId: `shardId-00000000000${readings % 4}:${sequenceNumber(readings)}`,
          partitionKey: reading.vehicleId,
          arrivalMs,
          arrivalTime: new Date(arrivalMs).toISOString(),
        },
        {
          processedAt: new Date(arrivalMs + 500).toISOString(),
          source: { account: "111122223333", stream: "vehicle-telemetry" },
          speedLimitKmh: 130,
        },
      );
      readings++;
      deliver(line, arrivalMs);
      lines++;
      if (random() < options.redeliveredShare) {
        deliver(
          { ...line, ingest: { ...line.ingest, processedAt: new Date(arrivalMs + 30_500).toISOString() } },
          arrivalMs + 30_000,
        );
        lines++;
      }
    }
  }
  rmSync(join(options.dir, "data"), { recursive: true, force: true });
  let bytes = 0;
  for (const [window, text] of buffers) {
    const path = deliveredPath(options.dir, new Date(window), `telemetry-delivery-${window}`);
    mkdirSync(dirname(path), { recursive: true });
    const body = gzipSync(`${text.join("\n")}\n`);
    writeFileSync(path, body);
    bytes += body.length;
  }
  return { readings, lines, objects: buffers.size, bytes };
}

/**
 * Simulates the period, curates it hour by hour, runs each moved named query on both layers.
 * Throws as `openLocalCuration` and `openLocalCatalog` do.
 */
export async function measureFigure(
  options: FigureOptions,
  onProgress: (text: string) => void = () => {},
): Promise<Figure> {
  onProgress(`simulating ${options.vehicles} vehicles, a reading every ${options.intervalS} s for ${options.hours} h`);
  const raw = simulateRaw(options);
  const curatedDir = join(options.dir, "curated");
  const layer = await buildCuratedLayer(options.dir, curatedDir, {
    rowGroupRows: options.rowGroupRows,
    onHour: ({ hour, reconciliation }, index, hours) => {
      if (reconciliation.missing + reconciliation.duplicated > 0)
        throw new Error(
          `arrival hour ${new Date(hour).toISOString()} does not reconcile: ${JSON.stringify(reconciliation)}`,
        );
      onProgress(`merged arrival hour ${index + 1}/${hours}`);
    },
  });
  const catalog = await openLocalCatalog(options.dir, { curatedDir });
  const queries: QueryFigure[] = [];
  try {
    for (const { name } of namedQueries(RAW_FORMS_DIR)) {
      onProgress(`querying ${name} on both layers`);
      const onRaw = await catalog.runRawForm(name);
      const onCurated = await catalog.runNamed(name);
      if (onRaw.bytesRead === undefined || onCurated.bytesRead === undefined)
        throw new Error("bytes read are measured from /proc/self/io, which this platform does not have");
      queries.push({
        name,
        windowDays: WINDOW_DAYS[name] ?? 1,
        rawBytes: onRaw.bytesRead,
        curatedBytes: onCurated.bytesRead,
        sameAnswer: sameAnswer(onCurated, onRaw),
      });
    }
  } finally {
    catalog.close();
  }
  return {
    readings: raw.readings,
    rawLines: raw.lines,
    rawObjects: raw.objects,
    rawBytes: raw.bytes,
    curatedRows: layer.rows,
    curatedFiles: layer.files,
    curatedBytes: layer.bytes,
    hoursMerged: layer.hours.length,
    queries,
  };
}

/** Athena's price per TB scanned (us-east-1 and most regions) and its 10 MB minimum per query. */
const ATHENA_USD_PER_TB = 5;
const ATHENA_MIN_BYTES = 10 * 1024 * 1024;

export interface CostLine {
  readonly name: string;
  readonly rawBytes: number;
  readonly curatedBytes: number;
  readonly rawUsd: number;
  readonly curatedUsd: number;
}

/**
 * Athena's bill for each query on a fleet of `vehicles` reading every `intervalS` seconds: the
 * measured bytes per reading times the readings in the query's window, at $5 per TB (10 MB minimum).
 */
export function costModel(figure: Figure, vehicles = 10_000, intervalS = 1): CostLine[] {
  const perDay = (vehicles * 86_400) / intervalS;
  const usd = (bytes: number) => (Math.max(bytes, ATHENA_MIN_BYTES) / 1e12) * ATHENA_USD_PER_TB;
  return figure.queries.map((q) => {
    const readings = perDay * q.windowDays;
    const rawBytes = (q.rawBytes / figure.readings) * readings;
    const curatedBytes = (q.curatedBytes / figure.readings) * readings;
    return { name: q.name, rawBytes, curatedBytes, rawUsd: usd(rawBytes), curatedUsd: usd(curatedBytes) };
  });
}
