/**
 * The three keys' policies (the data key, the alarm key, the producer's stream key): each account's
 * administrators can still change its keys' policies (no lockout), and each key policy admits only
 * whom it names: not the other account's administrators, not another role of the consumer account,
 * not CloudWatch Logs for another stack's log group.
 */
import { CONSUMER_ACCOUNT as CONSUMER, PRODUCER_ACCOUNT as PRODUCER, type TwoAccounts } from "../../two-accounts.ts";
import { ADMINISTRATOR, admin, OTHER_ROLE } from "../principals.ts";
import { props } from "../readers.ts";
import { dataKey, viaS3 } from "../resources.ts";
import type { AccessCase } from "../types.ts";

/** A log group of the consumer account, as the encryption context CloudWatch Logs gives KMS names it. */
const logGroupArn = (d: TwoAccounts, id: string) =>
  `arn:aws:logs:${d.region}:${CONSUMER}:log-group:${String(d.consumer.arnOf(id).split(":log-group:")[1]).replace(/:\*$/, "")}`;

export const KEY_CASES: readonly AccessCase[] = [
  ...[
    ["DataKey", "consumer", CONSUMER],
    ["AlarmKey", "consumer", CONSUMER],
    ["StreamKey", "producer", PRODUCER],
  ].map(
    ([key, stack, account]): AccessCase => ({
      name: `the ${stack} account's administrators may administer ${key} through IAM (no lockout)`,
      request: (d) => ({
        principal: admin(account as string),
        identityPolicies: [ADMINISTRATOR],
        action: "kms:PutKeyPolicy",
        resource: (stack === "consumer" ? d.consumer : d.producer).arnOf(key as string),
        resourceAccount: account as string,
        resourcePolicy: props(stack === "consumer" ? d.consumer : d.producer, key as string).KeyPolicy,
      }),
      expected: "Allowed",
    }),
  ),
  // CloudWatch Logs encrypting this stack's log groups with the data key has no allowed case: its
  // key-policy statement is conditioned on kms:EncryptionContext:aws:logs:arn, and the simulator
  // (0.1.173) ignores every kms:EncryptionContext:<key> context key (it matches variable keys
  // after a "/" only). Its boundaries below still hold; its survivors are in mutation-survivors.ts.
  {
    name: "CloudWatch Logs may not use the data key for another stack's log group",
    request: (d) => ({
      principal: `logs.${d.region}.amazonaws.com`,
      action: "kms:Encrypt",
      ...dataKey(d),
      context: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${d.region}:${CONSUMER}:log-group:payments-Logs` },
      // The simulator drops every kms:EncryptionContext:<key> (see above): denied for want of it.
      ignoredContext: ["kms:EncryptionContext:aws:logs:arn"],
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "CloudWatch Logs may not schedule the data key's deletion, even for this stack's log group",
    request: (d) => ({
      principal: `logs.${d.region}.amazonaws.com`,
      action: "kms:ScheduleKeyDeletion",
      ...dataKey(d),
      context: { "kms:EncryptionContext:aws:logs:arn": logGroupArn(d, "TelemetryConsumerLogGroup") },
      ignoredContext: ["kms:EncryptionContext:aws:logs:arn"],
    }),
    expected: "ImplicitlyDenied",
  },
  ...(
    [
      ["DataKey", "consumer", PRODUCER],
      ["AlarmKey", "consumer", PRODUCER],
      ["StreamKey", "producer", CONSUMER],
    ] as const
  ).map(
    ([key, stack, other]): AccessCase => ({
      name: `the other account's administrators may not use ${key} (its policy admits its own account only)`,
      request: (d) => {
        const t = stack === "consumer" ? d.consumer : d.producer;
        return {
          principal: admin(other),
          identityPolicies: [ADMINISTRATOR],
          action: "kms:Decrypt",
          resource: t.arnOf(key),
          resourceAccount: other === CONSUMER ? PRODUCER : CONSUMER,
          resourcePolicy: props(t, key).KeyPolicy,
        };
      },
      expected: "ImplicitlyDenied",
    }),
  ),
  ...["kms:GenerateDataKey", "kms:Decrypt"].map(
    (action): AccessCase => ({
      name: `another role of the consumer account, holding no policy, may not ${action} with the data key through S3 (its policy names the stack's roles)`,
      request: (d) => ({ principal: OTHER_ROLE, action, ...dataKey(d), context: viaS3(d) }),
      expected: "ImplicitlyDenied",
    }),
  ),
];
