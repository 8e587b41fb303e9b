import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Compile } from "typebox/compile";
import { describe, expect, it } from "vitest";
import { telemetryValidator } from "../../../shared/contract.ts";
import { PUBLISHED_SCHEMAS, publishedText } from "../../../tools/fixtures/schemas.ts";
import { sampleEvent } from "../../support/batch.ts";

function published(name: string): object {
  return JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "..", "schema", name), "utf8"));
}

function readings(eventName: string): unknown[] {
  return sampleEvent(eventName).Records.flatMap((r) => {
    try {
      return [JSON.parse(Buffer.from(r.kinesis.data, "base64").toString("utf8"))];
    } catch {
      return [];
    }
  });
}

describe("the published telemetry contract", () => {
  it.each(Object.entries(PUBLISHED_SCHEMAS))("schema/%s is generated from shared/contract.ts", (name, schema) => {
    expect(`${JSON.stringify(published(name), null, 2)}\n`).toBe(publishedText(schema));
  });

  it("gives producers the same verdicts as the consumer's compiled validator", () => {
    const producerValidator = Compile(published("telemetry-v1.schema.json") as never);
    const samples = [
      ...readings("valid-batch.json"),
      ...readings("mixed-batch.json"),
      ...readings("poison-only-batch.json"),
    ];

    const verdicts = samples.map((value) => [producerValidator.Check(value), telemetryValidator.Check(value)]);

    expect(verdicts.length).toBeGreaterThan(10);
    expect(verdicts.filter(([producer]) => producer === true).length).toBeGreaterThan(0);
    expect(verdicts.filter(([producer]) => producer === false).length).toBeGreaterThan(0);
    for (const [producer, consumer] of verdicts) expect(producer).toBe(consumer);
  });
});
