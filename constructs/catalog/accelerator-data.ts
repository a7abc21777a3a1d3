import { Accelerator, AcceleratorSpec } from './types';

/**
 * Per-GPU facts from the vendors' data sheets. Peak figures are dense (no 2:4 sparsity).
 * A10G is AWS's variant of the A10 with lower tensor throughput than the A10 (125 TFLOPS).
 */
export const ACCELERATORS: Readonly<Record<Accelerator, AcceleratorSpec>> = {
  [Accelerator.A10G]: {
    name: Accelerator.A10G,
    vendorModel: 'NVIDIA A10G (AWS variant of A10)',
    architecture: 'ampere',
    memoryGiB: 24,
    peakBf16DenseTflops: 70,
    memoryBandwidthGBps: 600,
    bf16: true,
    source: { url: 'https://www.baseten.co/blog/nvidia-a10-vs-a10g-for-ml-model-inference/', asOf: '2025-10-01' },
  },
  [Accelerator.L40S]: {
    name: Accelerator.L40S,
    vendorModel: 'NVIDIA L40S',
    architecture: 'ada-lovelace',
    memoryGiB: 48,
    peakBf16DenseTflops: 362.05,
    memoryBandwidthGBps: 864,
    bf16: true,
    source: { url: 'https://www.nvidia.com/en-us/data-center/l40s/', asOf: '2025-10-01' },
  },
  [Accelerator.A100_40GB]: {
    name: Accelerator.A100_40GB,
    vendorModel: 'NVIDIA A100 40GB SXM4',
    architecture: 'ampere',
    memoryGiB: 40,
    peakBf16DenseTflops: 312,
    memoryBandwidthGBps: 1555,
    bf16: true,
    source: { url: 'https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf', asOf: '2025-10-01' },
  },
  [Accelerator.A100_80GB]: {
    name: Accelerator.A100_80GB,
    vendorModel: 'NVIDIA A100 80GB SXM4',
    architecture: 'ampere',
    memoryGiB: 80,
    peakBf16DenseTflops: 312,
    memoryBandwidthGBps: 2039,
    bf16: true,
    source: { url: 'https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf', asOf: '2025-10-01' },
  },
  [Accelerator.H100]: {
    name: Accelerator.H100,
    vendorModel: 'NVIDIA H100 80GB SXM5',
    architecture: 'hopper',
    memoryGiB: 80,
    peakBf16DenseTflops: 989,
    memoryBandwidthGBps: 3350,
    bf16: true,
    source: { url: 'https://www.nvidia.com/en-us/data-center/h100/', asOf: '2025-10-01' },
  },
};
