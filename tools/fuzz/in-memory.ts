/**
 * `processBatch`'s collaborators in memory, for the properties and the figures: Firehose confirms
 * every entry, S3 writes every object, a fake clock sleeps instantly; nothing is kept but counts.
 * And redrive's source bucket in memory, for the redrive's property and tests: every object kept.
 */
import type { PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import type { BatchDeps } from "../../shared/batch/index.ts";
import type { ObjectWriter } from "../../shared/quarantine.ts";
import type { ObjectStore } from "../../shared/redrive/index.ts";
import { SAMPLE_CONFIG } from "../fixtures/fixtures.ts";

/** What was sent, as the batch ran. */
export interface Written {
  /** Bytes of the Firehose records sent (the lines, uncompressed: the deps compress nothing). */
  firehoseBytes: number;
  /** Lines sent to Firehose. */
  firehoseLines: number;
  /** Bytes of the quarantine objects written (a multipart upload's parts together). */
  quarantineBytes: number;
}

/** Deps for `processBatch` (uncompressed delivery, every version accepted), and the counts they keep. */
export function inMemoryBatchDeps(): {
  readonly deps: BatchDeps;
  readonly written: Written;
  readonly clock: { ms: number };
} {
  const written: Written = { firehoseBytes: 0, firehoseLines: 0, quarantineBytes: 0 };
  const firehose = {
    async send(command: PutRecordBatchCommand) {
      const entries = command.input.Records ?? [];
      for (const entry of entries) {
        const data = entry.Data as Uint8Array;
        written.firehoseBytes += data.byteLength;
        for (const byte of data) if (byte === 0x0a) written.firehoseLines++;
      }
      return { FailedPutCount: 0, RequestResponses: entries.map(() => ({ RecordId: "r" })), $metadata: {} };
    },
  };
  const objects: ObjectWriter = {
    async putObject(input) {
      written.quarantineBytes += (input.Body as Uint8Array).byteLength;
    },
    async createMultipartUpload() {
      return { UploadId: "u" };
    },
    async uploadPart(input) {
      written.quarantineBytes += (input.Body as Uint8Array).byteLength;
      return { ETag: "e" };
    },
    async completeMultipartUpload() {},
    async abortMultipartUpload() {},
  };
  const clock = { ms: Date.parse("2026-11-21T08:00:05Z") };
  const deps: BatchDeps = {
    firehose,
    objects,
    config: SAMPLE_CONFIG,
    now: () => clock.ms,
    sleep: async (ms) => {
      clock.ms += ms;
    },
    random: () => 0.5,
  };
  return { deps, written, clock };
}

/** The source bucket and the manifests, as redrive's `ObjectStore` sees them. */
export function memoryStore(): ObjectStore & { objects: Map<string, { body: string; modifiedMs: number }> } {
  const objects = new Map<string, { body: string; modifiedMs: number }>();
  return {
    objects,
    async list(bucket, prefix, startAfter) {
      const keys = [...objects.keys()]
        .filter((k) => k.startsWith(`${bucket}/${prefix}`))
        .map((k) => k.slice(bucket.length + 1))
        .filter((k) => startAfter === undefined || k > startAfter)
        .sort();
      return {
        objects: keys.map((key) => ({ key, modifiedMs: objects.get(`${bucket}/${key}`)?.modifiedMs ?? 0 })),
        truncated: false,
      };
    },
    async get(bucket, key) {
      return objects.get(`${bucket}/${key}`)?.body;
    },
    async put(bucket, key, body) {
      objects.set(`${bucket}/${key}`, { body, modifiedMs: Date.now() });
    },
  };
}
