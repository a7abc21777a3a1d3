import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, type TerraformStack } from 'cdktf';
import { parse } from 'yaml';
import { Cloud } from '../constructs/catalog';
import { loadConfigFile, ResolvedPlatformConfig, RuleOptions } from '../constructs/config';
import { AwsPlatformStack, stackIdFor } from './aws-platform-stack';
import { AzurePlatformStack } from './azure-platform-stack';
import { GcpPlatformStack } from './gcp-platform-stack';
import { InClusterStack, inClusterStackId } from './in-cluster-stack';
import { AwsInClusterStack } from './in-cluster-stack-aws';
import { AzureInClusterStack } from './in-cluster-stack-azure';
import { GcpInClusterStack } from './in-cluster-stack-gcp';

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
/** The in-cluster stack of each cloud: the shared one with the database Secret from the cloud's managed secret. */
const IN_CLUSTER_CLASSES: Partial<Record<Cloud, typeof InClusterStack>> = { [Cloud.AWS]: AwsInClusterStack, [Cloud.GCP]: GcpInClusterStack, [Cloud.AZURE]: AzureInClusterStack };
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

/**
 * Adds two stacks per config: the platform stack (`vpctune-<name>`: the cloud) and its in-cluster stack
 * (`vpctune-<name>-in-cluster`: Kueue, the database Secret, the vpctune chart), which depends on it and reads its
 * outputs from its state. `written[i]` is `configs[i]` as written (the controller's ConfigMap carries it).
 * Clouds without stacks yet are refused with a clear message.
 */
export function addPlatformStacks(app: App, configs: readonly ResolvedPlatformConfig[], written: readonly (Readonly<Record<string, unknown>> | undefined)[] = []): void {
  checkBuildable(configs);
  const platforms = configs.map((config) => {
    const Stack = STACK_CLASSES[config.cloud] as typeof AwsPlatformStack | typeof AzurePlatformStack | typeof GcpPlatformStack;
    return new Stack(app, stackIdFor(config), { config });
  });
  configs.forEach((config, i) => {
    const platform = platforms[i] as TerraformStack;
    const InCluster = IN_CLUSTER_CLASSES[config.cloud] ?? InClusterStack;
    const writtenConfig = written[i];
    const inCluster = new InCluster(app, inClusterStackId(platform.node.id), { config, platform, ...(writtenConfig !== undefined ? { writtenConfig } : {}) });
    inCluster.addDependency(platform);
  });
}

/** Config files as written (YAML, or JSON as YAML), for the controller's ConfigMap. */
export function writtenConfigs(configFiles: readonly string[]): Record<string, unknown>[] {
  return configFiles.map((f) => parse(fs.readFileSync(f, 'utf8')) as Record<string, unknown>);
}

/** Loads and validates config files; the first invalid one throws a ConfigError listing every issue. */
export function loadConfigs(configFiles: readonly string[], options: RuleOptions = {}): ResolvedPlatformConfig[] {
  return configFiles.map((f) => loadConfigFile(f, options));
}

/** An app with two stacks per (already validated) config (platform, in-cluster); refused configs throw before the app touches `outdir`. */
export function appFor(configs: readonly ResolvedPlatformConfig[], outdir: string, written: readonly (Readonly<Record<string, unknown>> | undefined)[] = []): App {
  checkBuildable(configs);
  const app = new App({ outdir, skipValidation: false });
  addPlatformStacks(app, configs, written);
  return app;
}

/** Loads config files (every error listed) and builds an app with their stacks. */
export function buildApp(configFiles: readonly string[], outdir: string, options: RuleOptions = {}): App {
  return appFor(loadConfigs(configFiles, options), outdir, writtenConfigs(configFiles));
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
