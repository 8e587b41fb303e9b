/**
 * The IAM access matrix of the two stacks, evaluated instead of trusted: the cases of
 * tools/templates/access/ (both SAM templates as the SAM translator makes them, resolved for
 * one two-account deployment, every policy that applies run through the IAM simulator
 * @cloud-copilot/iam-simulate) each get exactly their expected decision. Every service-to-service
 * path is proved both ways: allowed as deployed, and denied once the grant that allows it is taken
 * out of the template (its hand-written breaks). The systematic mutations are
 * template-mutations.test.ts's.
 */
import { describe, expect, it } from "vitest";
import {
  ACCESS_CASES,
  decide,
  deploymentsOf,
  dropManagedPolicy,
  evaluateCases,
  identityPolicies,
  props,
  roleProperties,
  SimulationError,
} from "../../tools/templates/access/index.ts";
import { UnknownManagedPolicyError } from "../../tools/templates/aws-policies.ts";
import { deployBoth } from "../../tools/templates/two-accounts.ts";

const deployed = deploymentsOf();

describe("IAM access matrix", () => {
  it("has one case per name (a name says what the case proves)", () => {
    const names = ACCESS_CASES.map((c) => c.name);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it.each(ACCESS_CASES)("$name: $expected", async (accessCase) => {
    const [outcome] = await evaluateCases([accessCase], deployed);
    expect(outcome?.error).toBeUndefined();
    expect(outcome?.decision).toBe(accessCase.expected);
  });

  const breaks = ACCESS_CASES.flatMap((c) => (c.breaks ?? []).map((b) => ({ ...b, accessCase: c })));
  it.each(breaks)("$accessCase.name: denied when $name", async ({ accessCase, mutation }) => {
    const broken = deploymentsOf(mutation)(accessCase.on);
    expect(await decide(accessCase.request(broken))).not.toBe("Allowed");
  });
});

describe("IAM access matrix: a case's context counts", () => {
  // S3 gives ListBucketMultipartUploads no s3:prefix: a case asking with one would prove nothing.
  const ask = () => {
    const d = deployed(undefined);
    return {
      principal: "arn:aws:iam::222222222222:role/analyst",
      identityPolicies: [{ name: "AnalystPolicy", policy: props(d.consumer, "AnalystPolicy").PolicyDocument }],
      action: "s3:ListBucketMultipartUploads",
      resource: d.consumer.arnOf("QueryResultsBucket"),
      resourceAccount: "222222222222",
      context: { "s3:prefix": "results/" },
    };
  };

  it("a context key the simulator drops for the action is an error, unless the case lists it as known", async () => {
    await expect(decide(ask())).rejects.toThrow(SimulationError);
    await expect(decide(ask())).rejects.toThrow(/s3:prefix does not apply to s3:ListBucketMultipartUploads/);
    expect(await decide({ ...ask(), ignoredContext: ["s3:prefix"] })).toBe("Allowed");
  });
});

describe("IAM access matrix: the deployments it asks about", () => {
  it("before the producer's stream exists (step 1) there is no trigger; with enhanced fan-out the trigger reads through the stream consumer", () => {
    expect(deployed(undefined).firstStep.resources.TelemetryStreamTrigger).toBeUndefined();
    const efo = deployed("enhancedFanOut");
    const consumerArn = String(props(efo.producer, "TelemetryStreamConsumerPolicy").ResourceArn);
    expect(consumerArn).toMatch(/:stream\/producer-TelemetryStream\/consumer\/.+:\d+$/);
    expect(props(efo.consumer, "TelemetryStreamTrigger").EventSourceArn).toBe(consumerArn);
  });
});

describe("IAM access matrix: managed policies come from the template", () => {
  it("a role's AWS managed policies are the ones its ManagedPolicyArns name, and no others", () => {
    const names = identityPolicies(deployed(undefined).consumer, "TelemetryConsumerRole").map((p) => p.name);
    expect(names).toEqual([
      "arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole",
      "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
      "TelemetryConsumerPolicy",
    ]);
    const without = deployBoth({ mutateConsumer: dropManagedPolicy("AWSLambdaKinesisExecutionRole") }).consumer;
    expect(identityPolicies(without, "TelemetryConsumerRole").map((p) => p.name)).not.toContain(
      "arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole",
    );
  });

  it("a managed policy ARN without a fixture document fails loudly", () => {
    const unknown = deployBoth({
      mutateConsumer: (t) => {
        roleProperties(t).ManagedPolicyArns.push("arn:aws:iam::aws:policy/AdministratorAccess");
      },
    }).consumer;
    expect(() => identityPolicies(unknown, "TelemetryConsumerRole")).toThrow(UnknownManagedPolicyError);
  });
});
