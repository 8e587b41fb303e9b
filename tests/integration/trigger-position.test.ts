/**
 * Where the trigger starts, as CloudFormation would take the consumer template (translated by
 * scripts/check-templates.sh into .tmp/cfn, again when stale): StartingPositionTimestamp is required exactly with
 * StartingPosition AT_TIMESTAMP (a Rules assertion refuses the deployment otherwise), is Unix seconds,
 * and reaches the event source mapping only then.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { resolveTemplate } from "../../tools/templates/cfn-resolve.ts";
import { CONSUMER_ACCOUNT, loadTranslated, PRODUCER_ACCOUNT, REGION } from "../../tools/templates/two-accounts.ts";

const STREAM = {
  ProducerAccountId: PRODUCER_ACCOUNT,
  ProducerStreamName: "vehicle-telemetry",
  ProducerStreamKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
};
let template: {
  Parameters: Record<string, { AllowedPattern?: string; AllowedValues?: string[] }>;
  Resources: Record<string, { Type: string }>;
};

beforeAll(() => {
  // Translated again if template.yaml changed since the last translation.
  template = loadTranslated("consumer") as unknown as typeof template;
});

function deploy(parameters: Record<string, string>) {
  return resolveTemplate(template as never, {
    accountId: CONSUMER_ACCOUNT,
    region: REGION,
    stackName: "consumer",
    parameters: { ...STREAM, ...parameters },
  });
}

describe("the trigger's starting position", () => {
  it("offers AT_TIMESTAMP", () => {
    expect(template.Parameters.StartingPosition?.AllowedValues).toEqual(["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"]);
  });

  it.each([
    ["TRIM_HORIZON", ""],
    ["LATEST", ""],
  ])("starts %s without a timestamp", (position, timestamp) => {
    const deployed = deploy({ StartingPosition: position, StartingPositionTimestamp: timestamp });

    expect(deployed.failedRules).toEqual([]);
    expect(deployed.resources.TelemetryStreamTrigger?.properties).toMatchObject({ StartingPosition: position });
    expect(deployed.resources.TelemetryStreamTrigger?.properties).not.toHaveProperty("StartingPositionTimestamp");
  });

  it("starts AT_TIMESTAMP from the given Unix seconds", () => {
    const deployed = deploy({ StartingPosition: "AT_TIMESTAMP", StartingPositionTimestamp: "1795380000" });

    expect(deployed.failedRules).toEqual([]);
    expect(deployed.resources.TelemetryStreamTrigger?.properties).toMatchObject({
      StartingPosition: "AT_TIMESTAMP",
      StartingPositionTimestamp: "1795380000",
    });
  });

  it.each([
    ["AT_TIMESTAMP", "", "StartingPosition AT_TIMESTAMP needs StartingPositionTimestamp"],
    ["TRIM_HORIZON", "1795380000", "StartingPositionTimestamp is only for StartingPosition AT_TIMESTAMP"],
    ["LATEST", "1795380000", "StartingPositionTimestamp is only for StartingPosition AT_TIMESTAMP"],
  ])("refuses StartingPosition %s with timestamp %j", (position, timestamp, message) => {
    const deployed = deploy({ StartingPosition: position, StartingPositionTimestamp: timestamp });

    expect(deployed.failedRules).toEqual([expect.stringContaining(message)]);
  });

  it.each([
    ["1795380000", true],
    ["", true],
    ["1795380000000", false],
    ["179538000", false],
    ["2026-11-22T21:00:00Z", false],
    ["-1795380000", false],
  ])("takes %j as StartingPositionTimestamp: %s (Unix seconds, not milliseconds or ISO)", (value, allowed) => {
    const pattern = new RegExp(template.Parameters.StartingPositionTimestamp?.AllowedPattern ?? "(?!)");
    expect(pattern.test(value)).toBe(allowed);
  });
});
