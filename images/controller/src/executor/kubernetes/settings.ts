/**
 * What the Kubernetes executor needs to know about the platform it runs on: the GPU pools (from the platform config),
 * where the bucket is, the trainer image, and the knobs of the Jobs it creates. `settingsFromConfig` derives them from
 * a `vpctune.yaml`; every knob documents its default.
 */
import { Cloud } from '../../../../../constructs/catalog';
import type { ResolvedPlatformConfig } from '../../../../../constructs/config';
import { PLATFORM_NAMESPACE } from '../../../../../constructs/platform';
import type { PlacementPool } from './placement';

export interface KubernetesRunSettings {
  readonly cloud: Cloud;
  /** Cloud region, passed to the trainer (AWS_REGION on AWS). */
  readonly region: string;
  readonly pools: readonly PlacementPool[];
  /** Namespace of Jobs, ConfigMaps and Services. @default vpctune (DESIGN.md) */
  readonly namespace: string;
  /** The trainer image (`…/trainer:TAG`), ideally by digest. */
  readonly trainerImage: string;
  /** Bucket (or Azure container) URI the storage keys live under: `s3://acme-artifacts-123`, `gs://…`, `az://container`. */
  readonly bucketUri: string;
  /** Azure only: the storage account URL the trainer's azure-storage-blob client uses. @default none */
  readonly azureStorageAccountUrl?: string;
  /** Create Jobs suspended with the Kueue queue label so Kueue admits them. @default true */
  readonly kueue: boolean;
  /** Pod failures the Job itself retries before it fails (preemptions are retried by the executor instead). @default 0 */
  readonly backoffLimit: number;
  /** Seconds a finished Job (and its pods, ConfigMap and Service) is kept for inspection. @default 86400 */
  readonly ttlSecondsAfterFinished: number;
  /** Wall-clock limit of one attempt, seconds. @default none */
  readonly activeDeadlineSeconds?: number;
  /** SIGTERM-to-SIGKILL grace of trainer pods: time to finish a step, checkpoint and upload it. @default 300 */
  readonly terminationGracePeriodSeconds: number;
  /** torchrun rendezvous port of multi-node runs. @default 29500 */
  readonly masterPort: number;
  /** Seconds a pod stays bound to an unreachable / not-ready node before it is evicted (spot node lost). @default 60 */
  readonly unreachableTolerationSeconds: number;
  /** `checkpoint_steps` written into specs of runs on spot pools (on top of epoch-end and SIGTERM checkpoints). @default 100 */
  readonly spotCheckpointSteps: number;
  /**
   * Request CPU and memory as the pod's share of the node (80% of vCPUs and memory per GPU share), with a memory
   * limit equal to the request. The Kueue ClusterQueue must then cover cpu and memory too. @default true
   */
  readonly hostResources: boolean;
}

export const DEFAULT_RUN_SETTINGS = {
  namespace: PLATFORM_NAMESPACE,
  kueue: true,
  backoffLimit: 0,
  ttlSecondsAfterFinished: 86_400,
  terminationGracePeriodSeconds: 300,
  masterPort: 29_500,
  unreachableTolerationSeconds: 60,
  spotCheckpointSteps: 100,
  hostResources: true,
} as const;

/** The object-store URI scheme the trainer understands per cloud (images/trainer/README.md, "Object stores"). */
export const BUCKET_SCHEME: Readonly<Record<Cloud, string>> = { [Cloud.AWS]: 's3', [Cloud.GCP]: 'gs', [Cloud.AZURE]: 'az' };

export type RunSettingsOverrides = Partial<Omit<KubernetesRunSettings, 'cloud' | 'region' | 'pools'>>;

/**
 * Settings from a platform config. The bucket and image names are only known once the stack is deployed: without
 * them, `<scheme>://<name>-artifacts` and `<name>/trainer:latest` stand in (placeholders for review output).
 */
export function settingsFromConfig(config: ResolvedPlatformConfig, overrides: RunSettingsOverrides = {}): KubernetesRunSettings {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as RunSettingsOverrides;
  return {
    ...DEFAULT_RUN_SETTINGS,
    cloud: config.cloud,
    region: config.region,
    pools: config.gpuPools,
    trainerImage: `${config.name}/trainer:latest`,
    bucketUri: `${BUCKET_SCHEME[config.cloud]}://${config.name}-artifacts`,
    ...(config.cloud === Cloud.AZURE ? { azureStorageAccountUrl: `https://${config.name.replace(/-/g, '').slice(0, 24)}.blob.core.windows.net` } : {}),
    ...defined,
  };
}

/** Checks settings that would otherwise produce manifests the API server rejects; returns one message per problem. */
export function settingsProblems(s: KubernetesRunSettings): string[] {
  const problems: string[] = [];
  const scheme = BUCKET_SCHEME[s.cloud];
  if (!new RegExp(`^${scheme}://[a-z0-9][a-z0-9._-]*[a-z0-9](/.*)?$`).test(s.bucketUri)) {
    problems.push(`bucket ${JSON.stringify(s.bucketUri)} is not a bucket URI for cloud ${s.cloud}; allowed: ${scheme}://NAME`);
  }
  if (s.cloud === Cloud.AZURE && (s.azureStorageAccountUrl === undefined || !/^https:\/\/[a-z0-9]{3,24}\.blob\./.test(s.azureStorageAccountUrl))) {
    problems.push(`storage account URL ${JSON.stringify(s.azureStorageAccountUrl ?? '')} is not an Azure Blob endpoint; allowed: https://ACCOUNT.blob.core.windows.net`);
  }
  if (s.trainerImage.trim() === '' || /\s/.test(s.trainerImage)) problems.push(`trainer image ${JSON.stringify(s.trainerImage)} is not an image reference`);
  const whole = (name: string, v: number | undefined, min: number, max: number): void => {
    if (v !== undefined && (!Number.isInteger(v) || v < min || v > max)) problems.push(`${name} ${v} is not a whole number from ${min} to ${max}`);
  };
  whole('backoffLimit', s.backoffLimit, 0, 100);
  whole('ttlSecondsAfterFinished', s.ttlSecondsAfterFinished, 0, 31_536_000);
  whole('activeDeadlineSeconds', s.activeDeadlineSeconds, 1, 31_536_000);
  whole('terminationGracePeriodSeconds', s.terminationGracePeriodSeconds, 1, 86_400);
  whole('masterPort', s.masterPort, 1, 65_535);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s.namespace) || s.namespace.length > 63) problems.push(`namespace ${JSON.stringify(s.namespace)} is not a DNS label`);
  return problems;
}
