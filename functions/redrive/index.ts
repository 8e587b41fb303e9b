/**
 * RedriveFunction: one bounded chunk of a redrive per invocation (shared/redrive/). The event is
 * the request (`source`, `bucket`, filters, `dryRun`, `force`, bounds) plus the `continuation` the
 * previous chunk returned; the result is the chunk's summary and the continuation, absent when done.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { createClients, runtimeBatchDeps } from "../../shared/aws.ts";
import { loadConfig, loadEndpoints, loadKinesisEndpoint, loadStreamReadRole } from "../../shared/config.ts";
import {
  createKinesisClient,
  kinesisStreamReader,
  parseRedriveRequest,
  type RedriveSummary,
  redriveChunk,
  s3ObjectStore,
} from "../../shared/redrive/index.ts";
import { SAFETY_MARGIN_MS } from "../../shared/time.ts";

const kinesisEndpoint = loadKinesisEndpoint(process.env);
const streamReadRole = loadStreamReadRole(process.env);
const clients = createClients(loadEndpoints(process.env));
// The source bucket is read on the same S3 client the quarantine writes with.
const deps = { ...runtimeBatchDeps(loadConfig(process.env), clients), store: s3ObjectStore(clients.s3) };
const logger = new Logger();
// Made on the first on-failure chunk: the AssumeRole and the client outlive one invocation.
let stream: ReturnType<typeof kinesisStreamReader> | undefined;

export interface RedriveResult {
  readonly summary: RedriveSummary;
  /** Pass it back as `continuation` to go on; absent when the source is done. */
  readonly continuation?: string;
  readonly done: boolean;
}

export const handler = async (event: unknown, context: Context): Promise<RedriveResult> => {
  logger.addContext(context);
  // A bad request is the caller's mistake: thrown, so `sam remote invoke` shows the message.
  const request = parseRedriveRequest(event, deps.config.quarantinePrefix);
  const continuation = (event as { continuation?: unknown }).continuation;
  if (continuation !== undefined && typeof continuation !== "string")
    throw new TypeError("continuation must be a string");
  if (request.source === "on-failure" && stream === undefined) {
    stream = kinesisStreamReader(
      await createKinesisClient({
        // Stryker disable next-line ObjectLiteral: without a region the SDK's default provider reads the same AWS_REGION
        ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}),
        ...(kinesisEndpoint ? { endpoint: kinesisEndpoint } : {}),
        ...(streamReadRole ? { roleArn: streamReadRole } : {}),
      }),
    );
  }
  const deadlineMs = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
  const { summary, continuation: next } = await redriveChunk(
    request,
    continuation,
    stream ? { ...deps, stream } : deps,
    deadlineMs,
    context.awsRequestId,
  );
  logger.info("redrive chunk", {
    request,
    summary: { ...summary, malformed: summary.malformed.length },
    done: next === undefined,
  });
  for (const m of summary.malformed) logger.warn("malformed redrive source", { ...m });
  return { summary, ...(next === undefined ? {} : { continuation: next }), done: next === undefined };
};
