/**
 * Values of the `charts/vpctune` Helm chart from a platform config and, once deployed, its stack outputs: the one
 * bridge between the typed config and the chart, so `helm template`, the in-cluster stack and GitOps tools install the
 * same objects. Per-cloud facts come from the cloud profile; the chart itself holds no cloud logic.
 */
import { Interconnect } from '../catalog';
import type { ResolvedPlatformConfig } from '../config';
import { cloudProfile } from './cloud-profiles';
import { HOST_RESOURCE_SHARE, ServiceAccount } from './conventions';
import { servingServiceName } from './serving-names';

/**
 * Stack outputs the values use (names as the platform stack writes them: `terraform output -json` values, or one
 * stack's entry of cdktf's outputs file). Every field is optional: without it a documented placeholder stands in.
 */
export interface PlatformOutputs {
  /** The platform bucket. @default the cloud profile's default location for the platform name */
  readonly bucket?: string;
  /** Registry repository URLs. @default `<name>/controller`, `<name>/trainer`, `<name>/server` (placeholders for review) */
  readonly registry_controller?: string;
  readonly registry_trainer?: string;
  readonly registry_server?: string;
  /** Workload identities of the three service accounts (role ARN, service account email or client id). @default none */
  readonly role_vpctune_controller?: string;
  readonly role_vpctune_trainer?: string;
  readonly role_vpctune_server?: string;
  /** The Kubernetes cluster name. @default the platform name */
  readonly cluster_name?: string;
  /** The cluster autoscaler's IAM role: present only where the platform runs the autoscaler itself (AWS). @default none: no autoscaler */
  readonly cluster_autoscaler_role_arn?: string;
  /**
   * Where pods reach the Kubernetes API (the control plane's private range where it is not in the VPC, e.g. a GKE
   * master CIDR). @default the config's network.cidr (EKS puts its endpoint's interfaces in the cluster subnets)
   */
  readonly kubernetes_api_cidrs?: readonly string[];
}

/** The service account each identity output belongs to (the stack writes one output per account). */
export const IDENTITY_OUTPUTS: Readonly<Record<ServiceAccount, keyof PlatformOutputs>> = {
  [ServiceAccount.CONTROLLER]: 'role_vpctune_controller',
  [ServiceAccount.TRAINER]: 'role_vpctune_trainer',
  [ServiceAccount.SERVER]: 'role_vpctune_server',
};

/** Names the chart's values take beside the outputs. */
export interface ChartValuesOptions {
  /** Image tag of the controller and the trainer. @default the chart's appVersion, 0.1.0 */
  readonly imageTag?: string;
  /** The Secret holding the database URL (created by the in-cluster stack or by hand). @default vpctune-database, key url */
  readonly databaseUrlSecret?: { readonly name: string; readonly key: string };
  /**
   * The config as written (the parsed file): the controller's ConfigMap carries it unchanged, so `serve` validates
   * exactly what the platform was deployed from. @default - the resolved config without catalog shapes, which some
   * cross-field rules refuse once defaults are filled in (network.natGateways with network.egress none)
   */
  readonly writtenConfig?: Readonly<Record<string, unknown>>;
  /** Where the controller reaches PostgreSQL (an external database). @default the config's network.cidr (RDS in the private subnets) */
  readonly databaseCidrs?: readonly string[];
}

export const DEFAULT_IMAGE_TAG = '0.1.0';
export const DATABASE_URL_SECRET = { name: 'vpctune-database', key: 'url' } as const;

/**
 * The cluster autoscaler release per Kubernetes minor (its minor must match the cluster's), newest patch known.
 * Source: https://github.com/kubernetes/autoscaler/releases (as of 2026-11-01).
 */
export const CLUSTER_AUTOSCALER_TAGS: Readonly<Record<string, string>> = {
  '1.31': 'v1.31.0',
  '1.32': 'v1.32.7',
  '1.33': 'v1.33.5',
  '1.34': 'v1.34.3',
  '1.35': 'v1.35.1',
};

/** The platform config as the controller reads it from its ConfigMap: the resolved config without catalog shapes. */
export function configForController(config: ResolvedPlatformConfig): Record<string, unknown> {
  return { ...config, gpuPools: config.gpuPools.map(({ sku: _sku, ...pool }) => pool) };
}

/** A pool's ClusterQueue quota: maxNodes x the shape's GPUs, and 80% of its vCPUs and memory. */
export function poolQuota(pool: ResolvedPlatformConfig['gpuPools'][number]): { cpu: string; memory: string; gpus: number } {
  return {
    cpu: `${Math.floor(pool.maxNodes * pool.sku.vcpus * HOST_RESOURCE_SHARE * 1000)}m`,
    memory: `${Math.floor(pool.maxNodes * pool.sku.memoryGiB * HOST_RESOURCE_SHARE * 1024)}Mi`,
    gpus: pool.maxNodes * pool.sku.gpuCount,
  };
}

/** A served model's pod: the whole node of its pool (tensor-parallel over its GPUs), 80% of its vCPUs and memory. */
export function servingModels(config: ResolvedPlatformConfig): Record<string, unknown>[] {
  return config.serving.map((entry) => {
    const pool = config.gpuPools.find((p) => p.name === entry.pool);
    if (pool === undefined) throw new Error(`chartValuesFromConfig: serving model ${entry.model} names pool ${entry.pool}; pools: ${config.gpuPools.map((p) => p.name).join(', ')}`);
    return {
      name: servingServiceName(entry.model),
      model: entry.model,
      pool: pool.name,
      gpus: pool.sku.gpuCount,
      replicas: entry.replicas,
      maxLoras: entry.maxLoras,
      maxLoraRank: entry.maxLoraRank,
      maxCpuLoras: entry.maxCpuLoras ?? 4 * entry.maxLoras,
      resources: { cpu: `${Math.floor(pool.sku.vcpus * HOST_RESOURCE_SHARE * 1000)}m`, memory: `${Math.floor(pool.sku.memoryGiB * HOST_RESOURCE_SHARE * 1024)}Mi` },
    };
  });
}

/** Pools whose nodes get EFA devices (the chart's EFA device plugin runs there): `efa: true` on an EFA shape (AWS). */
export function efaPools(config: ResolvedPlatformConfig): ResolvedPlatformConfig['gpuPools'] {
  return config.gpuPools.filter((p) => p.efa && p.sku.interconnect === Interconnect.EFA);
}

function repository(url: string | undefined, fallback: string): string {
  return (url ?? fallback).replace(/:[^/:]+$/, '');
}

/** The chart's values for a config (and its outputs when deployed). */
export function chartValuesFromConfig(config: ResolvedPlatformConfig, outputs: PlatformOutputs = {}, options: ChartValuesOptions = {}): Record<string, unknown> {
  const profile = cloudProfile(config.cloud);
  const tag = options.imageTag ?? DEFAULT_IMAGE_TAG;
  const location = outputs.bucket !== undefined ? { ...profile.storage.defaultLocation(config.name), bucket: outputs.bucket } : profile.storage.defaultLocation(config.name);
  const autoscalerTag = CLUSTER_AUTOSCALER_TAGS[config.kubernetes.version];
  if (outputs.cluster_autoscaler_role_arn !== undefined && autoscalerTag === undefined) {
    throw new Error(`chartValuesFromConfig: no cluster autoscaler release known for Kubernetes ${config.kubernetes.version}; known: ${Object.keys(CLUSTER_AUTOSCALER_TAGS).join(', ')}`);
  }
  const efa = efaPools(config);
  const podEnv = profile.podEnv({ region: config.region }).map((e) => ({ name: e.name, value: e.value }));
  return {
    platform: { name: config.name, config: options.writtenConfig ?? configForController(config) },
    workloadIdentity: { annotationKey: profile.workloadIdentity.annotationKey, podLabels: { ...profile.workloadIdentity.podLabels } },
    serviceAccounts: {
      controller: { identity: outputs[IDENTITY_OUTPUTS[ServiceAccount.CONTROLLER]] ?? '' },
      trainer: { identity: outputs[IDENTITY_OUTPUTS[ServiceAccount.TRAINER]] ?? '' },
      server: { identity: outputs[IDENTITY_OUTPUTS[ServiceAccount.SERVER]] ?? '' },
    },
    controller: {
      image: { repository: repository(outputs.registry_controller, `${config.name}/controller`), tag, digest: '', pullPolicy: 'IfNotPresent' },
      storageUrl: profile.storage.url(location),
      logLevel: 'info',
      maxJobs: 64,
      maxJobsPerProject: 8,
      env: podEnv,
      database: { urlSecret: { ...(options.databaseUrlSecret ?? DATABASE_URL_SECRET) }, caBundle: { configMap: '', key: 'ca.pem' } },
      apiKeySecret: { name: '', key: 'api-key' },
      resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
      service: { type: 'ClusterIP', port: 80 },
      podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
      serviceMonitor: { enabled: false, interval: '30s', labels: {} },
    },
    trainer: { image: { repository: repository(outputs.registry_trainer, `${config.name}/trainer`), tag, digest: '' } },
    serving: {
      image: { repository: repository(outputs.registry_server, `${config.name}/server`), tag, digest: '', pullPolicy: 'IfNotPresent' },
      env: podEnv,
      models: servingModels(config),
    },
    networkPolicy: {
      enabled: true,
      apiIngressFrom: [],
      kubernetesApiCidrs: [...(outputs.kubernetes_api_cidrs ?? [config.network.cidr])],
      databaseCidrs: [...(options.databaseCidrs ?? [config.network.cidr])],
      objectStoreCidrs: ['0.0.0.0/0'],
    },
    pools: config.gpuPools.map((p) => ({
      name: p.name,
      gpu: p.gpu,
      efa: efa.includes(p),
      quota: poolQuota(p),
      addedTaints: profile.addedTaints(p.capacity).map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
    })),
    kueue: { enabled: true, queueingStrategy: 'BestEffortFIFO' },
    devicePlugins: {
      nvidia: { enabled: profile.runsNvidiaDevicePlugin && config.gpuPools.length > 0 },
      efa: { enabled: profile.supportsEfa && efa.length > 0 },
    },
    clusterAutoscaler:
      outputs.cluster_autoscaler_role_arn !== undefined
        ? {
            enabled: true,
            clusterName: outputs.cluster_name ?? config.name,
            region: config.region,
            roleArn: outputs.cluster_autoscaler_role_arn,
            image: { repository: 'registry.k8s.io/autoscaling/cluster-autoscaler', tag: autoscalerTag, digest: '' },
          }
        : { enabled: false },
  };
}
