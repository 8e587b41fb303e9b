/**
 * TelemetryConsumerFunction: a Kinesis batch in, telemetry lines out to Firehose, rejects to S3
 * quarantine, and the record Lambda must rewind to, if any.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { Context, KinesisStreamBatchResponse } from "aws-lambda";
import { createClients, runtimeBatchDeps } from "../../shared/aws.ts";
import { processBatch } from "../../shared/batch/index.ts";
import { loadConfig, loadEndpoints } from "../../shared/config.ts";
import { kinesisRecordsOf } from "../../shared/event.ts";
import { addBatchMetrics, logBatch } from "../../shared/observability.ts";
import { SAFETY_MARGIN_MS } from "../../shared/time.ts";

const deps = runtimeBatchDeps(loadConfig(process.env), createClients(loadEndpoints(process.env)));
const logger = new Logger();
const metrics = new Metrics();

export const handler = async (event: unknown, context: Context): Promise<KinesisStreamBatchResponse> => {
  const startedMs = performance.now();
  logger.addContext(context);
  metrics.captureColdStartMetric();
  try {
    const records = kinesisRecordsOf(event);
    const deadlineMs = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
    const { response, stats } = await processBatch(records, { deadlineMs, requestId: context.awsRequestId }, deps);
    addBatchMetrics(metrics, stats);
    logBatch(logger, stats, performance.now() - startedMs);
    return response;
  } catch (err) {
    // Rethrown: a failed invocation makes Lambda retry (and bisect) the batch, so nothing is lost.
    logger.error("batch failed", err as Error);
    throw err;
  } finally {
    metrics.publishStoredMetrics();
  }
};
