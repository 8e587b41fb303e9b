/**
 * The redrive scenarios, end to end on the local pipeline (moto): the whole pipeline runs once with
 * a situation that leaves records out of the data bucket, then RedriveFunction's built artifact,
 * under Lambda's runtime interface (a local Lambda), is invoked through Lambda's Invoke API chunk by
 * chunk (continuation token) until done, then once more (the manifest must stop a second delivery),
 * and both states are reconciled with what the fleet produced.
 *  - redrive-versions: part of the fleet sends telemetry v2 while the function holds it back
 *    (ACCEPTED_SCHEMA_VERSIONS=1): quarantined SCHEMA_UNSUPPORTED; redriven with 1,2 accepted.
 *  - redrive-on-failure: the delivery stream is deleted for longer than MaximumRetryAttempts, so
 *    batches go to the on-failure bucket; after it is back, the ranges are read back from the stream.
 */
import { addSummary, emptySummary, type RedriveSummary } from "../../shared/redrive/index.ts";
import { invokeFunction, lambdaClient } from "../lambda/invoke-api.ts";
import { startLocalLambda } from "../lambda/local-lambda.ts";
import {
  createDeliveryStream,
  deliveredLines,
  FAILURE_BUCKET,
  functionEnvVars,
  QUARANTINE_BUCKET,
  quarantinedLines,
  REDRIVE_FUNCTION,
  REGION,
} from "./emulator.ts";
import { startMoto } from "./moto.ts";
import { ledgerRecordId, type Reconciliation, reconcile } from "./reconcile.ts";
import { type PipelineOptions, type PipelineReport, runPipeline } from "./run.ts";

export const REDRIVE_SCENARIOS = ["redrive-versions", "redrive-on-failure"] as const;
export type RedriveScenario = (typeof REDRIVE_SCENARIOS)[number];

export interface RedriveScenarioReport {
  readonly scenario: RedriveScenario;
  readonly pipeline: PipelineReport;
  /** After the redrive, reconciled again: the redriven records delivered, nothing lost. */
  readonly after: Reconciliation;
  /** RedriveFunction invocations (chunks) of the first run. */
  readonly chunks: number;
  readonly summary: RedriveSummary;
  /** The same request once more, after the first run: the manifest must leave nothing to deliver. */
  readonly again: RedriveSummary;
  /** RecordIds delivered with `ingest.redrive`, and the ones the redrive should have brought back. */
  readonly redrivenIds: readonly string[];
  readonly expectedIds: readonly string[];
}

interface ChunkResult {
  readonly summary: RedriveSummary;
  readonly continuation?: string;
  readonly done: boolean;
}

/**
 * Runs one scenario on `run.endpoint`'s emulator, or on a moto server of its own. `options` are the pipeline's (small in CI); the
 * scenario sets what makes it (v2 share and held-back version, or the outage and retry limit).
 * Throws if moto or a local Lambda cannot start, or a redrive chunk fails (naming its error).
 */
export async function runRedriveScenario(
  scenario: RedriveScenario,
  options: PipelineOptions,
  run: { readonly chunkRecords?: number; readonly endpoint?: string } = {},
): Promise<RedriveScenarioReport> {
  const chunkRecords = run.chunkRecords ?? 200;
  const moto = run.endpoint ? undefined : await startMoto();
  let redrive: Awaited<ReturnType<typeof startLocalLambda>> | undefined;
  try {
    const endpoint = run.endpoint ?? (moto?.endpoint as string);
    const pipeline = await runPipeline({
      ...options,
      endpoint,
      ...(scenario === "redrive-versions"
        ? { v2Share: options.v2Share ?? 0.3, acceptedSchemaVersions: "1" }
        : // From the second invocation to the end of the run: every later batch runs out of retries.
          { firehoseOutage: { from: 2, invocations: 1_000_000 }, maximumRetryAttempts: 1 }),
    });
    // Recovery: the delivery stream back (the outage outlasted the run).
    if (scenario === "redrive-on-failure") await createDeliveryStream(endpoint);

    // RedriveFunction as deployed after the fix: every version accepted. As local/env.moto.json sets
    // it: no read role, the stream is read with the function's own credentials.
    redrive = await startLocalLambda({
      functionName: REDRIVE_FUNCTION,
      region: REGION,
      envVars: {
        ...functionEnvVars(endpoint, REDRIVE_FUNCTION),
        ACCEPTED_SCHEMA_VERSIONS: "1,2",
        POWERTOOLS_LOG_LEVEL: "ERROR",
        DELIVERY_COMPRESSION: options.deliveryCompression ?? "none",
      },
    });
    const client = lambdaClient(redrive.endpoint, REGION);
    const request =
      scenario === "redrive-versions"
        ? { source: "quarantine", bucket: QUARANTINE_BUCKET, reasons: ["SCHEMA_UNSUPPORTED"], maxRecords: chunkRecords }
        : { source: "on-failure", bucket: FAILURE_BUCKET, maxRecords: chunkRecords };
    const runOnce = async () => {
      const total = emptySummary();
      let continuation: string | undefined;
      let chunks = 0;
      do {
        const answer = await invokeFunction<ChunkResult>(client, REDRIVE_FUNCTION, {
          ...request,
          ...(continuation ? { continuation } : {}),
        });
        if (!answer.ok)
          throw new Error(
            `${REDRIVE_FUNCTION} failed a chunk: ${answer.error.errorType}: ${answer.error.errorMessage}`,
          );
        const result = answer.payload;
        chunks++;
        addSummary(total, result.summary);
        continuation = result.continuation;
      } while (continuation !== undefined);
      return { total, chunks };
    };
    const first = await runOnce();
    const second = await runOnce();

    const delivered = await deliveredLines(endpoint);
    const quarantined = await quarantinedLines(endpoint);
    const redrivenIds = delivered.filter((l) => l.ingest.redrive !== undefined).map((l) => l.ingest.recordId);
    const fromQuarantine = new Set([
      ...delivered.filter((l) => l.ingest.redrive?.source === "quarantine").map((l) => l.ingest.recordId),
      ...quarantined.filter((l) => l.redrive?.source === "quarantine").map((l) => l.recordId),
    ]);
    const after = reconcile(
      pipeline.ledger,
      delivered.map((l) => l.ingest.recordId),
      quarantined,
      pipeline.onFailure,
      { heldBackVersions: pipeline.heldBackVersions, redriven: fromQuarantine },
    );
    const expectedIds = scenario === "redrive-versions" ? validHeldBack(pipeline) : validIdsInRanges(pipeline);
    return {
      scenario,
      pipeline,
      after,
      chunks: first.chunks,
      summary: first.total,
      again: second.total,
      redrivenIds,
      expectedIds: [...new Set(expectedIds)].sort(),
    };
  } finally {
    await redrive?.stop();
    await moto?.stop();
  }
}

/** The valid readings of a held-back version: the ones the redrive must deliver. */
function validHeldBack(pipeline: PipelineReport): string[] {
  const ids: string[] = [];
  for (const entry of pipeline.ledger) {
    if (entry.corrupt) continue;
    entry.readings.forEach((reading, i) => {
      if (reading.intent === "VALID" && pipeline.heldBackVersions.has(reading.schemaVersion ?? 1))
        ids.push(ledgerRecordId(entry, i));
    });
  }
  return ids;
}

/** The valid user records of the batches sent to the on-failure destination. */
function validIdsInRanges(pipeline: PipelineReport): string[] {
  const ids: string[] = [];
  for (const entry of pipeline.ledger) {
    const n = BigInt(entry.sequenceNumber);
    const inRange = pipeline.onFailure.some(
      ({ KinesisBatchInfo: b }) =>
        b.shardId === entry.shardId && BigInt(b.startSequenceNumber) <= n && n <= BigInt(b.endSequenceNumber),
    );
    if (!inRange || entry.corrupt) continue;
    entry.readings.forEach((reading, i) => {
      if (reading.intent === "VALID") ids.push(ledgerRecordId(entry, i));
    });
  }
  return ids;
}

/**
 * What a scenario got wrong, a line each; empty when every record is accounted for, every expected
 * one is back, the redrive failed nothing, wrote every manifest, and a second run delivered nothing.
 */
export function redriveProblems(report: RedriveScenarioReport): string[] {
  const a = report.after;
  const redriven = new Set(report.redrivenIds);
  const notBack = report.expectedIds.filter((id) => !redriven.has(id));
  const counted: [string, number][] = [
    ["missing after the redrive", a.missing.length],
    ["unexpected", a.unexpected.length],
    ["misrouted", a.misrouted.length],
    ["still only in the on-failure destination", a.toOnFailure],
    ["expected back but not redriven", notBack.length],
    ["failed by the redrive (run again)", report.summary.failed],
    ["manifests not written", report.summary.manifestErrors.length],
    ["delivered again by a second run (the manifest did not hold)", report.again.delivered],
  ];
  return counted.filter(([, n]) => n > 0).map(([what, n]) => `${what}: ${n}`);
}

/** The before/after table: label, before, after. */
export function redriveTable(report: RedriveScenarioReport): [string, string, string][] {
  const n = (x: number) => x.toLocaleString("en-US");
  const b = report.pipeline.reconciliation;
  const a = report.after;
  const reasons = [...new Set([...Object.keys(b.quarantined), ...Object.keys(a.quarantined)])].sort();
  const lost = (r: Reconciliation) => r.missing.length + r.unexpected.length + r.misrouted.length;
  return [
    ["user records produced", n(b.produced), n(a.produced)],
    ["delivered (distinct)", n(b.delivered), n(a.delivered)],
    ...reasons.map((reason): [string, string, string] => [
      `quarantined ${reason}`,
      n(b.quarantined[reason] ?? 0),
      n(a.quarantined[reason] ?? 0),
    ]),
    ["only in the on-failure destination", n(b.toOnFailure), n(a.toOnFailure)],
    ["read by the redrive (quarantine lines or Kinesis records)", "", n(report.summary.read)],
    ["delivered by the redrive", "", n(report.summary.delivered)],
    [
      "quarantined again by the redrive",
      "",
      n(Object.values(report.summary.quarantinedAgain).reduce((x, y) => x + y, 0)),
    ],
    ["expired (past the stream's retention)", "", n(report.summary.expired)],
    ["delivered by a second redrive run (manifest)", "", n(report.again.delivered)],
    ["lost (unaccounted for)", n(lost(b)), n(lost(a) + a.toOnFailure)],
    ["duplicates (same recordId again)", n(b.duplicates), n(a.duplicates)],
  ];
}
