/**
 * Contract versions through the built bundle against a real moto server: v1 and v2 lines side by
 * side in the data bucket, and a version held back by ACCEPTED_SCHEMA_VERSIONS in quarantine.
 */
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import {
  jsonBytes,
  kinesisEvent,
  kinesisRecord,
  seededRandom,
  telemetrySample,
  telemetryV2Sample,
} from "../../tools/fixtures/fixtures.ts";
import { BUILT_BUNDLE, lambdaContext, loadHandler, requireBuilt } from "../../tools/lambda/invoke.ts";
import { bundleEnv, deliveredLines, freshPipeline, quarantinedLines } from "../../tools/pipeline/emulator.ts";
import { enrichedV2Validator, enrichedValidator } from "../support/contract.ts";

const endpoint = inject("motoEndpoint");

beforeAll(() => {
  requireBuilt();
  Object.assign(process.env, bundleEnv(endpoint));
});

afterEach(() => {
  delete process.env.ACCEPTED_SCHEMA_VERSIONS;
});

/** v1, v2, v1, v2. */
function mixedEvent() {
  const random = seededRandom(21);
  return kinesisEvent(
    Array.from({ length: 4 }, (_, n) =>
      kinesisRecord({
        n,
        partitionKey: "VIN-000007",
        data: jsonBytes(n % 2 === 0 ? telemetrySample(random, 7, n) : telemetryV2Sample(random, 7, n)),
      }),
    ),
  );
}

describe("contract versions in the built bundle", () => {
  it("delivers v1 and v2 readings, each line with its own schemaVersion and valid against its output schema", async () => {
    await freshPipeline(endpoint);
    const handler = loadHandler(BUILT_BUNDLE, { fresh: true });
    const event = mixedEvent();

    const response = await handler(event, lambdaContext(30_000));

    const delivered = await deliveredLines(endpoint);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(delivered.map((line) => [line.ingest.recordId, line.schemaVersion]).sort()).toEqual(
      event.Records.map((r, n) => [r.eventID, n % 2 === 0 ? 1 : 2]).sort(),
    );
    for (const line of delivered)
      expect((line.schemaVersion === 2 ? enrichedV2Validator : enrichedValidator).Check(line)).toBe(true);
    expect(await quarantinedLines(endpoint)).toEqual([]);
  });

  it("quarantines v2 as SCHEMA_UNSUPPORTED when ACCEPTED_SCHEMA_VERSIONS=1, keeping the original bytes", async () => {
    await freshPipeline(endpoint);
    process.env.ACCEPTED_SCHEMA_VERSIONS = "1";
    const handler = loadHandler(BUILT_BUNDLE, { fresh: true });
    const event = mixedEvent();

    const response = await handler(event, lambdaContext(30_000));

    expect(response).toEqual({ batchItemFailures: [] });
    expect((await deliveredLines(endpoint)).map((line) => line.schemaVersion)).toEqual([1, 1]);
    const quarantined = await quarantinedLines(endpoint);
    expect(quarantined.map((q) => [q.recordId, q.reason, q.data])).toEqual(
      [1, 3].map((n) => [event.Records[n]?.eventID, "SCHEMA_UNSUPPORTED", event.Records[n]?.kinesis.data]),
    );
  });

  it("refuses to start with an ACCEPTED_SCHEMA_VERSIONS naming an unknown version", () => {
    process.env.ACCEPTED_SCHEMA_VERSIONS = "1,3";
    expect(() => loadHandler(BUILT_BUNDLE, { fresh: true })).toThrow(
      /^ACCEPTED_SCHEMA_VERSIONS must be a comma-separated list/,
    );
  });
});
