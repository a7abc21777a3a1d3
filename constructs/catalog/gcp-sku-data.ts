import { SkuRow, toSkus } from './sku-rows';
import { Accelerator, Cloud, GpuSku, Interconnect, Source } from './types';

/**
 * Google Compute Engine accelerator-optimized machine types, us-central1. A2 standard carries A100 40 GB,
 * A2 ultra A100 80 GB (local SSD included), A3 High H100 80 GB. a3-highgpu-1g/2g/4g are offered only as Spot or
 * flex-start (DWS) capacity. GCP sells no A10G and no L40S (see not-sold-data.ts).
 */
const ON_DEMAND: Source = { url: 'https://cloud.google.com/compute/vm-instance-pricing#accelerator-optimized', asOf: '2025-10-01' };
const SPOT: Source = { url: 'https://cloud.google.com/spot-vms/pricing', asOf: '2025-10-01' };
const N = Interconnect.NONE;
const T = Interconnect.GPUDIRECT_TCPX;

// prettier-ignore
const ROWS: readonly SkuRow[] = [
  { type: 'a2-highgpu-1g',  gpu: Accelerator.A100_40GB, gpus: 1, gpuGiB: 40, vcpus: 12,  ramGiB: 85,   nvmeGB: 0,    fabric: N, onDemand: 3.673,  spot: 1.1018, isDefault: true },
  { type: 'a2-highgpu-2g',  gpu: Accelerator.A100_40GB, gpus: 2, gpuGiB: 40, vcpus: 24,  ramGiB: 170,  nvmeGB: 0,    fabric: N, onDemand: 7.347,  spot: 2.2036, isDefault: true },
  { type: 'a2-highgpu-4g',  gpu: Accelerator.A100_40GB, gpus: 4, gpuGiB: 40, vcpus: 48,  ramGiB: 340,  nvmeGB: 0,    fabric: N, onDemand: 14.694, spot: 4.4072, isDefault: true },
  { type: 'a2-highgpu-8g',  gpu: Accelerator.A100_40GB, gpus: 8, gpuGiB: 40, vcpus: 96,  ramGiB: 680,  nvmeGB: 0,    fabric: N, onDemand: 29.387, spot: 8.8144, isDefault: true },
  { type: 'a2-megagpu-16g', gpu: Accelerator.A100_40GB, gpus: 16, gpuGiB: 40, vcpus: 96, ramGiB: 1360, nvmeGB: 0,    fabric: N, onDemand: 55.739, spot: 17.629, isDefault: true },
  { type: 'a2-ultragpu-1g', gpu: Accelerator.A100_80GB, gpus: 1, gpuGiB: 80, vcpus: 12,  ramGiB: 170,  nvmeGB: 375,  fabric: N, onDemand: 5.069,  spot: 1.5702, isDefault: true },
  { type: 'a2-ultragpu-2g', gpu: Accelerator.A100_80GB, gpus: 2, gpuGiB: 80, vcpus: 24,  ramGiB: 340,  nvmeGB: 750,  fabric: N, onDemand: 10.138, spot: 3.1404, isDefault: true },
  { type: 'a2-ultragpu-4g', gpu: Accelerator.A100_80GB, gpus: 4, gpuGiB: 80, vcpus: 48,  ramGiB: 680,  nvmeGB: 1500, fabric: N, onDemand: 20.277, spot: 6.2808, isDefault: true },
  { type: 'a2-ultragpu-8g', gpu: Accelerator.A100_80GB, gpus: 8, gpuGiB: 80, vcpus: 96,  ramGiB: 1360, nvmeGB: 3000, fabric: N, onDemand: 40.554, spot: 12.562, isDefault: true },
  { type: 'a3-highgpu-1g',  gpu: Accelerator.H100, gpus: 1, gpuGiB: 80, vcpus: 26,  ramGiB: 234,  nvmeGB: 750,  fabric: N, onDemand: 11.061, spot: 2.8156, isDefault: true, spotOnly: true },
  { type: 'a3-highgpu-2g',  gpu: Accelerator.H100, gpus: 2, gpuGiB: 80, vcpus: 52,  ramGiB: 468,  nvmeGB: 1500, fabric: N, onDemand: 22.123, spot: 5.6312, isDefault: true, spotOnly: true },
  { type: 'a3-highgpu-4g',  gpu: Accelerator.H100, gpus: 4, gpuGiB: 80, vcpus: 104, ramGiB: 936,  nvmeGB: 3000, fabric: N, onDemand: 44.245, spot: 11.262, isDefault: true, spotOnly: true },
  { type: 'a3-highgpu-8g',  gpu: Accelerator.H100, gpus: 8, gpuGiB: 80, vcpus: 208, ramGiB: 1872, nvmeGB: 6000, fabric: T, onDemand: 88.49,  spot: 22.525, isDefault: true, notes: 'GPUDirect-TCPX between nodes.' },
];

export const GCP_GPU_SKUS: readonly GpuSku[] = toSkus({ cloud: Cloud.GCP, region: 'us-central1', onDemand: ON_DEMAND, spot: SPOT }, ROWS);

/** Compute Engine accelerator type names GKE's `guest_accelerator.type` takes, per accelerator GCP sells. */
export const GCP_ACCELERATOR_TYPES: Readonly<Partial<Record<Accelerator, string>>> = {
  [Accelerator.A100_40GB]: 'nvidia-tesla-a100',
  [Accelerator.A100_80GB]: 'nvidia-a100-80gb',
  [Accelerator.H100]: 'nvidia-h100-80gb',
};
export const GCP_ACCELERATOR_TYPES_SOURCE: Source = { url: 'https://cloud.google.com/compute/docs/gpus', asOf: '2025-10-01' };

/**
 * Zones of a region that sell each accelerator, for the regions the catalog prices (us-central1). A pool in a region
 * listed here is placed in these zones; elsewhere it takes the cluster's zones.
 */
export const GCP_GPU_ZONES: Readonly<Record<string, Readonly<Partial<Record<Accelerator, readonly string[]>>>>> = {
  'us-central1': {
    [Accelerator.A100_40GB]: ['us-central1-a', 'us-central1-b', 'us-central1-c', 'us-central1-f'],
    [Accelerator.A100_80GB]: ['us-central1-a', 'us-central1-c'],
    [Accelerator.H100]: ['us-central1-a', 'us-central1-c'],
  },
};
export const GCP_GPU_ZONES_SOURCE: Source = { url: 'https://cloud.google.com/compute/docs/gpus/gpu-regions-zones', asOf: '2025-10-01' };

/** The zones of `region` that sell `accelerator`, or undefined when the catalog does not know that region. */
export function gcpGpuZones(region: string, accelerator: Accelerator): readonly string[] | undefined {
  return GCP_GPU_ZONES[region]?.[accelerator];
}
