/** Small helpers to write IAM policy documents as JSON strings (no data source: plans stay offline). */

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Principal?: Readonly<Record<string, string | readonly string[]>> | '*';
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[] | boolean>>>>;
}

export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** Trust policy letting an AWS service assume a role. */
export function serviceTrust(...services: readonly string[]): string {
  return policyDocument([{ Effect: 'Allow', Principal: { Service: services.length === 1 ? (services[0] as string) : services }, Action: 'sts:AssumeRole' }]);
}

/** ARN of an AWS managed policy, partition-aware through the given partition expression. */
export function managedPolicyArn(partition: string, name: string): string {
  return `arn:${partition}:iam::aws:policy/${name}`;
}
