import { AZURE_PROFILE, GpuNodePool } from '../../constructs/azure';
import { Accelerator, CapacityType, Cloud, findSku, GpuSku } from '../../constructs/catalog';
import { only, synthWith } from './helpers';

const sku = (gpu: Accelerator, n: number): GpuSku => findSku(Cloud.AZURE, gpu, n) as GpuSku;
const common = { kubernetesClusterId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c', nodeSubnetId: '/subnets/nodes' };

describe('Azure GpuNodePool', () => {
  test('GIVEN a Spot A100 x1 pool WHEN synthesized THEN catalog size, GPU and Spot taints, labels, autoscaling from 0, Spot Delete at any price, no public IPs, host encryption, AKS GPU driver', () => {
    // GIVEN
    const build = synthWith((scope) => new GpuNodePool(scope, 'pool', { ...common, name: 'a100', sku: sku(Accelerator.A100_80GB, 1), maxNodes: 4, capacity: CapacityType.SPOT }));
    // WHEN
    const pool = only(build, 'azurerm_kubernetes_cluster_node_pool');
    // THEN
    expect(pool).toMatchObject({
      name: 'a100',
      mode: 'User',
      vm_size: 'Standard_NC24ads_A100_v4',
      auto_scaling_enabled: true,
      min_count: 0,
      max_count: 4,
      node_labels: { 'vpctune.dev/pool': 'a100', 'vpctune.dev/gpu': 'A100-80GB' },
      node_taints: ['nvidia.com/gpu=present:NoSchedule', 'kubernetes.azure.com/scalesetpriority=spot:NoSchedule'],
      priority: 'Spot',
      eviction_policy: 'Delete',
      spot_max_price: -1,
      node_public_ip_enabled: false,
      host_encryption_enabled: true,
      gpu_driver: 'Install',
      vnet_subnet_id: '/subnets/nodes',
      os_disk_size_gb: 500,
      lifecycle: { ignore_changes: ['node_count'] },
    });
  });

  test('GIVEN Spot capacity WHEN the profile is asked THEN addedTaints returns the AKS Spot taint the pool declares', () => {
    // GIVEN
    const build = synthWith((scope) => new GpuNodePool(scope, 'pool', { ...common, name: 'spot', sku: sku(Accelerator.H100, 8), maxNodes: 1, capacity: CapacityType.SPOT }));
    // WHEN
    const added = AZURE_PROFILE.addedTaints(CapacityType.SPOT);
    // THEN
    expect(added).toEqual([{ key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' }]);
    expect(only(build, 'azurerm_kubernetes_cluster_node_pool').node_taints).toContain('kubernetes.azure.com/scalesetpriority=spot:NoSchedule');
    expect(AZURE_PROFILE.addedTaints(CapacityType.ON_DEMAND)).toEqual([]);
  });

  test('GIVEN an on-demand H100 x8 pool WHEN synthesized THEN Regular priority, only the GPU taint, no eviction settings', () => {
    // GIVEN / WHEN
    const pool = only(synthWith((scope) => new GpuNodePool(scope, 'pool', { ...common, name: 'h100', sku: sku(Accelerator.H100, 8), maxNodes: 2, minNodes: 1, rootVolumeGiB: 1000 })), 'azurerm_kubernetes_cluster_node_pool');
    // THEN
    expect(pool).toMatchObject({ vm_size: 'Standard_ND96isr_H100_v5', priority: 'Regular', min_count: 1, os_disk_size_gb: 1000, node_taints: ['nvidia.com/gpu=present:NoSchedule'] });
    expect(pool.eviction_policy).toBeUndefined();
    expect(pool.spot_max_price).toBeUndefined();
  });

  test('GIVEN a size without encryption at host in its catalog row WHEN synthesized THEN host encryption stays off', () => {
    // GIVEN
    const noHostEncryption: GpuSku = { ...sku(Accelerator.A100_80GB, 2), encryptionAtHost: false };
    // WHEN
    const pool = only(synthWith((scope) => new GpuNodePool(scope, 'pool', { ...common, name: 'a100x2', sku: noHostEncryption, maxNodes: 1 })), 'azurerm_kubernetes_cluster_node_pool');
    // THEN
    expect(pool.host_encryption_enabled).toBe(false);
  });

  test('GIVEN bad props WHEN constructed THEN each is refused naming the field, the value and what is allowed', () => {
    // GIVEN / WHEN / THEN
    const make = (o: Partial<ConstructorParameters<typeof GpuNodePool>[2]>) => () =>
      synthWith((scope) => new GpuNodePool(scope, 'p', { ...common, name: 'x', sku: sku(Accelerator.A100_80GB, 1), maxNodes: 2, ...o }));
    expect(make({ minNodes: 3 })).toThrow("GpuNodePool x: minNodes 3 can't be greater than maxNodes 2");
    expect(make({ name: 'gpu-pool' })).toThrow('GpuNodePool gpu-pool: name "gpu-pool" is not an AKS node pool name; allowed: 1-12 lowercase letters and digits, starting with a letter (AKS node pool names)');
    expect(make({ sku: findSku(Cloud.AWS, Accelerator.A10G, 1) as GpuSku })).toThrow('GpuNodePool x: aws shape g5.2xlarge is not an Azure GPU VM size from the catalog');
  });
});
