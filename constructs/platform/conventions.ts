import { Accelerator } from '../catalog';

/**
 * Platform conventions shared by stacks, controller, chart and trainer (ARCHITECTURE.md). Change them here only.
 */
export const PLATFORM_NAMESPACE = 'vpctune';

/** Kubernetes service accounts the cloud workload identities trust. */
export enum ServiceAccount {
  CONTROLLER = 'vpctune-controller',
  TRAINER = 'vpctune-trainer',
  SERVER = 'vpctune-server',
}
export const ALL_SERVICE_ACCOUNTS: readonly ServiceAccount[] = [ServiceAccount.CONTROLLER, ServiceAccount.TRAINER, ServiceAccount.SERVER];

/** The taint every GPU node carries. */
export const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' } as const;

/** Node labels naming the pool and the accelerator; the controller schedules with them. */
export const POOL_LABEL = 'vpctune.dev/pool';
export const GPU_LABEL = 'vpctune.dev/gpu';
/** The extended resource the NVIDIA device plugin advertises. */
export const GPU_RESOURCE = 'nvidia.com/gpu';

export function gpuNodeLabels(poolName: string, accelerator: Accelerator): Readonly<Record<string, string>> {
  return { [POOL_LABEL]: poolName, [GPU_LABEL]: accelerator };
}

/**
 * Object-store prefixes; workload identities are scoped to these. The bucket lifecycle expires `jobs/` (staging,
 * trainer output, checkpoints) only: what a user can download lives under `files/`, `results/`, `models/` and
 * `adapters/`, which never expire.
 */
export enum BucketPrefix {
  FILES = 'files/',
  JOBS = 'jobs/',
  /** A finished job's result files (metrics JSONL, weights tar), kept as long as their file records. */
  RESULTS = 'results/',
  MODELS = 'models/',
  ADAPTERS = 'adapters/',
}

/** Which prefixes each workload may read and write. */
export const BUCKET_ACCESS: Readonly<Record<ServiceAccount, { readonly read: readonly BucketPrefix[]; readonly write: readonly BucketPrefix[] }>> = {
  [ServiceAccount.CONTROLLER]: {
    read: [BucketPrefix.FILES, BucketPrefix.JOBS, BucketPrefix.RESULTS, BucketPrefix.MODELS, BucketPrefix.ADAPTERS],
    write: [BucketPrefix.FILES, BucketPrefix.JOBS, BucketPrefix.RESULTS, BucketPrefix.MODELS, BucketPrefix.ADAPTERS],
  },
  [ServiceAccount.TRAINER]: {
    read: [BucketPrefix.FILES, BucketPrefix.MODELS, BucketPrefix.JOBS],
    // adapters/ for LoRA and QLoRA, models/ for full fine-tunes: the trainer publishes servable weights (spec publish_dir).
    write: [BucketPrefix.JOBS, BucketPrefix.ADAPTERS, BucketPrefix.MODELS],
  },
  [ServiceAccount.SERVER]: {
    read: [BucketPrefix.MODELS, BucketPrefix.ADAPTERS],
    write: [],
  },
};

/** Kueue objects: one ResourceFlavor per pool, one ClusterQueue and one LocalQueue. */
export const KUEUE_CLUSTER_QUEUE = 'vpctune';
export const KUEUE_LOCAL_QUEUE = 'vpctune';
export const KUEUE_QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';

/**
 * Share of a GPU node's vCPUs and memory offered to platform pods (the rest is the system reserve): the ClusterQueue's
 * cpu and memory quotas (the chart, from `poolQuota`), a trainer Job's requests (the controller's executor) and a
 * serving pod's requests all use it, so a pool full of whole-node Jobs is admitted.
 */
export const HOST_RESOURCE_SHARE = 0.8;

/** Images built from images/: one registry repository each. */
export enum PlatformImage {
  CONTROLLER = 'controller',
  TRAINER = 'trainer',
  SERVER = 'server',
}
export const ALL_IMAGES: readonly PlatformImage[] = [PlatformImage.CONTROLLER, PlatformImage.TRAINER, PlatformImage.SERVER];
