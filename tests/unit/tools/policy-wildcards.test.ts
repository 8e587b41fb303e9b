import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { unjustifiedWildcards } from "../../../tools/templates/policy-wildcards.ts";

const root = join(import.meta.dirname, "..", "..", "..");

describe("IAM wildcards in the templates", () => {
  it.each([
    ["template.yaml", 40],
    ["producer/template.yaml", 3],
  ])("%s has no wildcard without a comment saying why (%i wildcards, each explained)", (file, wildcards) => {
    const template = readFileSync(join(root, file), "utf8");
    const uncommented = template
      .split("\n")
      .map((line) => (line.trimStart().startsWith("#") ? "" : line))
      .join("\n");

    expect(unjustifiedWildcards(template)).toEqual([]);
    expect(unjustifiedWildcards(uncommented)).toHaveLength(wildcards);
  });

  it("flags wildcard actions, resources and principals that no comment explains", () => {
    const template = [
      "Statement:",
      "  - Effect: Allow",
      "    Action: s3:*",
      "    Resource: '*'",
      "  - Effect: Allow",
      "    Action:",
      "      - kms:Decrypt",
      "      - logs:*",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation !Sub text, not a JavaScript template
      "    Resource: !Sub ${Bucket.Arn}/*",
      "    Principal: '*'",
    ].join("\n");

    expect(unjustifiedWildcards(template).map((w) => w.line)).toEqual([3, 4, 8, 9, 10]);
  });

  it("accepts a wildcard with a comment in the lines just above it", () => {
    const template = [
      "  - Effect: Allow",
      "    # Every key of the bucket's reports/ prefix.",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation !Sub text, not a JavaScript template
      "    Resource: !Sub ${Bucket.Arn}/reports/*",
    ].join("\n");
    expect(unjustifiedWildcards(template)).toEqual([]);
  });
});
