import { describe, expect, it } from "vitest";
import type { BatchStats } from "../../../shared/batch/index.ts";
import { addBatchMetrics, logBatch } from "../../../shared/observability.ts";
import { countsByReason } from "../../support/batch.ts";

const stats: BatchStats = {
  shardId: "shardId-000000000000",
  firstSequenceNumber: "1",
  lastSequenceNumber: "9",
  received: 9,
  userRecords: 16,
  delivered: 9,
  quarantined: countsByReason({ AGGREGATE_CORRUPT: 1, JSON_INVALID: 2, SCHEMA_UNSUPPORTED: 4 }),
  failed: 0,
  retryFromSequenceNumber: undefined,
  retryRecords: 0,
  firehoseRecords: 1,
  firehoseCalls: 2,
  firehoseRetries: 1,
  firehoseFailedPuts: 1,
  deliveredBytes: 4_000,
  billedBytes: 5_120,
  unknownFieldsDropped: 3,
  overSpeedEvents: 2,
  maxArrivalLagMs: 750,
  quarantineKey: "quarantine/x.ndjson",
  failureReasons: [],
};

function recordingSink() {
  const metrics: [string, string, number, Record<string, string>][] = [];
  return {
    metrics,
    addMetric: (name: string, unit: string, value: number) => metrics.push([name, unit, value, {}]),
    singleMetric: () => {
      const dimensions: Record<string, string> = {};
      return {
        addDimension: (name: string, value: string) => (dimensions[name] = value),
        addMetric: (name: string, unit: string, value: number) => metrics.push([name, unit, value, dimensions]),
      };
    },
  };
}

describe("addBatchMetrics", () => {
  it("adds the batch counts, the quarantine total, and one quarantine metric per reason seen, with a Reason dimension", () => {
    const sink = recordingSink();

    addBatchMetrics(sink, stats);

    expect(sink.metrics).toEqual(
      expect.arrayContaining([
        ["RecordsReceived", "Count", 9, {}],
        ["UserRecords", "Count", 16, {}],
        ["RecordsDelivered", "Count", 9, {}],
        ["FirehoseRetries", "Count", 1, {}],
        ["FirehoseFailedPuts", "Count", 1, {}],
        ["BatchItemFailures", "Count", 0, {}],
        ["MaxArrivalLag", "Milliseconds", 750, {}],
        ["OverSpeedEvents", "Count", 2, {}],
        ["RecordsQuarantined", "Count", 1, { Reason: "AGGREGATE_CORRUPT" }],
        ["RecordsQuarantined", "Count", 2, { Reason: "JSON_INVALID" }],
      ]),
    );
    expect(sink.metrics.filter(([name]) => name === "RecordsQuarantined")).toEqual([
      ["RecordsQuarantined", "Count", 7, {}],
      ["RecordsQuarantined", "Count", 1, { Reason: "AGGREGATE_CORRUPT" }],
      ["RecordsQuarantined", "Count", 2, { Reason: "JSON_INVALID" }],
      ["RecordsQuarantined", "Count", 4, { Reason: "SCHEMA_UNSUPPORTED" }],
    ]);
    expect(sink.metrics.every(([, , , dims]) => !("vehicleId" in dims))).toBe(true);
  });
  it("adds every batch count under its own name and unit, in a fixed order, before the per-reason metrics", () => {
    const sink = recordingSink();

    addBatchMetrics(sink, { ...stats, failed: 5, retryFromSequenceNumber: "5", retryRecords: 4 });

    expect(sink.metrics.filter(([, , , dims]) => Object.keys(dims).length === 0)).toEqual([
      ["RecordsReceived", "Count", 9, {}],
      ["UserRecords", "Count", 16, {}],
      ["RecordsDelivered", "Count", 9, {}],
      ["RecordsFailed", "Count", 5, {}],
      ["BatchItemFailures", "Count", 1, {}],
      ["RecordsReportedForRetry", "Count", 4, {}],
      ["FirehoseCalls", "Count", 2, {}],
      ["FirehoseRetries", "Count", 1, {}],
      ["FirehoseFailedPuts", "Count", 1, {}],
      ["FirehoseBilledBytes", "Bytes", 5_120, {}],
      ["DeliveredBytes", "Bytes", 4_000, {}],
      ["OverSpeedEvents", "Count", 2, {}],
      ["UnknownFieldsDropped", "Count", 3, {}],
      ["MaxArrivalLag", "Milliseconds", 750, {}],
      ["RecordsQuarantined", "Count", 7, {}],
    ]);
  });

  it("adds no arrival-lag metric when the batch had no arrival time to measure", () => {
    const sink = recordingSink();

    addBatchMetrics(sink, { ...stats, maxArrivalLagMs: undefined });

    expect(sink.metrics.map(([name]) => name)).not.toContain("MaxArrivalLag");
  });

  it("adds a zero quarantine total and no per-reason metric for a batch without rejects", () => {
    const sink = recordingSink();
    const none = Object.fromEntries(Object.keys(stats.quarantined).map((r) => [r, 0])) as BatchStats["quarantined"];

    addBatchMetrics(sink, { ...stats, quarantined: none });

    expect(sink.metrics.filter(([name]) => name === "RecordsQuarantined")).toEqual([
      ["RecordsQuarantined", "Count", 0, {}],
    ]);
  });
});

describe("logBatch", () => {
  function recordingLogger() {
    const lines: [string, string, Record<string, unknown>][] = [];
    return {
      lines,
      info: (message: string, attributes: Record<string, unknown>) => lines.push(["INFO", message, attributes]),
      warn: (message: string, attributes: Record<string, unknown>) => lines.push(["WARN", message, attributes]),
    };
  }

  it("writes one INFO line with shard, sequence range, counts and duration", () => {
    const logger = recordingLogger();

    logBatch(logger, stats, 12.4);

    expect(logger.lines).toEqual([
      [
        "INFO",
        "batch processed",
        expect.objectContaining({
          shardId: "shardId-000000000000",
          firstSequenceNumber: "1",
          lastSequenceNumber: "9",
          received: 9,
          delivered: 9,
          durationMs: 12,
        }),
      ],
    ]);
  });

  it("leaves the failure causes out of the INFO line: they belong to the WARN line only", () => {
    const logger = recordingLogger();

    logBatch(logger, { ...stats, failureReasons: ["Firehose error"] }, 1);

    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]?.[2]).not.toHaveProperty("failureReasons");
  });

  it("adds a WARN line with the causes when records are reported for retry", () => {
    const logger = recordingLogger();

    logBatch(
      logger,
      {
        ...stats,
        retryFromSequenceNumber: "5",
        retryRecords: 4,
        failureReasons: ["Firehose error"],
      },
      1,
    );

    expect(logger.lines[1]).toEqual([
      "WARN",
      "records reported for retry",
      { retryFromSequenceNumber: "5", retryRecords: 4, failureReasons: ["Firehose error"] },
    ]);
  });
});
