/**
 * Types shared by the policy rules: the synthesized stack they read and the findings they return.
 */
import type { StackModel } from './stack-model';

/** A synthesized cdktf stack (`cdk.tf.json`), Terraform JSON syntax. Only what the rules read is typed. */
export interface SynthesizedStack {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  locals?: Record<string, unknown>;
  [key: string]: unknown;
}

export enum Severity {
  CRITICAL = 'critical',
  HIGH = 'high',
  MEDIUM = 'medium',
  LOW = 'low',
}

export interface PolicyOptions {
  /**
   * The platform config allows a public EKS API endpoint (`kubernetes.publicEndpoint: true`). Even then the public
   * endpoint must be limited to `public_access_cidrs` that do not include 0.0.0.0/0.
   * @default false
   */
  readonly allowPublicEndpoint?: boolean;
}

export interface Finding {
  /** e.g. `VPCT-AWS-001`. */
  readonly ruleId: string;
  readonly severity: Severity;
  /** Terraform address of the offending block: `aws_subnet.public_a`, `data.aws_iam_policy_document.x`. */
  readonly address: string;
  /** What is wrong, with the attribute and value, and what to do. */
  readonly message: string;
  /** cdktf construct path of the block (`stack/network/public-a`), when the JSON records it. */
  readonly constructPath?: string;
}

/** A rule: an id, why it exists, and a pure check over one stack. */
export interface PolicyRule {
  readonly id: string;
  readonly title: string;
  /** One line: why the rule exists. */
  readonly rationale: string;
  readonly severity: Severity;
  /** Returns findings without `ruleId`/`severity`/`constructPath` (added by evaluatePolicies). */
  check(stack: StackModel, options: Required<PolicyOptions>): RuleFinding[];
}

export interface RuleFinding {
  readonly address: string;
  readonly message: string;
}
