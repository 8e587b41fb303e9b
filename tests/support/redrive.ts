/** Helpers for the redrive tests: an in-memory source bucket, a mixed v1/v2 batch and chunk loops. */
import type { FirehoseClient } from "@aws-sdk/client-firehose";
import type { S3Client } from "@aws-sdk/client-s3";
import type { AwsClientStub } from "aws-sdk-client-mock";
import { processBatch } from "../../shared/batch/index.ts";
import { type ObjectStore, parseRedriveRequest, type RedriveDeps, redriveChunk } from "../../shared/redrive/index.ts";
import {
  jsonBytes,
  kinesisRecord,
  kplAggregate,
  seededRandom,
  telemetrySample,
  telemetryV2Sample,
} from "../../tools/fixtures/fixtures.ts";
import { memoryStore } from "../../tools/fuzz/in-memory.ts";
import { batchDeps, config, quarantineLines } from "./batch.ts";

/** The source bucket and the manifests in memory (tools/fuzz/in-memory.ts). */
export { memoryStore };

// Seeded per reading, so every call of mixedBatch() makes the same bytes.
export const v1 = (n: number) => jsonBytes(telemetrySample(seededRandom(n), 1, n));
export const v2 = (n: number) => jsonBytes(telemetryV2Sample(seededRandom(n), 2, n));

/** A batch with v2 readings alone and inside a KPL aggregate (entries 1 and 2 are v2). */
export function mixedBatch() {
  return [
    kinesisRecord({ data: v1(0), partitionKey: "VIN-1", n: 0 }),
    kinesisRecord({ data: v2(1), partitionKey: "VIN-2", n: 1 }),
    kinesisRecord({
      data: kplAggregate([
        { partitionKey: "VIN-1", data: v1(2) },
        { partitionKey: "VIN-2", data: v2(3) },
        { partitionKey: "VIN-2", data: v2(4) },
      ]),
      partitionKey: "agg",
      n: 2,
    }),
  ];
}

/**
 * Runs the batch as the function would with only v1 accepted; its quarantine object lands in `store`.
 * `firehose` and `s3` are the caller's mocks (their histories are cleared afterwards).
 */
export async function quarantineV2(
  store: ReturnType<typeof memoryStore>,
  firehose: AwsClientStub<FirehoseClient>,
  s3: AwsClientStub<S3Client>,
): Promise<string> {
  const deps = batchDeps({ config: { ...config, acceptedSchemaVersions: new Set([1] as const) } });
  const { stats } = await processBatch(mixedBatch(), { deadlineMs: Number.MAX_SAFE_INTEGER, requestId: "req-1" }, deps);
  const lines = quarantineLines(s3);
  const key = stats.quarantineKey as string;
  store.objects.set(`${config.quarantineBucket}/${key}`, {
    body: `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`,
    modifiedMs: 0,
  });
  firehose.resetHistory();
  s3.resetHistory();
  return key;
}

export function redriveDeps(store: ObjectStore, overrides: Partial<RedriveDeps> = {}): RedriveDeps {
  return { ...batchDeps(), store, ...overrides };
}

export const request = (extra: Record<string, unknown> = {}) =>
  parseRedriveRequest({ source: "quarantine", bucket: config.quarantineBucket, ...extra }, config.quarantinePrefix);

export async function runAll(req: ReturnType<typeof request>, deps: RedriveDeps) {
  const chunks = [];
  let token: string | undefined;
  do {
    const result = await redriveChunk(req, token, deps, Number.MAX_SAFE_INTEGER, `chunk-${chunks.length}`);
    chunks.push(result.summary);
    token = result.continuation;
  } while (token !== undefined && chunks.length < 50);
  return chunks;
}
