import { Accelerator, Cloud, GpuSku, Interconnect, Source } from './types';

/** A compact literal row of a per-cloud SKU table; `toSkus` expands it to a `GpuSku`. */
export interface SkuRow {
  readonly type: string;
  readonly gpu: Accelerator;
  readonly gpus: number;
  readonly gpuGiB: number;
  readonly vcpus: number;
  readonly ramGiB: number;
  readonly nvmeGB: number;
  readonly fabric: Interconnect;
  /** EFA shapes: how many EFA interfaces the shape takes (one per network card). */
  readonly efaInterfaces?: number;
  /** Azure sizes: whether encryption at host is supported. */
  readonly hostEncryption?: boolean;
  readonly onDemand: number;
  readonly spot: number;
  readonly isDefault: boolean;
  readonly priceSource?: Source;
  readonly spotOnly?: boolean;
  readonly notes?: string;
}

export interface SkuTableSources {
  readonly cloud: Cloud;
  readonly region: string;
  readonly onDemand: Source;
  readonly spot: Source;
}

export function toSkus(table: SkuTableSources, rows: readonly SkuRow[]): readonly GpuSku[] {
  return rows.map((r) => ({
    cloud: table.cloud,
    instanceType: r.type,
    accelerator: r.gpu,
    gpuCount: r.gpus,
    gpuMemoryGiB: r.gpuGiB,
    vcpus: r.vcpus,
    memoryGiB: r.ramGiB,
    localNvmeGB: r.nvmeGB,
    interconnect: r.fabric,
    ...(r.efaInterfaces !== undefined ? { efaInterfaces: r.efaInterfaces } : {}),
    ...(r.hostEncryption !== undefined ? { encryptionAtHost: r.hostEncryption } : {}),
    onDemand: { usdPerHour: r.onDemand, region: table.region, source: r.priceSource ?? table.onDemand },
    spotSnapshot: { usdPerHour: r.spot, region: table.region, source: table.spot },
    defaultForCount: r.isDefault,
    ...(r.spotOnly === true ? { spotOnly: true } : {}),
    ...(r.notes !== undefined ? { notes: r.notes } : {}),
  }));
}
