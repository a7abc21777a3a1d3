import { findSku, GpuSku, latestKubernetesVersion, skuByInstanceType } from '../catalog';
import { ConfigError, ConfigIssue, fromZodIssues } from './issues';
import { crossFieldIssues, RuleOptions } from './rules';
import { GpuPoolConfig, PlatformConfig, platformConfigSchema } from './schema';

export type ValidationResult =
  | { readonly ok: true; readonly config: ResolvedPlatformConfig; readonly issues: readonly [] }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

/** A GPU pool with its catalog shape resolved. */
export interface ResolvedGpuPool extends GpuPoolConfig {
  readonly sku: GpuSku;
}

/** A valid config with defaults applied, the Kubernetes version decided and each pool's shape resolved. */
export interface ResolvedPlatformConfig extends Omit<PlatformConfig, 'gpuPools' | 'kubernetes'> {
  readonly kubernetes: PlatformConfig['kubernetes'] & { readonly version: string };
  readonly gpuPools: readonly ResolvedGpuPool[];
}

/** Validates a parsed config object; collects every schema and cross-field issue. */
export function validateConfig(input: unknown, options: RuleOptions = {}): ValidationResult {
  const parsed = platformConfigSchema.safeParse(input);
  const issues = [...(parsed.success ? [] : fromZodIssues(platformConfigSchema, input, parsed.error.issues)), ...crossFieldIssues(input, options)];
  // The same field can be reported by both layers; keep the first message per path and text.
  const unique = issues.filter((i, n) => issues.findIndex((j) => j.path === i.path && j.message === i.message) === n);
  if (!parsed.success || unique.length > 0) return { ok: false, issues: unique };
  return { ok: true, config: resolve(parsed.data, options), issues: [] };
}

/** Like validateConfig, but throws a ConfigError listing every issue. */
export function parseConfig(input: unknown, options: RuleOptions & { readonly source?: string } = {}): ResolvedPlatformConfig {
  const result = validateConfig(input, options);
  if (!result.ok) throw new ConfigError(result.issues, options.source);
  return result.config;
}

function resolve(config: PlatformConfig, options: RuleOptions): ResolvedPlatformConfig {
  return {
    ...config,
    kubernetes: { ...config.kubernetes, version: config.kubernetes.version ?? latestKubernetesVersion(config.cloud, options.today) },
    gpuPools: config.gpuPools.map((p) => {
      const sku = p.instanceType !== undefined ? skuByInstanceType(config.cloud, p.instanceType) : findSku(config.cloud, p.gpu, p.gpusPerNode);
      if (sku === undefined) throw new Error(`internal: pool ${p.name} passed validation without a catalog shape`);
      return { ...p, sku };
    }),
  };
}
