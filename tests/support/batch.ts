/** Helpers for tests that run whole batches against mocked AWS clients. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { CompleteMultipartUploadCommand, PutObjectCommand, S3Client, UploadPartCommand } from "@aws-sdk/client-s3";
import type { KinesisStreamEvent } from "aws-lambda";
import type { AwsClientStub } from "aws-sdk-client-mock";
import { s3ObjectWriter } from "../../shared/aws.ts";
import type { BatchDeps } from "../../shared/batch/index.ts";
import type { Config } from "../../shared/config.ts";
import { REJECTION_REASONS, type RejectionReason } from "../../shared/rejection.ts";
import { SAMPLE_CONFIG } from "../../tools/fixtures/fixtures.ts";

export const config: Config = SAMPLE_CONFIG;

/** Quarantined records by reason: `counts` for the reasons named, 0 for every other reason. */
export function countsByReason(counts: Partial<Record<RejectionReason, number>> = {}): Record<RejectionReason, number> {
  return Object.fromEntries(REJECTION_REASONS.map((reason) => [reason, counts[reason] ?? 0])) as Record<
    RejectionReason,
    number
  >;
}

/** A sample event from events/, parsed afresh for each call so tests may change it. */
export function sampleEvent(name: string): KinesisStreamEvent {
  return JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "events", name), "utf8"));
}

/** Deps with a fake clock that sleeps instantly, so retries cost no wall time. */
export function batchDeps(overrides: Partial<BatchDeps> = {}): BatchDeps & { clock: { ms: number } } {
  const clock = { ms: Date.parse("2026-11-21T08:00:05Z") };
  return {
    firehose: new FirehoseClient({ region: "eu-west-1" }),
    objects: s3ObjectWriter(() => new S3Client({ region: "eu-west-1" })),
    config,
    now: () => clock.ms,
    sleep: async (ms) => {
      clock.ms += ms;
    },
    random: () => 0.5,
    clock,
    ...overrides,
  };
}

/** Every line the mocked Firehose was sent, per call, parsed. */
export function firehoseLines(mock: AwsClientStub<FirehoseClient>): Record<string, unknown>[][] {
  return mock.commandCalls(PutRecordBatchCommand).map((call) =>
    (call.args[0].input.Records ?? []).flatMap((record) =>
      Buffer.from(record.Data as Uint8Array)
        .toString("utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line)),
    ),
  );
}

/** Every line written to the mocked quarantine bucket (by PutObject or a completed multipart upload), parsed. */
export function quarantineLines(mock: AwsClientStub<S3Client>): Record<string, unknown>[] {
  return quarantineBodies(mock).flatMap((body) =>
    body
      .toString("utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line)),
  );
}

/** The bodies of the objects written to the mocked bucket, in order: a multipart upload's parts joined at completion. */
export function quarantineBodies(mock: AwsClientStub<S3Client>): Buffer[] {
  const bodies: Buffer[] = [];
  const uploads = new Map<string, Buffer[]>();
  for (const call of mock.calls()) {
    const command = call.args[0];
    const input = command.input as { Body?: Uint8Array; UploadId?: string };
    if (command instanceof PutObjectCommand) bodies.push(Buffer.from(input.Body as Uint8Array));
    if (command instanceof UploadPartCommand) {
      const parts = uploads.get(input.UploadId ?? "") ?? [];
      parts.push(Buffer.from(input.Body as Uint8Array));
      uploads.set(input.UploadId ?? "", parts);
    }
    if (command instanceof CompleteMultipartUploadCommand)
      bodies.push(Buffer.concat(uploads.get(input.UploadId ?? "") ?? []));
  }
  return bodies;
}

/** Resets the mocks and has them answer success: Firehose confirms every entry, S3 writes every object. */
export function answerSuccess(firehose: AwsClientStub<FirehoseClient>, s3: AwsClientStub<S3Client>): void {
  firehose.reset();
  s3.reset();
  firehose.on(PutRecordBatchCommand).callsFake(confirmAll);
  s3.on(PutObjectCommand).resolves({});
}

/** A PutRecordBatch response confirming every entry of the request. */
export function confirmAll(input: { Records?: unknown[] }) {
  return {
    FailedPutCount: 0,
    RequestResponses: (input.Records ?? []).map((_, i) => ({ RecordId: `id-${i}` })),
  };
}
