/**
 * The stacks' policies, read from a resolved template: a resource's properties, every identity
 * policy a role holds (the AWS managed ones from their fixture documents, aws-policies.ts), a
 * topic's key and its policy, the topic policy. The cases build their requests with these, so a
 * mutated template yields mutated policies.
 */
import { awsManagedKeyPolicy, awsManagedPolicy } from "../aws-policies.ts";
import type { ResolvedTemplate } from "../cfn-resolve.ts";

/** A resolved resource's properties; throws for a resource the template does not have. */
export function props(t: ResolvedTemplate, id: string): Record<string, unknown> {
  const resource = t.resources[id];
  if (!resource) throw new Error(`no resource ${id}`);
  return resource.properties;
}

/**
 * Every identity policy a role of the template holds: the managed policies its ManagedPolicyArns
 * name (AWS managed ones from their fixture documents; an unknown ARN throws), and the inline and
 * customer managed policies of the template attached to it.
 */
export function identityPolicies(t: ResolvedTemplate, roleId: string) {
  const roleName = t.arnOf(roleId).split("/").pop() as string;
  const ownManaged = new Map(
    Object.entries(t.resources)
      .filter(([, r]) => r.type === "AWS::IAM::ManagedPolicy")
      .map(([id, r]) => [t.arnOf(id), r.properties.PolicyDocument]),
  );
  const managed = ((props(t, roleId).ManagedPolicyArns as string[] | undefined) ?? []).map((arn) => ({
    name: arn,
    policy: ownManaged.get(arn) ?? awsManagedPolicy(arn),
  }));
  const inline = (
    (props(t, roleId).Policies as { PolicyName: string; PolicyDocument: unknown }[] | undefined) ?? []
  ).map((p) => ({ name: p.PolicyName, policy: p.PolicyDocument }));
  const attached = Object.entries(t.resources)
    .filter(
      ([, r]) =>
        (r.type === "AWS::IAM::Policy" || r.type === "AWS::IAM::ManagedPolicy") &&
        ((r.properties.Roles as string[] | undefined) ?? []).includes(roleName),
    )
    .map(([id, r]) => ({ name: id, policy: r.properties.PolicyDocument }));
  return [...managed, ...inline, ...attached];
}

/** The key that encrypts a topic, and its policy: one of the template's keys, or an AWS managed one. */
export function topicKey(t: ResolvedTemplate, topicId: string, accountId: string, region: string) {
  const keyId = String(props(t, topicId).KmsMasterKeyId);
  const managed = /^alias\/aws\/(\w+)$/.exec(keyId);
  if (managed)
    return {
      // The AWS managed key's own ARN (its alias only names it).
      arn: `arn:aws:kms:${region}:${accountId}:key/00000000-0000-4000-8000-0000000a11a5`,
      policy: awsManagedKeyPolicy(managed[1] as string, accountId, region),
    };
  const own = Object.keys(t.resources).find(
    (id) => t.resources[id]?.type === "AWS::KMS::Key" && [t.arnOf(id), t.arnOf(id).split("/")[1]].includes(keyId),
  );
  if (!own) throw new Error(`topic ${topicId} is encrypted with ${keyId}, which the matrix does not know`);
  return { arn: t.arnOf(own), policy: props(t, own).KeyPolicy };
}

/** The topic policy (AWS::SNS::TopicPolicy) that covers a topic, if any. */
export function topicPolicy(t: ResolvedTemplate, topicId: string): unknown {
  const arn = t.arnOf(topicId);
  return Object.values(t.resources).find(
    (r) => r.type === "AWS::SNS::TopicPolicy" && (r.properties.Topics as string[]).includes(arn),
  )?.properties.PolicyDocument;
}
