/**
 * Contract versions through the built bundle, under Lambda's runtime interface (a local Lambda),
 * against a real moto server: v1 and v2 lines side by side in the data bucket, and a version held
 * back by ACCEPTED_SCHEMA_VERSIONS (set as `sam local invoke --env-vars` sets it) in quarantine.
 */
import { beforeAll, describe, expect, inject, it } from "vitest";
import {
  jsonBytes,
  kinesisEvent,
  kinesisRecord,
  seededRandom,
  telemetrySample,
  telemetryV2Sample,
} from "../../tools/fixtures/fixtures.ts";
import { requireBuilt } from "../../tools/lambda/invoke.ts";
import { startConsumer } from "../../tools/pipeline/consumer.ts";
import { deliveredLines, freshPipeline, quarantinedLines } from "../../tools/pipeline/emulator.ts";
import { enrichedV2Validator, enrichedValidator } from "../support/contract.ts";

const endpoint = inject("motoEndpoint");

beforeAll(() => {
  requireBuilt();
});

/** The function's answer to `event` with ACCEPTED_SCHEMA_VERSIONS as given (the template's value if undefined). */
async function invokeWith(acceptedSchemaVersions: string | undefined, event: unknown) {
  const consumer = await startConsumer(endpoint, {
    envVars: acceptedSchemaVersions === undefined ? {} : { ACCEPTED_SCHEMA_VERSIONS: acceptedSchemaVersions },
  });
  try {
    return await consumer.invoke(event);
  } finally {
    await consumer.lambda.stop();
  }
}

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

describe("contract versions in the built bundle, under the runtime interface", () => {
  it("delivers v1 and v2 readings, each line with its own schemaVersion and valid against its output schema", async () => {
    await freshPipeline(endpoint);
    const event = mixedEvent();

    const answer = await invokeWith(undefined, event);

    const delivered = await deliveredLines(endpoint);
    expect(answer).toEqual({ ok: true, payload: { batchItemFailures: [] } });
    expect(delivered.map((line) => [line.ingest.recordId, line.schemaVersion]).sort()).toEqual(
      event.Records.map((r, n) => [r.eventID, n % 2 === 0 ? 1 : 2]).sort(),
    );
    for (const line of delivered)
      expect((line.schemaVersion === 2 ? enrichedV2Validator : enrichedValidator).Check(line)).toBe(true);
    expect(await quarantinedLines(endpoint)).toEqual([]);
  });

  it("quarantines v2 as SCHEMA_UNSUPPORTED when ACCEPTED_SCHEMA_VERSIONS=1, keeping the original bytes", async () => {
    await freshPipeline(endpoint);
    const event = mixedEvent();

    const answer = await invokeWith("1", event);

    expect(answer).toEqual({ ok: true, payload: { batchItemFailures: [] } });
    expect((await deliveredLines(endpoint)).map((line) => line.schemaVersion)).toEqual([1, 1]);
    const quarantined = await quarantinedLines(endpoint);
    expect(quarantined.map((q) => [q.recordId, q.reason, q.data])).toEqual(
      [1, 3].map((n) => [event.Records[n]?.eventID, "SCHEMA_UNSUPPORTED", event.Records[n]?.kinesis.data]),
    );
  });

  it("fails its init with an ACCEPTED_SCHEMA_VERSIONS naming an unknown version", async () => {
    expect(await invokeWith("1,3", mixedEvent())).toMatchObject({
      ok: false,
      functionError: "Unhandled",
      error: {
        errorType: "ConfigError",
        errorMessage: expect.stringMatching(/^ACCEPTED_SCHEMA_VERSIONS must be a comma-separated list/),
      },
    });
  });
});
