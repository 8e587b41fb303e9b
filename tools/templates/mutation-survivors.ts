/**
 * The mutants of the templates' policies that no access-matrix case catches, each with why that is
 * harmless. The mutation test (tests/integration/template-mutations.test.ts) requires the harness's
 * survivors to be exactly these: a new survivor (a grant without a case, a boundary nobody tries)
 * fails CI, and so does one listed here that a new case now catches (the list must stay true).
 */
import type { MutationReport } from "./mutations.ts";

/** The share of mutants the matrix must catch. */
export const MIN_CAUGHT_SHARE = 0.9;

const OVERLAP =
  "overlapping grants, same account: the data key's policy names the role AND lets IAM grant (AccountAdministersKeyThroughIam), and both the key-policy statement and the role's statement allow this, under the same kms:ViaService condition; either alone allows, so dropping one changes no decision. Dropping both is a break of the matrix (denied)";
const ONE_RESOURCE =
  "equivalent: a resource policy governs only the resource it is attached to, so its Resource can name nothing else; `*` there means the same resource";
const SOURCE_ACCOUNT =
  "equivalent: the ArnLike aws:SourceArn condition left in the statement pins this account already (the pattern is arn:…:cloudwatch:<region>:<this account>:alarm:<stack>-*), and AWS sets aws:SourceAccount to that same account";
const LOGS_CONTEXT =
  "not evaluable: the statement is conditioned on kms:EncryptionContext:aws:logs:arn, and the simulator (@cloud-copilot/iam-simulate 0.1.173) ignores every kms:EncryptionContext:<key> context key, so no request can meet it and no allowed case exists; its condition is still proved (dropping it is caught: another stack's log group)";

export const KNOWN_SURVIVORS: Readonly<Record<string, string>> = {
  "consumer TelemetryConsumerPolicy.PolicyDocument EncryptObjectsThroughS3Only: drop the Allow statement": OVERLAP,
  "consumer DataKey.KeyPolicy FunctionEncryptsThroughS3: drop the Allow statement": OVERLAP,
  "consumer DataKey.KeyPolicy FirehoseEncryptsThroughS3: drop the Allow statement": OVERLAP,
  "consumer FirehoseDeliveryPolicy.PolicyDocument EncryptThroughS3Only: drop the Allow statement": OVERLAP,
  "consumer TelemetryConsumerPolicy.PolicyDocument ReadThroughProducerStreamConsumer (if HasStreamConsumer): widen the Resource to *":
    "equivalent: NoKinesisButTheProducerStream, in the same policy, denies every Kinesis action on any resource but the producer's stream and its stream consumer, so the widened Allow reaches nothing more (cases: another stream or stream consumer is explicitly denied)",
  "consumer DataKey.KeyPolicy CloudWatchLogsEncryptsThisStacksLogGroups: drop the Allow statement": LOGS_CONTEXT,
  "consumer DataKey.KeyPolicy CloudWatchLogsEncryptsThisStacksLogGroups: widen the kms actions to kms:*": LOGS_CONTEXT,
  "consumer FirehoseDeliveryRole.AssumeRolePolicyDocument #0: widen the sts actions to sts:*":
    "equivalent: the statement's condition is sts:ExternalId, which only sts:AssumeRole carries (Service Authorization Reference), so every other STS action (sts:TagSession, sts:SetSourceIdentity) fails it. The function's trust policy, conditioned on the global aws:SourceAccount, has no such shield, and its widening is caught (sts:TagSession)",
  "consumer TelemetryConsumerRole.AssumeRolePolicyDocument RedriveReadsTheStreamAsTheConsumer: widen the sts actions to sts:*":
    "equivalent: the statement's principal is an account (not a federation) and its condition requires sts:SourceIdentity, which of the actions such a principal asks for only sts:AssumeRole and sts:SetSourceIdentity carry (Service Authorization Reference; the simulator drops it for sts:TagSession), both already allowed: every other STS action fails the condition (case: RedriveRole, holding every permission, may not tag a session of the consumer role). The function's trust, conditioned on the global aws:SourceAccount, has no such shield, and its widening is caught (sts:TagSession)",
  "consumer AlarmKey.KeyPolicy ThisStacksAlarmsPublishToTheTopic: drop the condition StringEquals aws:SourceAccount":
    SOURCE_ACCOUNT,
  "consumer AlarmTopicPolicy.PolicyDocument ThisStacksAlarmsPublish: drop the condition StringEquals aws:SourceAccount":
    SOURCE_ACCOUNT,
  "consumer AlarmTopicPolicy.PolicyDocument ThisStacksAlarmsPublish: widen the Resource to *": ONE_RESOURCE,
  "producer TelemetryStreamPolicy.ResourcePolicy ConsumerRoleReadsStream: widen the Resource to *": ONE_RESOURCE,
  "producer TelemetryStreamConsumerPolicy.ResourcePolicy ConsumerRoleReadsThroughStreamConsumer: widen the Resource to *":
    ONE_RESOURCE,
};

/**
 * Why a harness report fails the gate, a line each: too few caught, a survivor not listed here, a
 * listed one caught now, a mutant that could not be evaluated (an error is never a catch).
 */
export function gateProblems(report: MutationReport): string[] {
  const total = report.results.length;
  const share = total === 0 ? 0 : report.caught / total;
  return [
    ...(share < MIN_CAUGHT_SHARE ? [`fewer than ${MIN_CAUGHT_SHARE * 100} % caught`] : []),
    ...report.survivors.filter((id) => !(id in KNOWN_SURVIVORS)).map((id) => `new survivor: ${id}`),
    ...Object.keys(KNOWN_SURVIVORS)
      .filter((id) => !report.survivors.includes(id))
      .map((id) => `listed as a survivor but caught now (update tools/templates/mutation-survivors.ts): ${id}`),
    ...report.results.filter((r) => r.error !== undefined).map((r) => `not evaluated: ${r.id}: ${r.error}`),
  ];
}
