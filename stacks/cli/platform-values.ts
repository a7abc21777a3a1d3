import * as fs from 'node:fs';
import { parse, stringify } from 'yaml';
import { loadConfigFile, type ResolvedPlatformConfig } from '../../constructs/config';
import { chartValuesFromConfig, IDENTITY_OUTPUTS, type PlatformOutputs } from '../../constructs/platform';
import type { CliIo } from './io';
import { parseIdentities } from './platform-identities';
import { platformOutputsFrom, readStackOutputs } from './platform-outputs';
import { ExitCode, UsageError } from './usage-error';

export interface PlatformValuesOptions {
  readonly config: string;
  /** The platform stack's `terraform output -json`. @default none: placeholders from the config (for review) */
  readonly outputs?: string;
  /** `SERVICE_ACCOUNT=VALUE` workload identities; they win over the outputs'. @default none */
  readonly identities: readonly string[];
  /** `SERVICE_ACCOUNT=ROLE_ARN`: the AWS spelling of `identities`. @default none */
  readonly roleArns: readonly string[];
  /** Evaluate date rules as of this day, YYYY-MM-DD. @default today */
  readonly today?: string;
}

/** The chart's values of a config, its stack outputs and identity flags, and the config they came from. */
export function platformValues(options: PlatformValuesOptions): { config: ResolvedPlatformConfig; values: Record<string, unknown> } {
  const config = loadConfigFile(options.config, options.today !== undefined ? { today: options.today } : {});
  const identities = parseIdentities(config.cloud, options.identities, options.roleArns);
  const fromStack: PlatformOutputs = options.outputs !== undefined ? platformOutputsFrom(config.cloud, options.outputs, readStackOutputs(options.outputs)) : {};
  const overrides = Object.fromEntries(Object.entries(identities).map(([sa, value]) => [IDENTITY_OUTPUTS[sa as keyof typeof IDENTITY_OUTPUTS], value]));
  // The controller's ConfigMap carries the config as written, so `serve` validates exactly what was deployed.
  const written = parse(fs.readFileSync(options.config, 'utf8')) as Record<string, unknown>;
  return { config, values: chartValuesFromConfig(config, { ...fromStack, ...overrides }, { writtenConfig: written }) };
}

/** The values as a YAML file a GitOps tool (Argo CD, Flux) or `helm install -f` takes, with where they came from. */
export function valuesYaml(options: PlatformValuesOptions, values: Record<string, unknown>): string {
  const from = options.outputs !== undefined ? `${options.config} and the stack outputs ${options.outputs}` : `${options.config} (no stack outputs: registry, bucket and identities are placeholders)`;
  return `# Values of the vpctune chart (charts/vpctune), written by \`vpctune platform values\` from ${from}.\n${stringify(values)}`;
}

/**
 * `vpctune platform values --config FILE [--outputs outputs.json] [--identity SA=VALUE ...] [--out FILE]`: the chart's
 * values from the platform config and the platform stack's outputs, as YAML on stdout or in `--out`.
 */
export async function runPlatformValues(options: PlatformValuesOptions & { readonly out?: string }, io: CliIo): Promise<number> {
  const { values } = platformValues(options);
  const yaml = valuesYaml(options, values);
  if (options.out === undefined) {
    io.stdout.write(yaml);
    return ExitCode.OK;
  }
  try {
    fs.writeFileSync(options.out, yaml);
  } catch (err) {
    throw new UsageError(`--out ${options.out}: cannot write it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  io.stderr.write(`wrote ${options.out}\n`);
  return ExitCode.OK;
}
