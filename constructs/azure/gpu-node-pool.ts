import { KubernetesClusterNodePool } from '@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool';
import { Construct } from 'constructs';
import { CapacityType, Cloud, GpuSku, skuByInstanceType } from '../catalog';
import { GPU_TAINT, gpuNodeLabels } from '../platform/conventions';
import { AZURE_PROFILE } from './profile';

/** Options shared by `new GpuNodePool(...)` and `platform.addGpuPool(...)`. */
export interface GpuNodePoolOptions {
  /** AKS node pool name (1-12 lowercase letters and digits) and the `vpctune.dev/pool` label. */
  readonly name: string;
  /** The catalog shape (VM size, accelerator, GPU count). */
  readonly sku: GpuSku;
  /** @default 0 — scale to zero */
  readonly minNodes?: number;
  readonly maxNodes: number;
  /** @default CapacityType.ON_DEMAND (AKS priority Regular) */
  readonly capacity?: CapacityType;
  /** OS disk size, GiB. @default 500 */
  readonly rootVolumeGiB?: number;
}

export interface GpuNodePoolProps extends GpuNodePoolOptions {
  readonly kubernetesClusterId: string;
  readonly nodeSubnetId: string;
}

/** `key=value:Effect`, as AKS writes node taints. */
export function aksTaint(t: { readonly key: string; readonly value: string; readonly effect: string }): string {
  return `${t.key}=${t.value}:${t.effect}`;
}

/**
 * An AKS user node pool of one GPU size from the catalog: the GPU taint (plus the taint AKS itself puts on Spot
 * pools, declared so plans stay clean), pool and GPU labels, autoscaling from zero, Spot (evicted nodes deleted, no
 * price cap) or Regular priority, no public node IPs, encryption at host where the size supports it, and the NVIDIA
 * driver installed by AKS.
 */
export class GpuNodePool extends Construct {
  public readonly nodePool: KubernetesClusterNodePool;
  public readonly labels: Readonly<Record<string, string>>;
  public readonly taints: readonly string[];

  constructor(scope: Construct, id: string, props: GpuNodePoolProps) {
    super(scope, id);
    const min = props.minNodes ?? 0;
    if (!AZURE_PROFILE.poolName.pattern.test(props.name)) {
      throw new Error(`GpuNodePool ${props.name}: name ${JSON.stringify(props.name)} is not an AKS node pool name; allowed: ${AZURE_PROFILE.poolName.allowed}`);
    }
    if (min > props.maxNodes) throw new Error(`GpuNodePool ${props.name}: minNodes ${min} can't be greater than maxNodes ${props.maxNodes}`);
    if (props.maxNodes < 1) throw new Error(`GpuNodePool ${props.name}: maxNodes ${props.maxNodes} must be at least 1`);
    if (props.sku.cloud !== Cloud.AZURE || skuByInstanceType(Cloud.AZURE, props.sku.instanceType) === undefined) {
      throw new Error(`GpuNodePool ${props.name}: ${props.sku.cloud} shape ${props.sku.instanceType} is not an Azure GPU VM size from the catalog`);
    }
    const capacity = props.capacity ?? CapacityType.ON_DEMAND;
    const spot = capacity === CapacityType.SPOT;
    this.labels = gpuNodeLabels(props.name, props.sku.accelerator);
    this.taints = [GPU_TAINT, ...AZURE_PROFILE.addedTaints(capacity)].map(aksTaint);

    this.nodePool = new KubernetesClusterNodePool(this, 'pool', {
      name: props.name,
      kubernetesClusterId: props.kubernetesClusterId,
      mode: 'User',
      vmSize: props.sku.instanceType,
      vnetSubnetId: props.nodeSubnetId,
      osType: 'Linux',
      osSku: 'Ubuntu',
      osDiskSizeGb: props.rootVolumeGiB ?? 500,
      autoScalingEnabled: true,
      minCount: min,
      maxCount: props.maxNodes,
      nodeLabels: { ...this.labels },
      nodeTaints: [...this.taints],
      nodePublicIpEnabled: false,
      hostEncryptionEnabled: props.sku.encryptionAtHost === true,
      gpuDriver: 'Install',
      priority: spot ? 'Spot' : 'Regular',
      ...(spot ? { evictionPolicy: 'Delete', spotMaxPrice: -1 } : {}),
      // The cluster autoscaler owns the node count once the pool exists.
      lifecycle: { ignoreChanges: ['node_count'] },
    });
  }
}
