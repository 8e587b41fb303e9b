/** The AWS SDK clients, built once per process. */
import { FirehoseClient } from "@aws-sdk/client-firehose";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Endpoints } from "./config.ts";
import type { ObjectWriter } from "./quarantine.ts";

/**
 * Builds the Firehose client and the quarantine's object writer, against the validated endpoint
 * overrides (`loadConfig`: `AWS_ENDPOINT_URL`, or `AWS_ENDPOINT_URL_FIREHOSE` / `AWS_ENDPOINT_URL_S3`)
 * so the same bundle runs against a local emulator; without one, AWS's own endpoints. Firehose gets
 * one attempt per call because `deliverRecords` owns its retries (per entry, with a deadline); S3
 * keeps the SDK's standard retries.
 */
export function createClients(endpoints: Endpoints): { firehose: FirehoseClient; objects: ObjectWriter } {
  return {
    firehose: new FirehoseClient({
      maxAttempts: 1,
      ...(endpoints.firehose === undefined ? {} : { endpoint: endpoints.firehose }),
    }),
    objects: s3ObjectWriter(() => createS3Client(endpoints.s3)),
  };
}

/** An S3 client; path-style with an endpoint override, since `<bucket>.127.0.0.1` does not resolve. */
export async function createS3Client(endpoint: string | undefined): Promise<S3Client> {
  const { S3Client } = await import("@aws-sdk/client-s3");
  return new S3Client(endpoint === undefined ? { forcePathStyle: false } : { endpoint, forcePathStyle: true });
}

/**
 * Writes objects with PutObject through the client `connect` gives, loading the S3 client on the
 * first write: only batches with rejects need it, and it is the largest part of cold init
 * (`npm run bench`, "cold init"). A failed load is retried on the next write.
 */
export function s3ObjectWriter(connect: () => S3Client | Promise<S3Client>): ObjectWriter {
  let ready:
    | Promise<{ client: S3Client; PutObjectCommand: typeof import("@aws-sdk/client-s3").PutObjectCommand }>
    | undefined;
  return {
    async putObject(input, options) {
      ready ??= Promise.all([connect(), import("@aws-sdk/client-s3")]).then(([client, s3]) => ({
        client,
        PutObjectCommand: s3.PutObjectCommand,
      }));
      const { client, PutObjectCommand } = await ready.catch((err: unknown) => {
        ready = undefined;
        throw err;
      });
      await client.send(new PutObjectCommand(input), options);
    },
  };
}
