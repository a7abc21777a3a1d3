/**
 * Types of the one accelerator catalog. Data lives in the `*-data.ts` files beside this one; lookups in
 * `lookup.ts`. Nothing else in the code base lists instance types or GPU facts.
 */

/** The clouds vpctune deploys to. */
export enum Cloud {
  AWS = 'aws',
  GCP = 'gcp',
  AZURE = 'azure',
}

/** How a pool's nodes are bought: reclaimable spot capacity or on-demand. */
export enum CapacityType {
  SPOT = 'spot',
  ON_DEMAND = 'on-demand',
}

/** The accelerators a GPU pool can ask for (names as written in a platform config). */
export enum Accelerator {
  A10G = 'A10G',
  L40S = 'L40S',
  A100_40GB = 'A100-40GB',
  A100_80GB = 'A100-80GB',
  H100 = 'H100',
}

/** Where a fact came from, and when it was read. */
export interface Source {
  readonly url: string;
  /** ISO date (YYYY-MM-DD) the figure was taken from the source. */
  readonly asOf: string;
}

/** Per-GPU facts, independent of the cloud that rents it. */
export interface AcceleratorSpec {
  readonly name: Accelerator;
  readonly vendorModel: string;
  readonly architecture: 'ampere' | 'ada-lovelace' | 'hopper';
  readonly memoryGiB: number;
  /** Peak dense (no sparsity) bf16 tensor-core throughput, TFLOPS. */
  readonly peakBf16DenseTflops: number;
  /** Memory bandwidth, GB/s. */
  readonly memoryBandwidthGBps: number;
  readonly bf16: boolean;
  readonly source: Source;
}

/** Fast fabric between nodes, for multi-node training. */
export enum Interconnect {
  NONE = 'none',
  /** AWS Elastic Fabric Adapter. */
  EFA = 'efa',
  /** InfiniBand (Azure ND sizes). */
  INFINIBAND = 'infiniband',
  /** GCP GPUDirect-TCPX(O) on A3 machine types. */
  GPUDIRECT_TCPX = 'gpudirect-tcpx',
}

/** An hourly price in US dollars, with its source. */
export interface HourlyPrice {
  readonly usdPerHour: number;
  /** The region the price was read for. */
  readonly region: string;
  readonly source: Source;
}

/** One rentable machine shape: an instance type / machine type / VM size with GPUs attached. */
export interface GpuSku {
  readonly cloud: Cloud;
  /** The cloud's name for the shape: `g5.2xlarge`, `a2-highgpu-1g`, `Standard_NC24ads_A100_v4`. */
  readonly instanceType: string;
  readonly accelerator: Accelerator;
  readonly gpuCount: number;
  /** Memory of one GPU on this shape, GiB. */
  readonly gpuMemoryGiB: number;
  readonly vcpus: number;
  readonly memoryGiB: number;
  /** Local NVMe / SSD scratch, GB (0 when none). */
  readonly localNvmeGB: number;
  readonly interconnect: Interconnect;
  /**
   * EFA shapes (AWS): the EFA interfaces the shape takes, one per network card (p5.48xlarge 32, p4d 4, g6e.48xlarge
   * 4); a pool with `efa: true` attaches all of them for the full inter-node bandwidth. Undefined elsewhere.
   */
  readonly efaInterfaces?: number;
  /**
   * Azure sizes: whether the size supports encryption at host (temp disk and caches encrypted on the host; the
   * `EncryptionAtHostSupported` capability of `az vm list-skus`). Undefined elsewhere.
   */
  readonly encryptionAtHost?: boolean;
  readonly onDemand: HourlyPrice;
  /** Spot / preemptible price: a dated snapshot (spot prices move every few minutes). */
  readonly spotSnapshot: HourlyPrice;
  /** The shape chosen when a pool names only (accelerator, GPUs per node). One per combination. */
  readonly defaultForCount: boolean;
  /** True when the cloud rents this shape only as spot / flex-start capacity. */
  readonly spotOnly?: boolean;
  readonly notes?: string;
}

/** An explicit statement that a cloud does not sell an accelerator (or sells only some counts of it). */
export interface NotSold {
  readonly cloud: Cloud;
  readonly accelerator: Accelerator;
  /** GPU counts not sold; undefined means the accelerator is not sold at all on that cloud. */
  readonly gpuCounts?: readonly number[];
  readonly reason: string;
  readonly source: Source;
}

/** A Kubernetes minor version a managed service supports, until the end of its (extended) support. */
export interface KubernetesVersionSupport {
  readonly cloud: Cloud;
  /** `1.34` */
  readonly version: string;
  /** Last day the cloud supports the version (standard or extended support, whichever is later). */
  readonly endOfSupport: string;
  /** Last day of standard support (extended support costs extra on EKS). */
  readonly endOfStandardSupport: string;
  readonly source: Source;
}
