import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

export interface SynthesizedStack {
  readonly resource: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, { value: unknown }>;
  readonly provider?: Record<string, unknown[]>;
  readonly terraform?: Record<string, unknown>;
}

/** A fresh app and stack per call; `build` adds the constructs under test. Returns the parsed Terraform JSON. */
export function synthWith(build: (scope: Construct) => void): SynthesizedStack {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  build(stack);
  return JSON.parse(Testing.synth(stack)) as SynthesizedStack;
}

/** All resources of a type, as a list of their attribute objects. */
export function resources(stack: SynthesizedStack, type: string): Record<string, unknown>[] {
  return Object.values(stack.resource[type] ?? {});
}
