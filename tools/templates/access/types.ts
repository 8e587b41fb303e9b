/**
 * What an access case is: one request (who, what action, on which resource, with which policies and
 * context), the decision it must get, and the hand-written breaks that must turn an allowed case
 * into a denied one. The cases themselves are data, in cases/, one file per concern.
 */
import type { TwoAccountOptions, TwoAccounts } from "../two-accounts.ts";

/** The simulator's answer to one request. */
export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** One request and every policy that applies to it. */
export interface Ask {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly identityPolicies?: readonly { readonly name: string; readonly policy: unknown }[];
  readonly resourcePolicy?: unknown;
  /**
   * Over `aws:SecureTransport: "true"`, which every request carries unless it says otherwise, and,
   * for an S3 action, `s3:ResourceAccount`: `resourceAccount`, as S3 sets it from the bucket's owner.
   */
  readonly context?: Readonly<Record<string, string>>;
  /**
   * Context keys the simulator is known to drop for this request (its case says why). Any other key
   * it drops is an error: a case whose context does not count would prove nothing.
   */
  readonly ignoredContext?: readonly string[];
}

/** Changes to the raw (translated) templates before they are resolved. */
export type Mutation = Pick<TwoAccountOptions, "mutateConsumer" | "mutateProducer">;

/** A hand-written mutation that must turn an allowed case into a denied one. */
export interface Break {
  readonly name: string;
  readonly mutation: Mutation;
}

export interface AccessCase {
  readonly name: string;
  /** The deployment it asks about: the three steps (default) or the same with enhanced fan-out. */
  readonly on?: "enhancedFanOut";
  readonly request: (d: TwoAccounts) => Ask;
  readonly expected: Decision;
  /** Each takes out what allows the case: the case must then be denied (access-matrix.test.ts). */
  readonly breaks?: readonly Break[];
}
