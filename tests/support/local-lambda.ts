/** The built consumer under Lambda's runtime interface (a local Lambda) against the tests' moto server. */
import type { KinesisStreamBatchResponse } from "aws-lambda";
import { type InvokeResult, invokeFunction, lambdaClient } from "../../tools/lambda/invoke-api.ts";
import { type LocalLambda, type LocalLambdaOptions, startLocalLambda } from "../../tools/lambda/local-lambda.ts";
import { CONSUMER_FUNCTION, functionEnvVars, REGION } from "../../tools/pipeline/emulator.ts";
import { type Invoke, lambdaInvoke } from "../../tools/pipeline/event-source-mapping.ts";

export interface Consumer {
  readonly lambda: LocalLambda;
  /** One invocation through Lambda's Invoke API. */
  readonly invoke: (event: unknown) => Promise<InvokeResult<KinesisStreamBatchResponse>>;
  /** The same, as the local event source mapping takes it. */
  readonly mapping: Invoke;
}

/**
 * Starts TelemetryConsumerFunction against moto at `endpoint` (the env-vars local/env.moto.json sets,
 * quiet logs, uncompressed records), with `options` and more `envVars` on top.
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
