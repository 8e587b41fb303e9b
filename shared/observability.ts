/** The one log line and the metrics of a batch (Powertools Logger and EMF Metrics). */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { BatchStats } from "./batch/index.ts";
import { REJECTION_REASONS } from "./rejection.ts";

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/** The part of Powertools `Metrics` used here. */
export interface MetricsSink {
  addMetric(name: string, unit: Unit, value: number): unknown;
  singleMetric(): {
    addDimension(name: string, value: string): unknown;
    addMetric(name: string, unit: Unit, value: number): unknown;
  };
}

/** The part of Powertools `Logger` used here. */
export interface BatchLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
}

/**
 * Adds the batch's metrics: counts, Firehose behaviour, lag and over-speed events, and
 * `RecordsQuarantined` in total and per reason (dimension `Reason`). No per-vehicle dimension.
 */
export function addBatchMetrics(metrics: MetricsSink, stats: BatchStats): void {
  const { Count, Bytes, Milliseconds } = MetricUnit;
  metrics.addMetric("RecordsReceived", Count, stats.received);
  metrics.addMetric("UserRecords", Count, stats.userRecords);
  metrics.addMetric("RecordsDelivered", Count, stats.delivered);
  metrics.addMetric("RecordsFailed", Count, stats.failed);
  metrics.addMetric("BatchItemFailures", Count, stats.retryFromSequenceNumber === undefined ? 0 : 1);
  metrics.addMetric("RecordsReportedForRetry", Count, stats.retryRecords);
  metrics.addMetric("FirehoseCalls", Count, stats.firehoseCalls);
  metrics.addMetric("FirehoseRetries", Count, stats.firehoseRetries);
  metrics.addMetric("FirehoseFailedPuts", Count, stats.firehoseFailedPuts);
  metrics.addMetric("FirehoseBilledBytes", Bytes, stats.billedBytes);
  metrics.addMetric("DeliveredBytes", Bytes, stats.deliveredBytes);
  metrics.addMetric("OverSpeedEvents", Count, stats.overSpeedEvents);
  metrics.addMetric("UnknownFieldsDropped", Count, stats.unknownFieldsDropped);
  if (stats.maxArrivalLagMs !== undefined) metrics.addMetric("MaxArrivalLag", Milliseconds, stats.maxArrivalLagMs);
  let quarantined = 0;
  for (const reason of REJECTION_REASONS) quarantined += stats.quarantined[reason];
  // The total (dimension service only) feeds the quarantine-rate alarm; by reason, below, the dashboard.
  metrics.addMetric("RecordsQuarantined", Count, quarantined);
  for (const reason of REJECTION_REASONS) {
    const count = stats.quarantined[reason];
    if (count === 0) continue;
    const metric = metrics.singleMetric();
    metric.addDimension("Reason", reason);
    metric.addMetric("RecordsQuarantined", Count, count);
  }
}

/** Writes the batch's one INFO line, and a WARN line naming the causes when records go back to Lambda. */
export function logBatch(logger: BatchLogger, stats: BatchStats, durationMs: number): void {
  const { failureReasons, ...counts } = stats;
  logger.info("batch processed", { ...counts, durationMs: Math.round(durationMs) });
  if (stats.retryFromSequenceNumber !== undefined) {
    logger.warn("records reported for retry", {
      retryFromSequenceNumber: stats.retryFromSequenceNumber,
      retryRecords: stats.retryRecords,
      failureReasons,
    });
  }
}
