import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { Release } from '@cdktf/provider-helm/lib/release';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { AssetType, Fn, TerraformAsset, TerraformOutput, TerraformStack, type TerraformRemoteState } from 'cdktf';
import { Construct } from 'constructs';
import type { ResolvedPlatformConfig } from '../constructs/config';
import { ALL_SERVICE_ACCOUNTS, chartValuesFromConfig, cloudProfile, DATABASE_URL_SECRET, IDENTITY_OUTPUTS, PLATFORM_NAMESPACE, type PlatformOutputs } from '../constructs/platform';
import { vpctuneChartDir } from './cli/platform-chart';
import { databaseUrl, type DatabaseUrlParts } from './in-cluster-stack-database';
import { IN_CLUSTER_SUFFIX, platformRemoteState } from './in-cluster-stack-state';

/**
 * Kueue's Helm chart, pinned: its CRDs and controller (the vpctune chart's ResourceFlavors and queues need them).
 * Kueue 0.14 serves the `kueue.x-k8s.io/v1beta1` API the chart writes. Source:
 * https://github.com/kubernetes-sigs/kueue/releases/tag/v0.14.2 (as of 2026-11-01).
 */
export const KUEUE_CHART = { repository: 'oci://registry.k8s.io/kueue/charts', chart: 'kueue', version: '0.14.2', namespace: 'kueue-system' } as const;

/** The value of Kueue's chart that names its controller image repository (the tag stays the chart's: the pinned version). */
export const KUEUE_IMAGE_VALUE = 'controllerManager.manager.image.repository';

/** The vpctune chart's release name (the chart's object names do not depend on it). */
export const VPCTUNE_RELEASE = 'vpctune';

export interface InClusterStackProps {
  readonly config: ResolvedPlatformConfig;
  /** The config as written: the controller's ConfigMap carries it unchanged. @default the resolved config */
  readonly writtenConfig?: Readonly<Record<string, unknown>>;
  /** The platform stack of the same config: its backend locates its state and its outputs say what exists. */
  readonly platform: TerraformStack;
}

/** The in-cluster stack id of a platform stack: `<platform stack>-in-cluster`. */
export function inClusterStackId(platformStackId: string): string {
  return `${platformStackId}-${IN_CLUSTER_SUFFIX}`;
}

/** Names of the outputs a stack declares. */
function outputNames(stack: TerraformStack): Set<string> {
  return new Set(stack.node.children.filter((c) => c instanceof TerraformOutput).map((c) => c.node.id));
}

/**
 * Escapes Terraform template sequences in literal text (`${` → `$${`, `%{` → `%%{`) so a config value is passed
 * through as written; references to other resources (cdktf tokens) stay references.
 */
export function escapeTemplateLiterals(text: string): string {
  return text.replace(/\$\{(?!TfToken\[)/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/**
 * The platform's in-cluster layer as a stack of its own, applied after the platform stack: Kueue's chart (pinned; from
 * the config's `kueue` mirror when set), the `vpctune` namespace, the database URL Secret where the platform stack has a
 * database (each cloud's subclass reads its managed secret; none with `database.external: true`), and the vpctune chart
 * (`charts/vpctune`, copied into the synthesized stack as an asset) with the values of `chartValuesFromConfig` from
 * the platform stack's outputs. The Kubernetes and Helm providers reach the cluster from those outputs and sign in
 * with the cloud's exec plugin (the cloud profile's `platformStack.credentialExec`). Separate state, so a private
 * endpoint's users apply it from inside the network (the bastion) or replace it with GitOps (`vpctune platform values`).
 */
export class InClusterStack extends TerraformStack {
  public readonly platformState: TerraformRemoteState;
  public readonly kueue: Release;
  public readonly namespace: NamespaceV1;
  public readonly vpctune: Release;

  constructor(scope: Construct, id: string, props: InClusterStackProps) {
    super(scope, id);
    const c = props.config;
    const facts = cloudProfile(c.cloud).platformStack;
    this.platformState = platformRemoteState(this, props.platform);
    const state = this.platformState;
    const available = outputNames(props.platform);

    const host = facts.apiServerUrl(state.getString('cluster_endpoint'));
    const ca = Fn.base64decode(state.getString('cluster_ca_certificate'));
    const exec = facts.credentialExec(state.getString('cluster_name'), c.region);
    new KubernetesProvider(this, 'kubernetes', { host, clusterCaCertificate: ca, exec: [{ apiVersion: exec.apiVersion, command: exec.command, args: [...exec.args] }] });
    new HelmProvider(this, 'helm', { kubernetes: { host, clusterCaCertificate: ca, exec: { apiVersion: exec.apiVersion, command: exec.command, args: [...exec.args] } } });

    this.kueue = new Release(this, 'kueue', {
      name: 'kueue',
      repository: c.kueue?.chartRepository ?? KUEUE_CHART.repository,
      chart: KUEUE_CHART.chart,
      version: KUEUE_CHART.version,
      namespace: KUEUE_CHART.namespace,
      createNamespace: true,
      wait: true,
      atomic: true,
      ...(c.kueue?.imageRepository !== undefined ? { set: [{ name: KUEUE_IMAGE_VALUE, value: c.kueue.imageRepository }] } : {}),
    });
    this.namespace = new NamespaceV1(this, 'namespace', {
      metadata: { name: PLATFORM_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'vpctune', 'vpctune.dev/platform': c.name } },
    });
    const parts = c.database.external ? undefined : this.databaseUrlParts(c, state, available);
    const databaseSecret = parts === undefined ? undefined : new SecretV1(this, 'database-url', {
      metadata: { name: DATABASE_URL_SECRET.name, namespace: this.namespace.metadata.name, labels: { 'app.kubernetes.io/part-of': 'vpctune' } },
      type: 'Opaque',
      data: { [DATABASE_URL_SECRET.key]: databaseUrl(parts) },
    });

    const text = (name: string): string | undefined => (available.has(name) ? state.getString(name) : undefined);
    const outputs: Record<string, unknown> = {
      bucket: text(facts.bucketOutput),
      registry_controller: text('registry_controller'),
      registry_trainer: text('registry_trainer'),
      registry_server: text('registry_server'),
      cluster_name: text('cluster_name'),
      cluster_autoscaler_role_arn: text('cluster_autoscaler_role_arn'),
      kubernetes_api_cidrs: available.has('kubernetes_api_cidrs') ? state.getList('kubernetes_api_cidrs') : undefined,
    };
    for (const sa of ALL_SERVICE_ACCOUNTS) outputs[IDENTITY_OUTPUTS[sa]] = text(`${facts.identityOutputPrefix}_${sa.replace(/-/g, '_')}`);
    const defined = Object.fromEntries(Object.entries(outputs).filter(([, v]) => v !== undefined)) as PlatformOutputs;
    const values = chartValuesFromConfig(c, defined, props.writtenConfig !== undefined ? { writtenConfig: props.writtenConfig } : {});

    const chart = new TerraformAsset(this, 'vpctune-chart', { path: vpctuneChartDir(), type: AssetType.DIRECTORY });
    this.vpctune = new Release(this, 'vpctune', {
      name: VPCTUNE_RELEASE,
      chart: chart.path,
      namespace: this.namespace.metadata.name,
      values: [escapeTemplateLiterals(JSON.stringify(values))],
      wait: true,
      // serving pods wait for GPU nodes the autoscaler starts from zero
      timeout: 1200,
      atomic: true,
      dependsOn: [this.kueue, ...(databaseSecret !== undefined ? [databaseSecret] : [])],
    });
  }

  /**
   * What the `vpctune-database` Secret's URL (key `url`) is built from, where the platform stack has a database (its
   * `database_endpoint` output and the cloud's secret outputs): the cloud's subclass configures the provider its data
   * source needs and reads the managed secret. Not called with `database.external: true` (the user creates the Secret).
   * @default none: the Secret is created by hand
   */
  protected databaseUrlParts(_config: ResolvedPlatformConfig, _state: TerraformRemoteState, _outputs: ReadonlySet<string>): DatabaseUrlParts | undefined {
    return undefined;
  }
}
