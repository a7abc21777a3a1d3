import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdktf';
import { Cloud } from '../constructs/catalog';
import { loadConfigFile, ResolvedPlatformConfig, RuleOptions } from '../constructs/config';
import { AwsPlatformStack, stackIdFor } from './aws-platform-stack';
import { AzurePlatformStack } from './azure-platform-stack';
import { GcpPlatformStack } from './gcp-platform-stack';

/** A config that validates but names a cloud (or a duplicate name) this app cannot build. */
export class UnbuildableConfigError extends Error {}

/** The bundled default config: every accelerator on AWS. */
export const DEFAULT_CONFIG = 'stacks/examples/aws-all-gpus.yaml';

/** The clouds this app has stacks for. */
const STACK_CLASSES: Partial<Record<Cloud, typeof AwsPlatformStack | typeof AzurePlatformStack | typeof GcpPlatformStack>> = {
  [Cloud.AWS]: AwsPlatformStack,
  [Cloud.GCP]: GcpPlatformStack,
  [Cloud.AZURE]: AzurePlatformStack,
};
const BUILDABLE_CLOUDS: readonly Cloud[] = Object.values(Cloud).filter((c) => STACK_CLASSES[c] !== undefined);

/** Refuses configs this app cannot build (a cloud without stacks, two configs with one stack id) before anything is written. */
export function checkBuildable(configs: readonly ResolvedPlatformConfig[]): void {
  const ids = new Set<string>();
  for (const config of configs) {
    const id = stackIdFor(config);
    if (ids.has(id)) throw new UnbuildableConfigError(`two configs are named ${config.name}; stack ${id} would be defined twice`);
    ids.add(id);
    if (!BUILDABLE_CLOUDS.includes(config.cloud)) {
      throw new UnbuildableConfigError(`config ${config.name}: cloud ${config.cloud} validates, but its stack is not built yet; stacks exist for: ${BUILDABLE_CLOUDS.join(', ')}`);
    }
  }
}

/** Adds one stack per config to the app; clouds without stacks yet are refused with a clear message. */
export function addPlatformStacks(app: App, configs: readonly ResolvedPlatformConfig[]): void {
  checkBuildable(configs);
  for (const config of configs) {
    const Stack = STACK_CLASSES[config.cloud] as typeof AwsPlatformStack | typeof AzurePlatformStack | typeof GcpPlatformStack;
    new Stack(app, stackIdFor(config), { config });
  }
}

/** Loads and validates config files; the first invalid one throws a ConfigError listing every issue. */
export function loadConfigs(configFiles: readonly string[], options: RuleOptions = {}): ResolvedPlatformConfig[] {
  return configFiles.map((f) => loadConfigFile(f, options));
}

/** An app with one stack per (already validated) config; refused configs throw before the app touches `outdir`. */
export function appFor(configs: readonly ResolvedPlatformConfig[], outdir: string): App {
  checkBuildable(configs);
  const app = new App({ outdir, skipValidation: false });
  addPlatformStacks(app, configs);
  return app;
}

/** Loads config files (every error listed) and builds an app with their stacks. */
export function buildApp(configFiles: readonly string[], outdir: string, options: RuleOptions = {}): App {
  return appFor(loadConfigs(configFiles, options), outdir);
}

/**
 * Synthesizes the app and completes the cdktf layout: `manifest.json` names a `metadata.json` per stack, which cdktf
 * writes only for HCL output; for JSON output it is the stack's `//` block (metadata, backend, outputs), written here.
 * Returns the `cdk.tf.json` path of each stack, in manifest order.
 */
export function synthesize(app: App): string[] {
  app.synth();
  const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { synthesizedStackPath: string; stackMetadataPath: string }>;
  };
  return Object.values(manifest.stacks).map((stack) => {
    const stackFile = path.join(app.outdir, stack.synthesizedStackPath);
    const metadata = (JSON.parse(fs.readFileSync(stackFile, 'utf8')) as { '//'?: unknown })['//'] ?? {};
    fs.writeFileSync(path.join(app.outdir, stack.stackMetadataPath), `${JSON.stringify(metadata, null, 2)}\n`);
    return stackFile;
  });
}
