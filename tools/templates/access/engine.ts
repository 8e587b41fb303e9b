/**
 * The access matrix's evaluation: each case's request run through the IAM simulator
 * @cloud-copilot/iam-simulate (AGPL-3.0, a devDependency used by tests and the mutation harness
 * only), against both templates as the SAM translator makes them, resolved for one two-account
 * deployment (two-accounts.ts), so a mutated template yields mutated policies and the same cases
 * judge it (tests/integration/access-matrix.test.ts, tools/templates/mutations.ts).
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { deployBoth, type TwoAccounts } from "../two-accounts.ts";
import type { AccessCase, Ask, Decision, Mutation } from "./types.ts";

/** The deployments one set of templates gives, each resolved once, when first asked for. */
export type Deployments = (on: AccessCase["on"]) => TwoAccounts;

/** Both deployments of the (possibly mutated) templates; throws as deployBoth does. */
export function deploymentsOf(mutation: Mutation = {}): Deployments {
  const made = new Map<string, TwoAccounts>();
  return (on) => {
    const key = on ?? "threeSteps";
    let d = made.get(key);
    if (d === undefined) {
      d = deployBoth({ ...mutation, enhancedFanOut: on === "enhancedFanOut" });
      made.set(key, d);
    }
    return d;
  };
}

/** A policy with no statement left is no policy (CloudFormation would refuse an empty one). */
const hasStatements = (policy: unknown) =>
  policy !== undefined && ((policy as { Statement?: unknown[] }).Statement ?? []).length > 0;

function simulation(ask: Ask) {
  return {
    request: {
      principal: ask.principal,
      action: ask.action,
      resource: { resource: ask.resource, accountId: ask.resourceAccount },
      contextVariables: {
        "aws:SecureTransport": "true",
        // S3 sets it on every request from the bucket's owner: the account of the resource asked about.
        ...(ask.action.startsWith("s3:") ? { "s3:ResourceAccount": ask.resourceAccount } : {}),
        ...ask.context,
      },
    },
    identityPolicies: (ask.identityPolicies ?? []).filter((p) => hasStatements(p.policy)),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: hasStatements(ask.resourcePolicy) ? ask.resourcePolicy : undefined,
  };
}

/** The simulator could not evaluate a request (a malformed policy, an unknown action). */
export class SimulationError extends Error {
  constructor(detail: string) {
    super(`the IAM simulator could not evaluate the request: ${detail}`);
    this.name = "SimulationError";
  }
}

interface Simulated {
  readonly decision: Decision;
  /** The context keys the simulator dropped as not applying to the action and resource. */
  readonly ignored: readonly string[];
}

/**
 * Remembered simulations, by the whole simulator input: a mutant that leaves a request's policies
 * as they were gets the decision already made, and is not simulated again (the simulator is pure).
 */
export type DecisionCache = Map<string, Promise<Simulated>>;

async function simulate(input: ReturnType<typeof simulation>): Promise<Simulated> {
  const result = await runSimulation(input as Parameters<typeof runSimulation>[0], {});
  if (result.resultType === "error") throw new SimulationError(JSON.stringify(result.errors));
  const analyses = result.resultType === "single" ? [result.result] : result.results;
  return {
    decision: result.overallResult as Decision,
    ignored: [...new Set(analyses.flatMap((a) => a.ignoredContextKeys ?? []))],
  };
}

/**
 * The simulator's decision on one request. Throws SimulationError when it cannot decide, or when it
 * drops a context key the request does not list in `ignoredContext`.
 */
export async function decide(ask: Ask, cache?: DecisionCache): Promise<Decision> {
  const input = simulation(ask);
  const key = cache && JSON.stringify(input);
  let simulated = key === undefined ? undefined : cache?.get(key);
  if (simulated === undefined) {
    simulated = simulate(input);
    if (key !== undefined) cache?.set(key, simulated);
  }
  const { decision, ignored } = await simulated;
  const unexpected = ignored.filter((k) => !(ask.ignoredContext ?? []).includes(k));
  if (unexpected.length > 0)
    throw new SimulationError(
      `context ${unexpected.join(", ")} does not apply to ${ask.action} on ${ask.resource} (the simulator drops it)`,
    );
  return decision;
}

export interface Outcome {
  readonly name: string;
  readonly expected: Decision;
  /** The decision, or the error that kept the case from one (building its request, or simulating it). */
  readonly decision?: Decision;
  readonly error?: string;
}

/** Every case's decision against the deployments of one set of templates. */
export async function evaluateCases(
  cases: readonly AccessCase[],
  deployments: Deployments,
  cache?: DecisionCache,
): Promise<Outcome[]> {
  return Promise.all(
    cases.map(async ({ name, on, request, expected }): Promise<Outcome> => {
      try {
        return { name, expected, decision: await decide(request(deployments(on)), cache) };
      } catch (error) {
        return { name, expected, error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
}

/** Whether an outcome is the expected decision. */
export const holds = (outcome: Outcome) => outcome.decision === outcome.expected;
