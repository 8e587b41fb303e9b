/**
 * The IAM access matrix of the two stacks: its public surface. Each case is one request (who, what
 * action, on which resource, with which policies and context) and the decision it must get,
 * evaluated by `evaluateCases` (engine.ts) with the IAM simulator, against both templates as the
 * SAM translator makes them, resolved for one two-account deployment.
 *
 * Every policy that applies is taken from the templates (readers.ts): each role's identity policies
 * (the AWS managed ones from their fixture documents), the stream's and stream consumer's resource
 * policies, key policies, bucket policies, the topic policy, trust policies. A case that needs a
 * policy outside the stacks (an analyst's role, another key of the account, the other account at
 * its most permissive) says so in its name. The cases are data, one file per concern in cases/.
 */

import { ACCOUNT_PIN_CASES } from "./cases/account-pins.ts";
import { ALARM_CASES } from "./cases/alarms.ts";
import { ANALYST_CASES } from "./cases/analysts.ts";
import { ANALYST_CURATED_CASES, CURATION_CASES } from "./cases/curation.ts";
import { FIREHOSE_CASES } from "./cases/firehose.ts";
import { FUNCTION_ROLE_CASES } from "./cases/function-role.ts";
import { KEY_CASES } from "./cases/keys.ts";
import { REDRIVE_ACCESS_CASES } from "./cases/redrive.ts";
import { STREAM_CASES } from "./cases/stream.ts";
import type { AccessCase } from "./types.ts";

export { dropManagedPolicy, roleProperties } from "./breaks.ts";
export { REDRIVE_ACCESS_CASES } from "./cases/redrive.ts";
export { decide, deploymentsOf, evaluateCases, SimulationError } from "./engine.ts";
export { identityPolicies, props } from "./readers.ts";
export type { AccessCase, Decision } from "./types.ts";

/**
 * The stacks' matrix: the function's role, Firehose's role, the alarms' topic and key, the
 * producer's stream and key, the keys' policies, the analysts' access, the curation's schedules
 * and state machine, and every S3 write pinned to the stack's account.
 */
export const ACCESS_CASES: readonly AccessCase[] = [
  ...FUNCTION_ROLE_CASES,
  ...FIREHOSE_CASES,
  ...ALARM_CASES,
  ...STREAM_CASES,
  ...KEY_CASES,
  ...ANALYST_CASES,
  ...ANALYST_CURATED_CASES,
  ...CURATION_CASES,
  ...ACCOUNT_PIN_CASES,
];

/** Every case, the redrive's included: what the template-mutation harness runs against each mutant. */
export const ALL_ACCESS_CASES: readonly AccessCase[] = [...ACCESS_CASES, ...REDRIVE_ACCESS_CASES];
