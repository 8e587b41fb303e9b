/**
 * The mutation operators of tools/templates/mutations.ts on a small template of their own: which
 * mutants each statement yields, and that each changes exactly what its id says (on a copy, in the
 * right statement, in the right Fn::If branch).
 */
import { describe, expect, it } from "vitest";
import type { Template } from "../../../tools/templates/cfn-resolve.ts";
import { gateProblems, KNOWN_SURVIVORS } from "../../../tools/templates/mutation-survivors.ts";
import {
  auditMutants,
  type MutantResult,
  type MutationReport,
  templateMutants,
  UnsupportedPolicyError,
} from "../../../tools/templates/mutations.ts";

const template = (): Template => ({
  Resources: {
    Role: {
      Type: "AWS::IAM::Role",
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        },
        ManagedPolicyArns: [
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub, not a JS template.
          { "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole" },
          "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
        ],
      },
    },
    Policy: {
      Type: "AWS::IAM::Policy",
      Properties: {
        PolicyDocument: {
          Statement: [
            {
              Sid: "Write",
              Effect: "Allow",
              Action: ["s3:PutObject", "s3:GetObject", "kms:GenerateDataKey"],
              Resource: { "Fn::GetAtt": ["Bucket", "Arn"] },
              Condition: {
                StringEquals: { "kms:ViaService": "s3", "aws:SourceAccount": "1" },
                Bool: { "aws:X": "true" },
              },
            },
            {
              "Fn::If": [
                "HasStream",
                { Sid: "OnlyTheStream", Effect: "Deny", Action: "kinesis:*", NotResource: ["arn:stream"] },
                {
                  Sid: "NoKinesis",
                  Effect: "Deny",
                  Action: ["kinesis:GetRecords", "kinesis:ListShards"],
                  Resource: "*",
                },
              ],
            },
            {
              "Fn::If": [
                "HasConsumer",
                { Sid: "Read", Effect: "Allow", Action: "kinesis:*", Resource: "*" },
                { Ref: "AWS::NoValue" },
              ],
            },
            {
              Sid: "OnlyReads",
              Effect: "Deny",
              NotAction: ["kinesis:GetRecords", "kinesis:GetShardIterator", "kms:Decrypt", "s3:*"],
              Resource: "*",
            },
          ],
        },
      },
    },
    BucketPolicy: {
      Type: "AWS::S3::BucketPolicy",
      Properties: {
        PolicyDocument: {
          Statement: [{ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*" }],
        },
      },
    },
  },
});

const ids = (t: Template) => templateMutants("consumer", t).map((m) => m.id);
/** The statements of a resource's PolicyDocument. */
const statements = (t: Template, resource = "Policy") =>
  (t.Resources[resource]?.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] } | undefined)
    ?.Statement ?? [];

function mutated(idEnd: string): Template {
  const t = template();
  const mutant = templateMutants("consumer", t).find((m) => m.id.endsWith(idEnd));
  if (!mutant) throw new Error(`no mutant ending ${idEnd}`);
  mutant.apply(t);
  return t;
}

describe("template mutation operators", () => {
  it("yield one mutant per statement and operator, both Fn::If branches, and per managed policy ARN", () => {
    expect(ids(template())).toEqual([
      "consumer Role.AssumeRolePolicyDocument #0: drop the Allow statement",
      "consumer Role.AssumeRolePolicyDocument #0: widen the sts actions to sts:*",
      "consumer Policy.PolicyDocument Write: drop the Allow statement",
      "consumer Policy.PolicyDocument Write: widen the s3 actions to s3:*",
      "consumer Policy.PolicyDocument Write: widen the kms actions to kms:*",
      "consumer Policy.PolicyDocument Write: widen the Resource to *",
      "consumer Policy.PolicyDocument Write: drop the condition StringEquals kms:ViaService",
      "consumer Policy.PolicyDocument Write: drop the condition StringEquals aws:SourceAccount",
      "consumer Policy.PolicyDocument Write: drop the condition StringEquals (whole)",
      "consumer Policy.PolicyDocument Write: drop the condition Bool aws:X",
      "consumer Policy.PolicyDocument OnlyTheStream (if HasStream): drop the Deny statement",
      "consumer Policy.PolicyDocument OnlyTheStream (if HasStream): widen the NotResource to * (the deny covers nothing)",
      "consumer Policy.PolicyDocument NoKinesis (unless HasStream): drop the Deny statement",
      "consumer Policy.PolicyDocument NoKinesis (unless HasStream): narrow the Deny to its first action kinesis:GetRecords",
      "consumer Policy.PolicyDocument Read (if HasConsumer): drop the Allow statement",
      "consumer Policy.PolicyDocument OnlyReads: drop the Deny statement",
      "consumer Policy.PolicyDocument OnlyReads: widen the NotAction's kinesis actions to kinesis:* (the deny spares them all)",
      "consumer Policy.PolicyDocument OnlyReads: widen the NotAction's kms actions to kms:* (the deny spares them all)",
      "consumer BucketPolicy.PolicyDocument DenyInsecureTransport: drop the Deny statement",
      "consumer Role.ManagedPolicyArns: remove AWSLambdaKinesisExecutionRole",
      "consumer Role.ManagedPolicyArns: remove AWSXRayDaemonWriteAccess",
    ]);
  });

  it("drop a top-level statement from the list, and a branch of Fn::If by AWS::NoValue", () => {
    expect(statements(mutated("Write: drop the Allow statement")).map((s) => s.Sid ?? Object.keys(s)[0])).toEqual([
      "Fn::If",
      "Fn::If",
      "OnlyReads",
    ]);
    expect(statements(mutated("NoKinesis (unless HasStream): drop the Deny statement"))[1]).toEqual({
      "Fn::If": [
        "HasStream",
        { Sid: "OnlyTheStream", Effect: "Deny", Action: "kinesis:*", NotResource: ["arn:stream"] },
        { Ref: "AWS::NoValue" },
      ],
    });
  });

  it("widen one service's actions, the Resource, or a Deny's NotResource; narrow a Deny to its first action", () => {
    expect(statements(mutated("Write: widen the s3 actions to s3:*"))[0]?.Action).toEqual([
      "kms:GenerateDataKey",
      "s3:*",
    ]);
    expect(statements(mutated("Write: widen the Resource to *"))[0]?.Resource).toBe("*");
    const onlyTheStream = statements(mutated("widen the NotResource to * (the deny covers nothing)"))[1] as {
      "Fn::If": [string, Record<string, unknown>, unknown];
    };
    expect(onlyTheStream["Fn::If"][1].NotResource).toBe("*");
    const noKinesis = statements(mutated("narrow the Deny to its first action kinesis:GetRecords"))[1] as {
      "Fn::If": [string, unknown, Record<string, unknown>];
    };
    expect(noKinesis["Fn::If"][2].Action).toBe("kinesis:GetRecords");
  });

  it("widen the services a Deny's NotAction spares, one service at a time", () => {
    expect(
      statements(mutated("widen the NotAction's kinesis actions to kinesis:* (the deny spares them all)"))[3],
    ).toEqual({
      Sid: "OnlyReads",
      Effect: "Deny",
      NotAction: ["kms:Decrypt", "s3:*", "kinesis:*"],
      Resource: "*",
    });
    expect(
      statements(mutated("widen the NotAction's kms actions to kms:* (the deny spares them all)"))[3]?.NotAction,
    ).toEqual(["kinesis:GetRecords", "kinesis:GetShardIterator", "s3:*", "kms:*"]);
  });

  it("drop one condition key, one operator whole, and the Condition once it is empty", () => {
    expect(statements(mutated("drop the condition StringEquals aws:SourceAccount"))[0]?.Condition).toEqual({
      StringEquals: { "kms:ViaService": "s3" },
      Bool: { "aws:X": "true" },
    });
    expect(statements(mutated("drop the condition StringEquals (whole)"))[0]?.Condition).toEqual({
      Bool: { "aws:X": "true" },
    });
    const t = template();
    for (const m of templateMutants("consumer", t).filter((m) =>
      /Write: drop the condition (Bool|StringEquals \(whole\))/.test(m.id),
    ))
      m.apply(t);
    expect(statements(t)[0]).not.toHaveProperty("Condition");
  });

  it("remove one managed policy ARN and leave the others, and mutate only the copy given", () => {
    const t = mutated("remove AWSLambdaKinesisExecutionRole");
    expect(t.Resources.Role?.Properties?.ManagedPolicyArns).toEqual([
      "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
    ]);
    expect(template().Resources.Role?.Properties?.ManagedPolicyArns).toHaveLength(2);
  });

  it("narrow each bucket policy's TLS deny to s3:PutObject (the audit's mutants)", () => {
    const t = template();
    const [mutant, ...more] = auditMutants({ consumer: t, producer: { Resources: {} } });
    expect(more).toEqual([]);
    mutant?.apply(t);
    expect(statements(t, "BucketPolicy")[0]?.Action).toBe("s3:PutObject");
  });

  it("refuse a policy document they cannot read, rather than skip it", () => {
    const t = template();
    (t.Resources.Policy?.Properties as Record<string, unknown>).PolicyDocument = { "Fn::If": ["X", {}, {}] };
    expect(() => templateMutants("consumer", t)).toThrow(UnsupportedPolicyError);
  });
});

describe("the template-mutation gate", () => {
  const known = Object.keys(KNOWN_SURVIVORS);
  /** A report of `caught` caught mutants, the known survivors, and `extra` results. */
  function report(caught: number, extra: MutantResult[] = [], survivors = known): MutationReport {
    const results: MutantResult[] = [
      ...Array.from({ length: caught }, (_, i) => ({ id: `caught ${i}`, caught: true, caughtBy: ["a case"] })),
      ...survivors.map((id) => ({ id, caught: false, caughtBy: [] })),
      ...extra,
    ];
    return {
      cases: 1,
      results,
      caught: results.filter((r) => r.caught).length,
      survivors: results.filter((r) => !r.caught && r.error === undefined).map((r) => r.id),
      errored: results.filter((r) => r.error !== undefined).map((r) => r.id),
      simulations: 0,
      seconds: 0,
    };
  }

  it("passes 90 % caught with exactly the known survivors", () => {
    expect(gateProblems(report(known.length * 9))).toEqual([]);
  });

  it("fails under 90 %, on a new survivor, on a known one caught now, and on a mutant not evaluated", () => {
    expect(gateProblems(report(known.length * 9 - 1))).toEqual(["fewer than 90 % caught"]);
    const fresh = { id: "new one", caught: false, caughtBy: [] };
    expect(gateProblems(report(1000, [fresh]))).toEqual(["new survivor: new one"]);
    expect(gateProblems(report(1000, [], known.slice(1)))).toEqual([
      `listed as a survivor but caught now (update tools/templates/mutation-survivors.ts): ${known[0]}`,
    ]);
    const broken = { id: "broken", caught: false, caughtBy: [], error: "no such resource" };
    expect(gateProblems(report(1000, [broken]))).toEqual(["not evaluated: broken: no such resource"]);
  });
});
