import { SkuRow, toSkus } from './sku-rows';
import { Accelerator, Cloud, GpuSku, Interconnect, Source } from './types';

/**
 * AWS EC2 GPU instance types, us-east-1, Linux on-demand prices. P4d/P4de/P5 prices are after AWS's
 * June 2025 GPU price reduction. Spot figures are a dated snapshot of the lowest us-east-1 price.
 */
const ON_DEMAND: Source = { url: 'https://aws.amazon.com/ec2/pricing/on-demand/', asOf: '2025-10-01' };
const P_PRICE_CUT: Source = {
  url: 'https://aws.amazon.com/about-aws/whats-new/2025/06/pricing-usage-model-ec2-instances-nvidia-gpus/',
  asOf: '2025-10-01',
};
const SPOT: Source = { url: 'https://aws.amazon.com/ec2/spot/pricing/', asOf: '2025-10-01' };
/**
 * EFA interfaces per shape = its network cards (the "Network cards" column of the accelerated-computing network
 * specifications; "P5 and P5e instances support up to 32 network cards ... G6e instances support up to four").
 */
export const EFA_INTERFACES_SOURCE: Source = { url: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/efa-acc-inst-types.html', asOf: '2025-10-01' };
const E = Interconnect.EFA;
const N = Interconnect.NONE;

// prettier-ignore
const ROWS: readonly SkuRow[] = [
  // G5: NVIDIA A10G 24 GB. EFA on 8xlarge and larger.
  { type: 'g5.xlarge',    gpu: Accelerator.A10G, gpus: 1, gpuGiB: 24, vcpus: 4,   ramGiB: 16,   nvmeGB: 250,  fabric: N, onDemand: 1.006,  spot: 0.4224, isDefault: false },
  { type: 'g5.2xlarge',   gpu: Accelerator.A10G, gpus: 1, gpuGiB: 24, vcpus: 8,   ramGiB: 32,   nvmeGB: 450,  fabric: N, onDemand: 1.212,  spot: 0.4848, isDefault: true },
  { type: 'g5.4xlarge',   gpu: Accelerator.A10G, gpus: 1, gpuGiB: 24, vcpus: 16,  ramGiB: 64,   nvmeGB: 600,  fabric: N, onDemand: 1.624,  spot: 0.6496, isDefault: false },
  { type: 'g5.8xlarge',   gpu: Accelerator.A10G, gpus: 1, gpuGiB: 24, vcpus: 32,  ramGiB: 128,  nvmeGB: 900,  fabric: E, efaInterfaces: 1,  onDemand: 2.448,  spot: 0.9792, isDefault: false },
  { type: 'g5.16xlarge',  gpu: Accelerator.A10G, gpus: 1, gpuGiB: 24, vcpus: 64,  ramGiB: 256,  nvmeGB: 1900, fabric: E, efaInterfaces: 1,  onDemand: 4.096,  spot: 1.6384, isDefault: false },
  { type: 'g5.12xlarge',  gpu: Accelerator.A10G, gpus: 4, gpuGiB: 24, vcpus: 48,  ramGiB: 192,  nvmeGB: 3800, fabric: E, efaInterfaces: 1,  onDemand: 5.672,  spot: 2.2688, isDefault: true },
  { type: 'g5.24xlarge',  gpu: Accelerator.A10G, gpus: 4, gpuGiB: 24, vcpus: 96,  ramGiB: 384,  nvmeGB: 3800, fabric: E, efaInterfaces: 1,  onDemand: 8.144,  spot: 3.2576, isDefault: false },
  { type: 'g5.48xlarge',  gpu: Accelerator.A10G, gpus: 8, gpuGiB: 24, vcpus: 192, ramGiB: 768,  nvmeGB: 7600, fabric: E, efaInterfaces: 1,  onDemand: 16.288, spot: 6.5152, isDefault: true },
  // G6e: NVIDIA L40S 48 GB. EFA on 8xlarge and larger.
  { type: 'g6e.xlarge',   gpu: Accelerator.L40S, gpus: 1, gpuGiB: 48, vcpus: 4,   ramGiB: 32,   nvmeGB: 250,  fabric: N, onDemand: 1.861,  spot: 0.8375, isDefault: false },
  { type: 'g6e.2xlarge',  gpu: Accelerator.L40S, gpus: 1, gpuGiB: 48, vcpus: 8,   ramGiB: 64,   nvmeGB: 450,  fabric: N, onDemand: 2.242,  spot: 1.0089, isDefault: true },
  { type: 'g6e.4xlarge',  gpu: Accelerator.L40S, gpus: 1, gpuGiB: 48, vcpus: 16,  ramGiB: 128,  nvmeGB: 600,  fabric: N, onDemand: 3.004,  spot: 1.3518, isDefault: false },
  { type: 'g6e.8xlarge',  gpu: Accelerator.L40S, gpus: 1, gpuGiB: 48, vcpus: 32,  ramGiB: 256,  nvmeGB: 900,  fabric: E, efaInterfaces: 1,  onDemand: 4.529,  spot: 2.0381, isDefault: false },
  { type: 'g6e.16xlarge', gpu: Accelerator.L40S, gpus: 1, gpuGiB: 48, vcpus: 64,  ramGiB: 512,  nvmeGB: 1900, fabric: E, efaInterfaces: 1,  onDemand: 7.577,  spot: 3.4097, isDefault: false },
  { type: 'g6e.12xlarge', gpu: Accelerator.L40S, gpus: 4, gpuGiB: 48, vcpus: 48,  ramGiB: 384,  nvmeGB: 3800, fabric: E, efaInterfaces: 1,  onDemand: 10.493, spot: 4.7219, isDefault: true },
  { type: 'g6e.24xlarge', gpu: Accelerator.L40S, gpus: 4, gpuGiB: 48, vcpus: 96,  ramGiB: 768,  nvmeGB: 3800, fabric: E, efaInterfaces: 2,  onDemand: 15.066, spot: 6.7797, isDefault: false },
  { type: 'g6e.48xlarge', gpu: Accelerator.L40S, gpus: 8, gpuGiB: 48, vcpus: 192, ramGiB: 1536, nvmeGB: 7600, fabric: E, efaInterfaces: 4,  onDemand: 30.131, spot: 13.559, isDefault: true },
  // P4d / P4de: NVIDIA A100 SXM4 40 / 80 GB, 4x100 Gbps EFA.
  { type: 'p4d.24xlarge', gpu: Accelerator.A100_40GB, gpus: 8, gpuGiB: 40, vcpus: 96, ramGiB: 1152, nvmeGB: 8000, fabric: E, efaInterfaces: 4, onDemand: 21.958, spot: 9.8811, isDefault: true, priceSource: P_PRICE_CUT },
  { type: 'p4de.24xlarge', gpu: Accelerator.A100_80GB, gpus: 8, gpuGiB: 80, vcpus: 96, ramGiB: 1152, nvmeGB: 8000, fabric: E, efaInterfaces: 4, onDemand: 27.447, spot: 12.351, isDefault: true, priceSource: P_PRICE_CUT, notes: 'Limited regional availability (us-east-1, us-west-2); often via Capacity Blocks.' },
  // P5: NVIDIA H100 SXM5 80 GB.
  { type: 'p5.4xlarge',   gpu: Accelerator.H100, gpus: 1, gpuGiB: 80, vcpus: 16,  ramGiB: 256,  nvmeGB: 3840,  fabric: N, onDemand: 6.88,  spot: 3.096,  isDefault: true, priceSource: P_PRICE_CUT },
  { type: 'p5.48xlarge',  gpu: Accelerator.H100, gpus: 8, gpuGiB: 80, vcpus: 192, ramGiB: 2048, nvmeGB: 30720, fabric: E, efaInterfaces: 32,  onDemand: 55.04, spot: 24.768, isDefault: true, priceSource: P_PRICE_CUT, notes: '3200 Gbps EFA.' },
];

export const AWS_GPU_SKUS: readonly GpuSku[] = toSkus(
  { cloud: Cloud.AWS, region: 'us-east-1', onDemand: ON_DEMAND, spot: SPOT },
  ROWS,
);
