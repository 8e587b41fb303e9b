/**
 * Who the cases ask as: the stacks' roles with the identity policies the templates give them, and
 * the principals outside the stacks that a case needs (another role of the consumer account, an
 * analyst, a vehicle gateway, an account's administrators).
 */
import { CONSUMER_ACCOUNT as CONSUMER, PRODUCER_ACCOUNT as PRODUCER, type TwoAccounts } from "../two-accounts.ts";
import { identityPolicies, props } from "./readers.ts";
import { POLICY_VERSION } from "./resources.ts";

/** A role of the consumer account that no policy of the stacks names. */
export const OTHER_ROLE = `arn:aws:iam::${CONSUMER}:role/some-other-function`;
/** The analysts' role: it holds AnalystPolicy (the stack only makes the policy; the role is the account's). */
export const ANALYST = `arn:aws:iam::${CONSUMER}:role/analyst`;
/** A producer-account role that holds VehicleGatewayPolicy. */
export const GATEWAY = `arn:aws:iam::${PRODUCER}:role/vehicle-gateway`;

/** An account's administrators: everything, as an identity policy. */
export const ADMINISTRATOR = {
  name: "an administrator's policy (Action and Resource *)",
  policy: { Version: POLICY_VERSION, Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
};
/** The role an account's administrators act as. */
export const admin = (account: string) => `arn:aws:iam::${account}:role/administrator`;

/** The function's role. */
export const role = (d: TwoAccounts) => d.consumer.arnOf("TelemetryConsumerRole");
/** The role Firehose delivers as. */
export const firehoseRole = (d: TwoAccounts) => d.consumer.arnOf("FirehoseDeliveryRole");

/** A request as a role of the consumer stack, with every identity policy the template gives it. */
export const asStackRole = (d: TwoAccounts, roleId: string) => ({
  principal: d.consumer.arnOf(roleId),
  identityPolicies: identityPolicies(d.consumer, roleId),
});

/** A request per principal: the function's role, Firehose's role, an analyst, a vehicle gateway. */
export const asRole = (d: TwoAccounts) => asStackRole(d, "TelemetryConsumerRole");
export const asFirehose = (d: TwoAccounts) => asStackRole(d, "FirehoseDeliveryRole");
export const asAnalyst = (d: TwoAccounts) => ({
  principal: ANALYST,
  identityPolicies: [
    { name: d.consumer.arnOf("AnalystPolicy"), policy: props(d.consumer, "AnalystPolicy").PolicyDocument },
  ],
});
export const asGateway = (d: TwoAccounts) => ({
  principal: GATEWAY,
  identityPolicies: [
    { name: "VehicleGatewayPolicy", policy: props(d.producer, "VehicleGatewayPolicy").PolicyDocument },
  ],
});
