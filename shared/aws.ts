/**
 * The AWS SDK clients, built once per process.
 *
 * How the function finds the SDK: every `@aws-sdk/*` package is left out of the bundle
 * (template.yaml, `External`) and taken from the one the `nodejs24.x` runtime includes, under
 * `/var/runtime/node_modules`, a folder of the `NODE_PATH` Lambda sets. The bundle is CommonJS and
 * loads every one of them with `require`: a static import becomes a `require` at the top of
 * `index.js` (Firehose, Kinesis: loaded at init), and a lazy `import()` (S3, STS: needed only
 * by some) becomes a `require` on first use, by the build's `Supported: dynamic-import=false`. So one
 * documented rule finds them all, Node's CommonJS search of `NODE_PATH`; none depends on ES module
 * resolution, which ignores `NODE_PATH` outside AWS's own runtime. tests/integration/bundle.test.ts
 * fails on an SDK package the built bundles load any other way.
 */
import { FirehoseClient } from "@aws-sdk/client-firehose";
import type { S3Client } from "@aws-sdk/client-s3";
import type { BatchDeps } from "./batch/index.ts";
import type { Config, Endpoints } from "./config.ts";
import type { ObjectWriter } from "./quarantine.ts";
import { sleep } from "./time.ts";

/** The clients of one process: Firehose, and one S3 client, made on first use, for every S3 caller. */
export interface Clients {
  readonly firehose: FirehoseClient;
  /** The quarantine's writer, on the `s3` client. */
  readonly objects: ObjectWriter;
  /** The S3 client, made on the first call (only batches with rejects, and the redrive, need it). */
  readonly s3: () => Promise<S3Client>;
}

/**
 * Builds the Firehose client and the quarantine's object writer, against the validated endpoint
 * overrides (`loadConfig`: `AWS_ENDPOINT_URL`, or `AWS_ENDPOINT_URL_FIREHOSE` / `AWS_ENDPOINT_URL_S3`)
 * so the same bundle runs against a local emulator; without one, AWS's own endpoints. Firehose gets
 * one attempt per call because `deliverRecords` owns its retries (per entry, with a deadline); S3
 * keeps the SDK's standard retries.
 */
export function createClients(endpoints: Endpoints): Clients {
  const s3 = lazily(() => createS3Client(endpoints.s3));
  return {
    firehose: new FirehoseClient({
      maxAttempts: 1,
      // Stryker disable next-line ConditionalExpression: { endpoint: undefined } is what no endpoint means to the SDK
      ...(endpoints.firehose === undefined ? {} : { endpoint: endpoints.firehose }),
    }),
    objects: s3ObjectWriter(s3),
    s3,
  };
}

/** What `processBatch` runs with in a real process: these clients, the wall clock, real sleeps. */
export function runtimeBatchDeps(config: Config, clients: Clients): BatchDeps {
  return { firehose: clients.firehose, objects: clients.objects, config, now: Date.now, sleep, random: Math.random };
}

/**
 * `make`, called on the first use and its result kept; a failed `make` (thrown or rejected) is not
 * kept, so the next use tries again (credentials that were not there yet, a failed import).
 */
export function lazily<T>(make: () => T | Promise<T>): () => Promise<T> {
  let ready: Promise<T> | undefined;
  return () => {
    ready ??= Promise.resolve().then(make);
    return ready.catch((err: unknown) => {
      ready = undefined;
      throw err;
    });
  };
}

/**
 * The S3 client package, loaded on the first call (a `require` in the bundle, see above) and kept; a
 * failed load is tried again on the next call. Every S3 caller, the redrive's included, loads it here.
 */
export const loadS3Sdk: () => Promise<typeof import("@aws-sdk/client-s3")> = lazily(() => import("@aws-sdk/client-s3"));

/** An S3 client; path-style with an endpoint override, since `<bucket>.127.0.0.1` does not resolve. */
export async function createS3Client(endpoint: string | undefined): Promise<S3Client> {
  const { S3Client } = await loadS3Sdk();
  // Stryker disable next-line ObjectLiteral: forcePathStyle: false is the SDK's default
  if (endpoint === undefined) return new S3Client({ forcePathStyle: false });
  return new S3Client({ endpoint, forcePathStyle: true });
}

/**
 * Writes objects (PutObject, or a multipart upload's four calls) through the client `connect`
 * gives, loading the S3 client on the first write: only batches with rejects need it, and it is the
 * largest part of cold init (`npm run bench`, "cold init"). A failed load is retried on the next write.
 */
export function s3ObjectWriter(connect: () => S3Client | Promise<S3Client>): ObjectWriter {
  const load = lazily(async () => {
    const [client, s3] = await Promise.all([connect(), loadS3Sdk()]);
    return { client, s3 };
  });
  return {
    async putObject(input, options) {
      const { client, s3 } = await load();
      await client.send(new s3.PutObjectCommand(input), options);
    },
    async createMultipartUpload(input, options) {
      const { client, s3 } = await load();
      return client.send(new s3.CreateMultipartUploadCommand(input), options);
    },
    async uploadPart(input, options) {
      const { client, s3 } = await load();
      return client.send(new s3.UploadPartCommand(input), options);
    },
    async completeMultipartUpload(input, options) {
      const { client, s3 } = await load();
      await client.send(new s3.CompleteMultipartUploadCommand(input), options);
    },
    async abortMultipartUpload(input, options) {
      const { client, s3 } = await load();
      await client.send(new s3.AbortMultipartUploadCommand(input), options);
    },
  };
}
