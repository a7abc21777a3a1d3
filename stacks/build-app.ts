import { App } from 'cdktf';
import { Cloud } from '../constructs/catalog';
import { loadConfigFile, ResolvedPlatformConfig, RuleOptions } from '../constructs/config';
import { AwsPlatformStack, stackIdFor } from './aws-platform-stack';
import { AzurePlatformStack } from './azure-platform-stack';

/** A config that validates but names a cloud (or a duplicate name) this app cannot build. */
export class UnbuildableConfigError extends Error {}

/** The bundled default config: every accelerator on AWS. */
export const DEFAULT_CONFIG = 'stacks/examples/aws-all-gpus.yaml';

/** Adds one stack per config to the app; clouds without stacks yet are refused with a clear message. */
export function addPlatformStacks(app: App, configs: readonly ResolvedPlatformConfig[]): void {
  const ids = new Set<string>();
  for (const config of configs) {
    const id = stackIdFor(config);
    if (ids.has(id)) throw new UnbuildableConfigError(`two configs are named ${config.name}; stack ${id} would be defined twice`);
    ids.add(id);
    switch (config.cloud) {
      case Cloud.AWS:
        new AwsPlatformStack(app, id, { config });
        break;
      case Cloud.AZURE:
        new AzurePlatformStack(app, id, { config });
        break;
      case Cloud.GCP:
        throw new UnbuildableConfigError(`config ${config.name}: cloud ${config.cloud} validates, but its stack is not built yet; stacks exist for: aws, azure`);
    }
  }
}

/** Loads and validates config files; the first invalid one throws a ConfigError listing every issue. */
export function loadConfigs(configFiles: readonly string[], options: RuleOptions = {}): ResolvedPlatformConfig[] {
  return configFiles.map((f) => loadConfigFile(f, options));
}

/** An app with one stack per (already validated) config. */
export function appFor(configs: readonly ResolvedPlatformConfig[], outdir: string): App {
  const app = new App({ outdir, skipValidation: false });
  addPlatformStacks(app, configs);
  return app;
}

/** Loads config files (every error listed) and builds an app with their stacks. */
export function buildApp(configFiles: readonly string[], outdir: string, options: RuleOptions = {}): App {
  return appFor(loadConfigs(configFiles, options), outdir);
}
