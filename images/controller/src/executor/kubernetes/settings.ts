/**
 * What the Kubernetes executor needs to know about the platform it runs on: the GPU pools (from the platform config),
 * where the bucket is, the trainer image, and the knobs of the Jobs it creates. `settingsFromConfig` derives them from
 * a `vpctune.yaml`, and `trainerStorageOf` the bucket URI from the controller's storage URL, both through the cloud
 * profile (`constructs/platform/cloud-profiles.ts`); every knob documents its default.
 */
import type { Cloud } from '../../../../../constructs/catalog';
import type { ResolvedPlatformConfig } from '../../../../../constructs/config';
import { cloudProfile, parseCloudStorageUrl, PLATFORM_NAMESPACE, StorageUrlError } from '../../../../../constructs/platform';
import { isLocalStorageUrl } from '../../storage/local-storage-url';
import type { PlacementPool } from './placement';

export interface KubernetesRunSettings {
  readonly cloud: Cloud;
  /** Cloud region, passed to the trainer where the cloud's SDK wants it (the profile's `podEnv`: AWS_REGION on AWS). */
  readonly region: string;
  readonly pools: readonly PlacementPool[];
  /** Namespace of Jobs, ConfigMaps and Services. @default vpctune (ARCHITECTURE.md, platform conventions) */
  readonly namespace: string;
  /** The trainer image (`…/trainer:TAG`), ideally by digest. */
  readonly trainerImage: string;
  /**
   * The storage URL the storage keys live under, in the cloud's form (the profile's `storage.urlForm`):
   * `s3://acme-artifacts-123[/PREFIX]`, `gs://…`, `az://ACCOUNT/CONTAINER[/PREFIX]`.
   */
  readonly bucketUri: string;
  /**
   * An object-store endpoint trainer pods use instead of the cloud's public one (an emulator, a sovereign cloud),
   * passed in the variable the cloud's SDK reads (the profile's `podEnv`). @default none: the cloud's endpoint
   */
  readonly storageEndpoint?: string;
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

export type RunSettingsOverrides = Partial<Omit<KubernetesRunSettings, 'cloud' | 'region' | 'pools'>>;

/**
 * Settings from a platform config. The bucket and image names are only known once the stack is deployed: without
 * them, the profile's default location (`s3://<name>-artifacts`, `gs://<name>-artifacts`,
 * `az://<name without dashes>/artifacts`) and `<name>/trainer:latest` stand in (placeholders for review output).
 */
export function settingsFromConfig(config: ResolvedPlatformConfig, overrides: RunSettingsOverrides = {}): KubernetesRunSettings {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as RunSettingsOverrides;
  const storage = cloudProfile(config.cloud).storage;
  return {
    ...DEFAULT_RUN_SETTINGS,
    cloud: config.cloud,
    region: config.region,
    pools: config.gpuPools,
    trainerImage: `${config.name}/trainer:latest`,
    bucketUri: storage.url(storage.defaultLocation(config.name)),
    ...defined,
  };
}

/** Checks settings that would otherwise produce manifests the API server rejects; returns one message per problem. */
export function settingsProblems(s: KubernetesRunSettings): string[] {
  const problems: string[] = [];
  const storage = cloudProfile(s.cloud).storage;
  try {
    if (storage.parse(s.bucketUri) === undefined) problems.push(`bucket ${JSON.stringify(s.bucketUri)} is not a bucket URI for cloud ${s.cloud}; allowed: ${storage.urlForm}`);
  } catch (err) {
    if (!(err instanceof StorageUrlError)) throw err;
    problems.push(`bucket ${JSON.stringify(s.bucketUri)}: ${err.message}`);
  }
  if (s.storageEndpoint !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(s.storageEndpoint)) {
    problems.push(`storage endpoint ${JSON.stringify(s.storageEndpoint)} is not an http(s) URL; allowed: https://HOST[/PATH] (an emulator or a sovereign cloud's endpoint)`);
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

/**
 * Where trainer pods find the controller's storage: the storage URL's cloud and its bucket URI (the same location and
 * prefix in the cloud's canonical form, without the `?region=` query only the controller's S3 client reads).
 * Undefined for local storage (a directory path or `file://`), which trainer pods cannot read. Throws
 * `StorageUrlError` naming the URL and what is allowed when it is malformed or of no cloud.
 */
export function trainerStorageOf(storageUrl: string): { readonly cloud: Cloud; readonly bucketUri: string } | undefined {
  if (isLocalStorageUrl(storageUrl)) return undefined;
  const { cloud, location, prefix } = parseCloudStorageUrl(storageUrl.replace(/[?#].*$/, ''));
  return { cloud, bucketUri: cloudProfile(cloud).storage.url(location, prefix) };
}
