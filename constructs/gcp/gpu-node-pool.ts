import { ContainerNodePool } from '@cdktf/provider-google/lib/container-node-pool';
import { Construct } from 'constructs';
import { CapacityType, Cloud, GpuSku, skuByInstanceType } from '../catalog';
import { GCP_ACCELERATOR_TYPES } from '../catalog/gcp-sku-data';
import { GPU_TAINT, gpuNodeLabels } from '../platform';
import { baseNodeConfig } from './node-config';

/** Which driver GKE installs on GPU nodes (`gpu_driver_installation_config.gpu_driver_version`). */
export enum GpuDriverVersion {
  DEFAULT = 'DEFAULT',
  LATEST = 'LATEST',
}

/** Options shared by `new GpuNodePool(...)` and `platform.addGpuPool(...)`. */
export interface GpuNodePoolOptions {
  /** Pool name: the node pool is `gpu-<name>`; also the `vpctune.dev/pool` label. */
  readonly name: string;
  /** The catalog shape (machine type, accelerator, GPU count). */
  readonly sku: GpuSku;
  /** @default 0 — scale to zero */
  readonly minNodes?: number;
  readonly maxNodes: number;
  /** @default CapacityType.ON_DEMAND */
  readonly capacity?: CapacityType;
  /** @default 500 */
  readonly rootVolumeGiB?: number;
  /** @default - the cluster's zones */
  readonly zones?: readonly string[];
  /** @default GpuDriverVersion.LATEST */
  readonly driverVersion?: GpuDriverVersion;
}

export interface GpuNodePoolProps extends GpuNodePoolOptions {
  readonly project: string;
  readonly region: string;
  /** The cluster's id (`projects/P/locations/L/clusters/C`). */
  readonly clusterId: string;
  readonly nodeServiceAccountEmail: string;
  /** The Cloud KMS key the nodes' boot disks are encrypted with (CMEK). */
  readonly bootDiskKmsKey: string;
}

/**
 * A GKE node pool of one GPU shape from the catalog: GKE installs the NVIDIA driver (and runs its device plugin), the
 * platform's GPU taint and labels, autoscaling from zero (totals over the pool's zones), Spot or on-demand, private
 * nodes with no external IPs, the nodes' own least-privilege service account, boot disks under the platform's key.
 */
export class GpuNodePool extends Construct {
  public readonly nodePool: ContainerNodePool;
  public readonly labels: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: GpuNodePoolProps) {
    super(scope, id);
    const min = props.minNodes ?? 0;
    if (props.maxNodes < 1) throw new Error(`GpuNodePool ${props.name}: maxNodes ${props.maxNodes} must be at least 1`);
    if (min > props.maxNodes) throw new Error(`GpuNodePool ${props.name}: minNodes ${min} can't be greater than maxNodes ${props.maxNodes}`);
    const acceleratorType = GCP_ACCELERATOR_TYPES[props.sku.accelerator];
    if (props.sku.cloud !== Cloud.GCP || skuByInstanceType(Cloud.GCP, props.sku.instanceType) === undefined || acceleratorType === undefined) {
      throw new Error(`GpuNodePool ${props.name}: ${props.sku.cloud} shape ${props.sku.instanceType} is not a GCP GPU machine type from the catalog`);
    }
    const capacity = props.capacity ?? CapacityType.ON_DEMAND;
    if (props.sku.spotOnly === true && capacity !== CapacityType.SPOT) {
      throw new Error(`GpuNodePool ${props.name}: ${props.sku.instanceType} is sold only as spot capacity; set capacity to spot`);
    }
    this.labels = gpuNodeLabels(props.name, props.sku.accelerator);

    this.nodePool = new ContainerNodePool(this, 'nodes', {
      name: `gpu-${props.name}`,
      project: props.project,
      location: props.region,
      cluster: props.clusterId,
      ...(props.zones !== undefined ? { nodeLocations: [...props.zones] } : {}),
      initialNodeCount: 0,
      autoscaling: { totalMinNodeCount: min, totalMaxNodeCount: props.maxNodes, locationPolicy: 'ANY' },
      management: { autoRepair: true, autoUpgrade: true },
      networkConfig: { enablePrivateNodes: true },
      nodeConfig: {
        ...baseNodeConfig({ machineType: props.sku.instanceType, serviceAccountEmail: props.nodeServiceAccountEmail, labels: this.labels, diskSizeGb: props.rootVolumeGiB ?? 500, bootDiskKmsKey: props.bootDiskKmsKey }),
        spot: capacity === CapacityType.SPOT,
        guestAccelerator: [
          {
            type: acceleratorType,
            count: props.sku.gpuCount,
            gpuDriverInstallationConfig: { gpuDriverVersion: props.driverVersion ?? GpuDriverVersion.LATEST },
          },
        ],
        taint: [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: 'NO_SCHEDULE' }],
      },
      // The cluster autoscaler owns the node count once the pool exists.
      lifecycle: { ignoreChanges: ['initial_node_count'] },
    });
  }
}
