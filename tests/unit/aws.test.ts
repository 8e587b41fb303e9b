import { describe, expect, it } from "vitest";
import { createClients } from "../../shared/aws.ts";

describe("createClients", () => {
  it("gives Firehose a single attempt per call, since delivery owns its retries", async () => {
    const { firehose } = createClients({});
    expect(await firehose.config.maxAttempts()).toBe(1);
  });

  it.each([
    ["no endpoint override", {}, false],
    ["AWS_ENDPOINT_URL", { AWS_ENDPOINT_URL: "http://127.0.0.1:5000" }, true],
    ["AWS_ENDPOINT_URL_S3", { AWS_ENDPOINT_URL_S3: "http://127.0.0.1:5000" }, true],
  ])("uses path-style S3 addressing only with an endpoint override (%s)", (_, env, pathStyle) => {
    const { s3 } = createClients(env);
    expect(s3.config.forcePathStyle).toBe(pathStyle);
  });
});
