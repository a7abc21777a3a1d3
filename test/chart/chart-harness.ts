/**
 * Renders and lints `charts/vpctune` with the real `helm` binary (kubernetes-tools.ts) for the chart tests: values
 * from `vpctune platform values` (platform-values.ts) for every example config, the outputs an AWS stack writes, and helpers over the
 * rendered objects.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { Cloud } from '../../constructs/catalog';
import { loadConfigFile, type ResolvedPlatformConfig } from '../../constructs/config';
import type { PlatformOutputs } from '../../constructs/platform/chart-values';
import { platformValues } from '../../stacks/cli/platform-values';
import { kubernetesTools, runTool, type ToolRun } from './kubernetes-tools';

export const REPO = path.resolve(__dirname, '..', '..');
export const CHART = path.join(REPO, 'charts', 'vpctune');
export const TODAY = { today: '2026-11-22' };

/** A rendered Kubernetes object, loosely typed for assertions. */
export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly spec?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly securityContext?: Record<string, unknown>;
  readonly resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readonly env?: { name: string; value?: string; valueFrom?: unknown }[];
  readonly args?: string[];
  readonly command?: string[];
  readonly [key: string]: unknown;
}

export interface PodSpec {
  readonly containers: Container[];
  readonly securityContext?: Record<string, unknown>;
  readonly volumes?: Record<string, unknown>[];
  readonly serviceAccountName?: string;
  readonly [key: string]: unknown;
}

const EXAMPLES = path.join(REPO, 'stacks', 'examples');

/** Every example config (stacks/examples), resolved. */
export function exampleConfigs(): Array<[string, ResolvedPlatformConfig]> {
  return fs
    .readdirSync(EXAMPLES)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => [f, loadConfigFile(path.join(EXAMPLES, f), TODAY)] as [string, ResolvedPlatformConfig]);
}

/** An example config as written (YAML is a superset of JSON). */
export function writtenExample(config: ResolvedPlatformConfig): Record<string, unknown> {
  const file = fs.readdirSync(EXAMPLES).find((f) => /\.(ya?ml|json)$/.test(f) && (parse(fs.readFileSync(path.join(EXAMPLES, f), 'utf8')) as { name?: string }).name === config.name);
  if (file === undefined) throw new Error(`no example named ${config.name}`);
  return parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')) as Record<string, unknown>;
}

/** Outputs shaped as the AWS platform stack writes them (stacks/aws-platform-stack.ts), for a deployed AWS config. */
export function awsOutputs(config: ResolvedPlatformConfig): PlatformOutputs {
  const account = '123456789012';
  const registry = `${account}.dkr.ecr.${config.region}.amazonaws.com/${config.name}`;
  return {
    bucket: `${config.name}-artifacts-20261122`,
    registry_controller: `${registry}/controller`,
    registry_trainer: `${registry}/trainer`,
    registry_server: `${registry}/server`,
    role_vpctune_controller: `arn:aws:iam::${account}:role/${config.name}-vpctune-controller`,
    role_vpctune_trainer: `arn:aws:iam::${account}:role/${config.name}-vpctune-trainer`,
    role_vpctune_server: `arn:aws:iam::${account}:role/${config.name}-vpctune-server`,
    cluster_name: config.name,
    cluster_autoscaler_role_arn: `arn:aws:iam::${account}:role/${config.name}-cluster-autoscaler`,
  };
}

/** An example's file (stacks/examples) from its config name. */
export function exampleFile(config: ResolvedPlatformConfig): string {
  const file = fs.readdirSync(EXAMPLES).find((f) => /\.(ya?ml|json)$/.test(f) && (parse(fs.readFileSync(path.join(EXAMPLES, f), 'utf8')) as { name?: string }).name === config.name);
  if (file === undefined) throw new Error(`no example named ${config.name}`);
  return path.join(EXAMPLES, file);
}

/** Outputs as `terraform output -json` writes them, in a file. */
export function terraformOutputsFile(outputs: PlatformOutputs): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-outputs-')), 'outputs.json');
  fs.writeFileSync(file, JSON.stringify(Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: v, type: Array.isArray(v) ? ['list', 'string'] : 'string', sensitive: false }]))));
  return file;
}

/**
 * The values of an example as `vpctune platform values` writes them (the config as written), with an AWS stack's
 * `terraform output -json` on AWS and no outputs elsewhere.
 */
export function exampleValues(config: ResolvedPlatformConfig): Record<string, unknown> {
  const outputs = config.cloud === Cloud.AWS ? { outputs: terraformOutputsFile(awsOutputs(config)) } : {};
  return platformValues({ config: exampleFile(config), ...outputs, identities: [], roleArns: [], ...TODAY }).values;
}

let home: string | undefined;
function helmHome(): string {
  home ??= fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-helm-'));
  return home;
}

function valuesFile(values: unknown): string {
  const file = path.join(fs.mkdtempSync(path.join(helmHome(), 'values-')), 'values.json');
  fs.writeFileSync(file, JSON.stringify(values));
  return file;
}

/** `helm lint --strict` of the chart with these values. */
export async function lintChart(values: unknown): Promise<ToolRun> {
  const { helm } = await kubernetesTools();
  return runTool(helm, ['lint', '--strict', CHART, '--namespace', 'vpctune', '-f', valuesFile(values)], helmHome());
}

/** `helm template` of the chart with these values; `objects` is empty when helm fails. */
export async function renderChart(values: unknown, options: { readonly namespace?: string; readonly set?: readonly string[] } = {}): Promise<ToolRun & { objects: RenderedObject[] }> {
  const { helm } = await kubernetesTools();
  const args = ['template', 'vpctune', CHART, '--namespace', options.namespace ?? 'vpctune', '-f', valuesFile(values), ...(options.set ?? []).flatMap((s) => ['--set', s])];
  const run = runTool(helm, args, helmHome());
  const objects = run.status === 0 ? parseAllDocuments(run.stdout).map((d) => d.toJS() as RenderedObject).filter((o) => o !== null) : [];
  return { ...run, objects };
}

/** `Kind/namespace/name` of an object, for listings. */
export const idOf = (o: RenderedObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** The pod template of a workload (Deployment, DaemonSet, Job), or undefined for other kinds. */
export function podSpecOf(o: RenderedObject): PodSpec | undefined {
  const template = (o.spec as { template?: { spec?: PodSpec } } | undefined)?.template;
  return ['Deployment', 'DaemonSet', 'StatefulSet', 'Job'].includes(o.kind) ? template?.spec : undefined;
}

export function find(objects: readonly RenderedObject[], kind: string, name: string): RenderedObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (o === undefined) throw new Error(`no ${kind}/${name} among ${objects.map(idOf).join(', ')}`);
  return o;
}

/** Deep-merges `override` into a copy of `base` (objects merge, everything else replaces), as Helm merges values. */
export function merged(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) {
    const b = out[k];
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && b !== null && typeof b === 'object' && !Array.isArray(b) ? merged(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}
