import { SkuRow, toSkus } from './sku-rows';
import { Accelerator, Cloud, GpuSku, Interconnect, Source } from './types';

/**
 * Azure GPU VM sizes, East US, Linux pay-as-you-go. NC A100 v4 carries PCIe A100 80 GB; ND A100 v4 (ND96asr_v4)
 * the 8-GPU A100 40 GB; NDm A100 v4 8x A100 80 GB; ND H100 v5 8x H100 80 GB SXM, all with InfiniBand.
 * The NC H100 v5 sizes carry the 94 GB H100 NVL, not the 80 GB H100, so they are not H100 rows (not-sold-data.ts).
 */
const ON_DEMAND: Source = { url: 'https://azure.microsoft.com/en-us/pricing/details/virtual-machines/linux/', asOf: '2025-10-01' };
const SPOT: Source = { url: 'https://azure.microsoft.com/en-us/pricing/spot-advisor/', asOf: '2025-10-01' };
/**
 * Encryption at host: every size here reports `EncryptionAtHostSupported = True` in `az vm list-skus` (the sizes
 * without it are the older NC, NV and H generations); the GPU pool enables it only where the row says so.
 */
export const ENCRYPTION_AT_HOST_SOURCE: Source = { url: 'https://learn.microsoft.com/en-us/azure/virtual-machines/disk-encryption#supported-vm-sizes', asOf: '2025-10-01' };
const N = Interconnect.NONE;
const IB = Interconnect.INFINIBAND;

// prettier-ignore
const ROWS: readonly SkuRow[] = [
  { type: 'Standard_NC24ads_A100_v4',  gpu: Accelerator.A100_80GB, gpus: 1, gpuGiB: 80, vcpus: 24, ramGiB: 220,  nvmeGB: 958,   fabric: N,  hostEncryption: true, onDemand: 3.673,  spot: 0.7346, isDefault: true },
  { type: 'Standard_NC48ads_A100_v4',  gpu: Accelerator.A100_80GB, gpus: 2, gpuGiB: 80, vcpus: 48, ramGiB: 440,  nvmeGB: 1916,  fabric: N,  hostEncryption: true, onDemand: 7.346,  spot: 1.4692, isDefault: true },
  { type: 'Standard_NC96ads_A100_v4',  gpu: Accelerator.A100_80GB, gpus: 4, gpuGiB: 80, vcpus: 96, ramGiB: 880,  nvmeGB: 3832,  fabric: N,  hostEncryption: true, onDemand: 14.692, spot: 2.9384, isDefault: true },
  { type: 'Standard_ND96amsr_A100_v4', gpu: Accelerator.A100_80GB, gpus: 8, gpuGiB: 80, vcpus: 96, ramGiB: 1900, nvmeGB: 6400,  fabric: IB, hostEncryption: true, onDemand: 32.77,  spot: 6.554,  isDefault: true },
  { type: 'Standard_ND96asr_v4',       gpu: Accelerator.A100_40GB, gpus: 8, gpuGiB: 40, vcpus: 96, ramGiB: 900,  nvmeGB: 6000,  fabric: IB, hostEncryption: true, onDemand: 27.197, spot: 5.4394, isDefault: true },
  { type: 'Standard_ND96isr_H100_v5',  gpu: Accelerator.H100,      gpus: 8, gpuGiB: 80, vcpus: 96, ramGiB: 1900, nvmeGB: 28000, fabric: IB, hostEncryption: true, onDemand: 98.32,  spot: 19.664, isDefault: true },
];

export const AZURE_GPU_SKUS: readonly GpuSku[] = toSkus({ cloud: Cloud.AZURE, region: 'eastus', onDemand: ON_DEMAND, spot: SPOT }, ROWS);
