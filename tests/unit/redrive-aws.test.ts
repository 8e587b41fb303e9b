import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { createKinesisClient } from "../../shared/redrive-aws.ts";

const stsMock = mockClient(STSClient);
const ROLE = "arn:aws:iam::222222222222:role/consumer-TelemetryConsumerRole-abc";

describe("createKinesisClient", () => {
  beforeEach(() => {
    stsMock.reset();
  });

  it("reads as the given role, in a session that may only read the stream and decrypt it", async () => {
    const expiration = new Date("2026-11-22T23:00:00Z");
    stsMock.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: "AKIA", SecretAccessKey: "secret", SessionToken: "token", Expiration: expiration },
    });

    const client = await createKinesisClient({ region: "eu-west-1", roleArn: ROLE });
    const credentials = await client.config.credentials();

    expect(credentials).toMatchObject({ accessKeyId: "AKIA", sessionToken: "token", expiration });
    const input = stsMock.commandCalls(AssumeRoleCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ RoleArn: ROLE, RoleSessionName: "telemetry-redrive" });
    const session = JSON.parse(input?.Policy ?? "{}") as { Statement: { Action: string[] }[] };
    expect(session.Statement.flatMap((s) => s.Action).sort()).toEqual([
      "kinesis:GetRecords",
      "kinesis:GetShardIterator",
      "kms:Decrypt",
    ]);
  });

  it("says which role gave no credentials", async () => {
    stsMock.on(AssumeRoleCommand).resolves({});

    const client = await createKinesisClient({ region: "eu-west-1", roleArn: ROLE });

    await expect(client.config.credentials()).rejects.toThrow(`AssumeRole ${ROLE} returned no credentials`);
  });

  it("uses the caller's own credentials without a role", async () => {
    await createKinesisClient({ region: "eu-west-1", endpoint: "http://127.0.0.1:1" });

    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });
});
