import { ACCELERATORS } from './accelerator-data';
import { AWS_GPU_SKUS } from './aws-sku-data';
import { AZURE_GPU_SKUS } from './azure-sku-data';
import { GCP_GPU_SKUS } from './gcp-sku-data';
import { KUBERNETES_VERSIONS } from './kubernetes-version-data';
import { NOT_SOLD } from './not-sold-data';
import { Accelerator, AcceleratorSpec, Cloud, GpuSku, KubernetesVersionSupport, NotSold } from './types';

/** Every GPU shape of every cloud: the one table. */
export const GPU_SKUS: readonly GpuSku[] = [...AWS_GPU_SKUS, ...GCP_GPU_SKUS, ...AZURE_GPU_SKUS];

export const ALL_CLOUDS: readonly Cloud[] = [Cloud.AWS, Cloud.GCP, Cloud.AZURE];
export const ALL_ACCELERATORS: readonly Accelerator[] = [
  Accelerator.A10G,
  Accelerator.L40S,
  Accelerator.A100_40GB,
  Accelerator.A100_80GB,
  Accelerator.H100,
];

export function acceleratorSpec(accelerator: Accelerator): AcceleratorSpec {
  return ACCELERATORS[accelerator];
}

/** All shapes of a cloud, optionally of one accelerator, ordered by accelerator, GPU count, then price. */
export function skusFor(cloud: Cloud, accelerator?: Accelerator): readonly GpuSku[] {
  return GPU_SKUS.filter((s) => s.cloud === cloud && (accelerator === undefined || s.accelerator === accelerator)).sort(
    (a, b) =>
      ALL_ACCELERATORS.indexOf(a.accelerator) - ALL_ACCELERATORS.indexOf(b.accelerator) ||
      a.gpuCount - b.gpuCount ||
      a.onDemand.usdPerHour - b.onDemand.usdPerHour,
  );
}

/** The shape by its cloud name (`g5.2xlarge`), or undefined. */
export function skuByInstanceType(cloud: Cloud, instanceType: string): GpuSku | undefined {
  return GPU_SKUS.find((s) => s.cloud === cloud && s.instanceType === instanceType);
}

/** The default shape for (cloud, accelerator, GPUs per node), or undefined when the cloud does not sell it. */
export function findSku(cloud: Cloud, accelerator: Accelerator, gpusPerNode: number): GpuSku | undefined {
  return GPU_SKUS.find(
    (s) => s.cloud === cloud && s.accelerator === accelerator && s.gpuCount === gpusPerNode && s.defaultForCount,
  );
}

/** GPU counts per node a cloud sells for an accelerator, ascending (empty when not sold at all). */
export function gpuCountsSold(cloud: Cloud, accelerator: Accelerator): readonly number[] {
  return [...new Set(skusFor(cloud, accelerator).map((s) => s.gpuCount))].sort((a, b) => a - b);
}

/** `A10G x1, x4, x8; L40S x1, x4, x8; …` — what a cloud offers, for error messages. */
export function describeOffer(cloud: Cloud): string {
  return ALL_ACCELERATORS.map((a) => [a, gpuCountsSold(cloud, a)] as const)
    .filter(([, counts]) => counts.length > 0)
    .map(([a, counts]) => `${a} x${counts.join(', x')}`)
    .join('; ');
}

/** The explicit "not sold" statement covering (cloud, accelerator, count), if any. */
export function notSoldReason(cloud: Cloud, accelerator: Accelerator, gpusPerNode?: number): NotSold | undefined {
  return NOT_SOLD.find(
    (n) =>
      n.cloud === cloud &&
      n.accelerator === accelerator &&
      (n.gpuCounts === undefined || gpusPerNode === undefined || n.gpuCounts.includes(gpusPerNode)),
  );
}

/** Kubernetes versions the cloud supports on `today` (ISO date; default: the current date), oldest first. */
export function supportedKubernetesVersions(cloud: Cloud, today: string = isoToday()): readonly KubernetesVersionSupport[] {
  return KUBERNETES_VERSIONS.filter((v) => v.cloud === cloud && today <= v.endOfSupport).sort((a, b) =>
    compareVersions(a.version, b.version),
  );
}

/** The newest Kubernetes version the cloud supports today: the default for new clusters. */
export function latestKubernetesVersion(cloud: Cloud, today: string = isoToday()): string {
  const versions = supportedKubernetesVersions(cloud, today);
  const latest = versions[versions.length - 1];
  if (latest === undefined) throw new Error(`the catalog lists no Kubernetes version ${cloud} supports on ${today}; refresh constructs/catalog/kubernetes-version-data.ts`);
  return latest.version;
}

export function isoToday(): string {
  return new Date().toISOString().slice(0, 10);
}

function compareVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}
