import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { parseConfig, ResolvedPlatformConfig } from '../../constructs/config';
import { buildApp } from '../../stacks/build-app';

export const REPO = path.resolve(__dirname, '..', '..');
export const TODAY = { today: '2026-11-22' };

export interface SynthesizedStack {
  readonly resource: Record<string, Record<string, Record<string, any>>>;
  readonly data?: Record<string, Record<string, Record<string, any>>>;
  readonly output?: Record<string, { value: unknown }>;
  readonly provider?: Record<string, any[]>;
  readonly terraform?: Record<string, any>;
}

/** A fresh app and stack per call; `build` adds the constructs under test. Returns the parsed Terraform JSON. */
export function synthWith(build: (scope: Construct) => void): SynthesizedStack {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new GoogleProvider(stack, 'google', { project: 'acme-ml-prod', region: 'us-central1' });
  build(stack);
  return JSON.parse(Testing.synth(stack)) as SynthesizedStack;
}

/** All resources of a type, as a list of their attribute objects. */
export function resources(stack: SynthesizedStack, type: string): Record<string, any>[] {
  return Object.values(stack.resource[type] ?? {});
}

/** The one resource of a type (throws when there are several or none). */
export function only(stack: SynthesizedStack, type: string): Record<string, any> {
  const all = resources(stack, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0] as Record<string, any>;
}

/** A minimal valid GCP config, with `overrides` merged at the top level. */
export function gcpConfig(overrides: Record<string, unknown> = {}): ResolvedPlatformConfig {
  return parseConfig(
    {
      name: 'acme',
      cloud: 'gcp',
      region: 'us-central1',
      gcp: { project: 'acme-ml-prod' },
      network: { cidr: '10.60.0.0/16' },
      gpuPools: [{ name: 'a100', gpu: 'A100-80GB', gpusPerNode: 1, maxNodes: 2, capacity: 'spot' }],
      ...overrides,
    },
    TODAY,
  );
}

/** Synthesizes a config file of the repo through the app the CLI builds; returns the stack JSON. */
export function synthFile(config: string): SynthesizedStack {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-gcp-'));
  const app = buildApp([path.join(REPO, config)], out, TODAY);
  app.synth();
  const stack = app.node.children[0]?.node.id as string;
  return JSON.parse(fs.readFileSync(path.join(out, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as SynthesizedStack;
}
