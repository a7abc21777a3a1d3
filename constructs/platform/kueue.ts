import type { ResolvedPlatformConfig } from '../config';
import { cloudProfile } from './cloud-profiles';
import { GPU_RESOURCE, GPU_TAINT, KUEUE_CLUSTER_QUEUE, KUEUE_LOCAL_QUEUE, PLATFORM_NAMESPACE, POOL_LABEL, gpuNodeLabels } from './conventions';

/** A Kubernetes object as plain JSON (what `kubectl apply` and GitOps tools take). */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec?: unknown;
}

export const KUEUE_API_VERSION = 'kueue.x-k8s.io/v1beta1';

/** Share of a node's vCPUs and memory the quota offers to training pods (the rest is system reserve). */
export const HOST_RESOURCE_SHARE = 0.8;

/** The ResourceFlavor of a GPU pool: named after the pool, matching its node labels and taint. */
export function resourceFlavorName(poolName: string): string {
  return `${PLATFORM_NAMESPACE}-${poolName}`;
}

/**
 * Kueue objects for a platform (ARCHITECTURE.md): one ResourceFlavor per GPU pool (its labels, the GPU taint and the taints
 * the cloud adds to the pool's nodes, with tolerations for the latter: AKS's Spot taint), one ClusterQueue
 * `vpctune` holding every flavor with quotas from the config (maxNodes x the shape's GPUs, and 80% of its vCPUs and
 * memory, so Jobs that request host resources are admitted), and the LocalQueue `vpctune` that Jobs name.
 */
export function kueueObjects(config: ResolvedPlatformConfig): KubernetesObject[] {
  const labels = { 'app.kubernetes.io/part-of': 'vpctune', 'vpctune.dev/platform': config.name };
  const profile = cloudProfile(config.cloud);
  const flavors: KubernetesObject[] = config.gpuPools.map((pool) => {
    const added = profile.addedTaints(pool.capacity);
    return {
      apiVersion: KUEUE_API_VERSION,
      kind: 'ResourceFlavor',
      metadata: { name: resourceFlavorName(pool.name), labels },
      spec: {
        nodeLabels: { ...gpuNodeLabels(pool.name, pool.gpu) },
        nodeTaints: [GPU_TAINT, ...added].map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
        // Kueue adds these to every Job it admits on the flavor (the executor's own pods carry them too).
        ...(added.length > 0 ? { tolerations: added.map((t) => ({ key: t.key, operator: 'Equal', value: t.value, effect: t.effect })) } : {}),
      },
    };
  });
  const clusterQueue: KubernetesObject = {
    apiVersion: KUEUE_API_VERSION,
    kind: 'ClusterQueue',
    metadata: { name: KUEUE_CLUSTER_QUEUE, labels },
    spec: {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': PLATFORM_NAMESPACE } },
      queueingStrategy: 'BestEffortFIFO',
      resourceGroups: [
        {
          coveredResources: ['cpu', 'memory', GPU_RESOURCE],
          flavors: config.gpuPools.map((pool) => ({
            name: resourceFlavorName(pool.name),
            resources: [
              { name: 'cpu', nominalQuota: `${Math.floor(pool.maxNodes * pool.sku.vcpus * HOST_RESOURCE_SHARE * 1000)}m` },
              { name: 'memory', nominalQuota: `${Math.floor(pool.maxNodes * pool.sku.memoryGiB * HOST_RESOURCE_SHARE * 1024)}Mi` },
              { name: GPU_RESOURCE, nominalQuota: pool.maxNodes * pool.sku.gpuCount },
            ],
          })),
        },
      ],
    },
  };
  const localQueue: KubernetesObject = {
    apiVersion: KUEUE_API_VERSION,
    kind: 'LocalQueue',
    metadata: { name: KUEUE_LOCAL_QUEUE, namespace: PLATFORM_NAMESPACE, labels },
    spec: { clusterQueue: KUEUE_CLUSTER_QUEUE },
  };
  return [...flavors, clusterQueue, localQueue];
}

/** The pool a ResourceFlavor stands for, from its node labels (for tools reading the objects back). */
export function poolOfFlavor(flavor: KubernetesObject): string | undefined {
  const spec = flavor.spec as { nodeLabels?: Record<string, string> } | undefined;
  return spec?.nodeLabels?.[POOL_LABEL];
}
