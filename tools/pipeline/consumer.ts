/**
 * The built consumer under Lambda's runtime interface (a local Lambda) against a local AWS, as the
 * commands, the pipeline, the benchmark and the integration tests start it.
 */
import type { KinesisStreamBatchResponse } from "aws-lambda";
import { type InvokeResult, invokeFunction, lambdaClient } from "../lambda/invoke-api.ts";
import { type LocalLambda, type LocalLambdaOptions, startLocalLambda } from "../lambda/local-lambda.ts";
import { CONSUMER_FUNCTION, functionEnvVars, REGION } from "./emulator.ts";
import { type Invoke, lambdaInvoke } from "./event-source-mapping.ts";

/** A started consumer: its local Lambda, and two ways to invoke it. */
export interface Consumer {
  readonly lambda: LocalLambda;
  /** One invocation through Lambda's Invoke API. */
  readonly invoke: (event: unknown) => Promise<InvokeResult<KinesisStreamBatchResponse>>;
  /** The same, as the local event source mapping takes it. */
  readonly mapping: Invoke;
}

/**
 * Starts TelemetryConsumerFunction against the AWS at `endpoint` (moto, a fault proxy in front of it,
 * or the benchmark's stub) with the env-vars local/env.moto.json sets, quiet logs and uncompressed
 * records, and `options` and more `envVars` on top.
 */
export async function startConsumer(endpoint: string, options: Partial<LocalLambdaOptions> = {}): Promise<Consumer> {
  const lambda = await startLocalLambda({
    functionName: CONSUMER_FUNCTION,
    region: REGION,
    ...options,
    envVars: {
      ...functionEnvVars(endpoint, CONSUMER_FUNCTION),
      POWERTOOLS_LOG_LEVEL: "ERROR",
      DELIVERY_COMPRESSION: "none",
      ...options.envVars,
    },
  });
  const client = lambdaClient(lambda.endpoint, REGION);
  return {
    lambda,
    invoke: (event) => invokeFunction<KinesisStreamBatchResponse>(client, CONSUMER_FUNCTION, event),
    mapping: lambdaInvoke(client, CONSUMER_FUNCTION),
  };
}
