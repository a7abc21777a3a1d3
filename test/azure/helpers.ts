import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { parseConfig, ResolvedPlatformConfig } from '../../constructs/config';
import { addPlatformStacks } from '../../stacks/build-app';

export type Json = Record<string, any>;
export const TODAY = { today: '2026-11-22' };

/** A fresh app and stack with an azurerm provider; `build` adds the constructs under test. Returns the Terraform JSON. */
export function synthWith(build: (scope: Construct) => void): Json {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  build(stack);
  return JSON.parse(Testing.synth(stack)) as Json;
}

/** All resources of a type, as a list of their attribute objects. */
export function resources(stack: Json, type: string): Json[] {
  return Object.values((stack.resource?.[type] ?? {}) as Record<string, Json>);
}

export function only(stack: Json, type: string): Json {
  const list = resources(stack, type);
  if (list.length !== 1) throw new Error(`expected one ${type}, found ${list.length}`);
  return list[0] as Json;
}

/** A minimal valid Azure config, with overrides. */
export function azureConfig(overrides: Json = {}): ResolvedPlatformConfig {
  return parseConfig(
    {
      name: 'az-test',
      cloud: 'azure',
      region: 'eastus',
      network: { cidr: '10.60.0.0/16' },
      gpuPools: [{ name: 'a100', gpu: 'A100-80GB', gpusPerNode: 1, maxNodes: 2 }],
      ...overrides,
    },
    TODAY,
  );
}

/** Synthesizes the platform stack(s) of validated configs through build-app, as `vpctune synth` does. */
export function synthConfig(config: ResolvedPlatformConfig): Json {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-azure-'));
  const app = new App({ outdir });
  addPlatformStacks(app, [config]);
  app.synth();
  const [stack] = fs.readdirSync(path.join(outdir, 'stacks'));
  return JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack as string, 'cdk.tf.json'), 'utf8')) as Json;
}
