import { Accelerator, Cloud, NotSold } from './types';

/** What each cloud does NOT sell, stated explicitly so errors can say why, not just "not found". */
export const NOT_SOLD: readonly NotSold[] = [
  {
    cloud: Cloud.GCP,
    accelerator: Accelerator.A10G,
    reason: 'GCP does not offer the A10G (an AWS-specific part); its 24 GB option is the L4 (G2 machine types)',
    source: { url: 'https://cloud.google.com/compute/docs/gpus', asOf: '2025-10-01' },
  },
  {
    cloud: Cloud.GCP,
    accelerator: Accelerator.L40S,
    reason: 'GCP does not offer the L40S',
    source: { url: 'https://cloud.google.com/compute/docs/gpus', asOf: '2025-10-01' },
  },
  {
    cloud: Cloud.AZURE,
    accelerator: Accelerator.A10G,
    reason: "Azure does not offer the A10G; its NVads A10 v5 sizes carry the A10, a different part, often as GPU partitions",
    source: { url: 'https://learn.microsoft.com/en-us/azure/virtual-machines/sizes/gpu-accelerated/nvadsa10v5-series', asOf: '2025-10-01' },
  },
  {
    cloud: Cloud.AZURE,
    accelerator: Accelerator.L40S,
    reason: 'Azure does not offer the L40S',
    source: { url: 'https://learn.microsoft.com/en-us/azure/virtual-machines/sizes/overview#gpu-accelerated', asOf: '2025-10-01' },
  },
  {
    cloud: Cloud.AZURE,
    accelerator: Accelerator.A100_40GB,
    gpuCounts: [1, 2, 4],
    reason: 'Azure sells the A100 40 GB only as the 8-GPU Standard_ND96asr_v4',
    source: { url: 'https://learn.microsoft.com/en-us/azure/virtual-machines/sizes/gpu-accelerated/ndasra100v4-series', asOf: '2025-10-01' },
  },
  {
    cloud: Cloud.AZURE,
    accelerator: Accelerator.H100,
    gpuCounts: [1, 2],
    reason: 'Azure NC H100 v5 sizes (1 or 2 GPUs) carry the 94 GB H100 NVL, not the 80 GB H100; the H100 is sold as the 8-GPU Standard_ND96isr_H100_v5',
    source: { url: 'https://learn.microsoft.com/en-us/azure/virtual-machines/sizes/gpu-accelerated/ncch100v5-series', asOf: '2025-10-01' },
  },
];
