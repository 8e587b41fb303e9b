import { describe, expect, it } from "vitest";
import type { BatchStats } from "../../shared/batch.ts";
import { addBatchMetrics, logBatch } from "../../shared/observability.ts";

const stats: BatchStats = {
  shardId: "shardId-000000000000",
  firstSequenceNumber: "1",
  lastSequenceNumber: "9",
  received: 9,
  userRecords: 16,
  delivered: 9,
  quarantined: {
    BASE64_INVALID: 0,
    AGGREGATE_CORRUPT: 1,
    TOO_LARGE: 0,
    UTF8_INVALID: 0,
    JSON_INVALID: 2,
    SCHEMA_UNSUPPORTED: 4,
    SCHEMA_INVALID: 0,
    AGGREGATE_REJECTED: 0,
  },
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
