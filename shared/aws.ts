/** The AWS SDK clients, built once per process. */
import { FirehoseClient } from "@aws-sdk/client-firehose";
import { S3Client } from "@aws-sdk/client-s3";

/**
 * Builds the Firehose and S3 clients. Endpoints come from the SDK's own settings, so
 * `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT_URL_FIREHOSE` / `AWS_ENDPOINT_URL_S3`) points the same bundle
 * at a local emulator; S3 then uses path-style addressing, since `<bucket>.127.0.0.1` does not resolve.
 * Firehose gets one attempt per call because `deliverRecords` owns its retries (per entry, with a
 * deadline); S3 keeps the SDK's standard retries.
 */
export function createClients(env: Readonly<Record<string, string | undefined>>): {
  firehose: FirehoseClient;
  s3: S3Client;
} {
  const s3EndpointOverridden = Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
  return {
    firehose: new FirehoseClient({ maxAttempts: 1 }),
    s3: new S3Client({ forcePathStyle: s3EndpointOverridden }),
  };
}
