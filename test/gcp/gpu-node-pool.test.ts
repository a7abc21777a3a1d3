import { Accelerator, CapacityType, Cloud, findSku, skusFor } from '../../constructs/catalog';
import { GpuDriverVersion, GpuNodePool, GpuNodePoolProps, gpuPoolZones } from '../../constructs/gcp';
import { only, synthWith } from './helpers';

const BASE: Omit<GpuNodePoolProps, 'sku' | 'name' | 'maxNodes'> = {
  project: 'acme-ml-prod',
  region: 'us-central1',
  clusterId: 'projects/acme-ml-prod/locations/us-central1/clusters/acme',
  nodeServiceAccountEmail: 'acme-nodes@acme-ml-prod.iam.gserviceaccount.com',
  bootDiskKmsKey: 'projects/acme-ml-prod/locations/us-central1/keyRings/acme/cryptoKeys/node-disks',
};
const A100_80 = findSku(Cloud.GCP, Accelerator.A100_80GB, 1)!;
const H100_1 = findSku(Cloud.GCP, Accelerator.H100, 1)!;

describe('GCP GpuNodePool', () => {
  test('GIVEN a Spot A100 80 GB pool WHEN synthesized THEN the catalog machine type and accelerator, GKE-installed driver, taint, labels, scale from zero, no public IPs', () => {
    // GIVEN / WHEN
    const p = only(synthWith((scope) => new GpuNodePool(scope, 'pool', { ...BASE, name: 'a100', sku: A100_80, maxNodes: 4, capacity: CapacityType.SPOT, zones: ['us-central1-a'] })), 'google_container_node_pool');
    // THEN
    expect(p).toMatchObject({
      name: 'gpu-a100',
      cluster: BASE.clusterId,
      node_locations: ['us-central1-a'],
      initial_node_count: 0,
      autoscaling: { total_min_node_count: 0, total_max_node_count: 4, location_policy: 'ANY' },
      network_config: { enable_private_nodes: true },
      node_config: {
        machine_type: 'a2-ultragpu-1g',
        spot: true,
        guest_accelerator: [{ type: 'nvidia-a100-80gb', count: 1, gpu_driver_installation_config: { gpu_driver_version: 'LATEST' } }],
        taint: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NO_SCHEDULE' }],
        labels: { 'vpctune.dev/pool': 'a100', 'vpctune.dev/gpu': 'A100-80GB' },
        service_account: BASE.nodeServiceAccountEmail,
        shielded_instance_config: { enable_secure_boot: true, enable_integrity_monitoring: true },
        disk_size_gb: 500,
        boot_disk_kms_key: BASE.bootDiskKmsKey,
      },
    });
  });

  test.each(skusFor(Cloud.GCP).map((s) => [s.instanceType, s] as const))('GIVEN catalog shape %s WHEN synthesized THEN machine type, accelerator type and count match the catalog', (_type, sku) => {
    // GIVEN / WHEN
    const capacity = sku.spotOnly === true ? CapacityType.SPOT : CapacityType.ON_DEMAND;
    const p = only(synthWith((scope) => new GpuNodePool(scope, 'pool', { ...BASE, name: 'p', sku, maxNodes: 1, capacity })), 'google_container_node_pool');
    // THEN
    const expectedType = { [Accelerator.A100_40GB]: 'nvidia-tesla-a100', [Accelerator.A100_80GB]: 'nvidia-a100-80gb', [Accelerator.H100]: 'nvidia-h100-80gb' }[sku.accelerator as Accelerator.H100];
    expect(p.node_config.machine_type).toBe(sku.instanceType);
    expect(p.node_config.guest_accelerator).toEqual([{ type: expectedType, count: sku.gpuCount, gpu_driver_installation_config: { gpu_driver_version: 'LATEST' } }]);
    expect(p.node_config.spot).toBe(capacity === CapacityType.SPOT);
  });

  test('GIVEN on-demand capacity, a min, a disk size and the default driver WHEN synthesized THEN not Spot and those values', () => {
    // GIVEN / WHEN
    const sku = findSku(Cloud.GCP, Accelerator.H100, 8)!;
    const p = only(synthWith((scope) => new GpuNodePool(scope, 'pool', { ...BASE, name: 'h100', sku, minNodes: 1, maxNodes: 2, rootVolumeGiB: 1000, driverVersion: GpuDriverVersion.DEFAULT })), 'google_container_node_pool');
    // THEN
    expect(p.node_config.spot).toBe(false);
    expect(p.autoscaling).toMatchObject({ total_min_node_count: 1, total_max_node_count: 2 });
    expect(p.node_config.disk_size_gb).toBe(1000);
    expect(p.node_config.guest_accelerator[0].gpu_driver_installation_config).toEqual({ gpu_driver_version: 'DEFAULT' });
    expect(p.node_locations).toBeUndefined();
  });

  test('GIVEN a non-GCP shape, a spot-only shape on demand, or min above max WHEN constructed THEN refused with the reason', () => {
    // GIVEN
    const aws = findSku(Cloud.AWS, Accelerator.A10G, 1)!;
    // WHEN / THEN
    expect(() => synthWith((scope) => new GpuNodePool(scope, 'p', { ...BASE, name: 'x', sku: aws, maxNodes: 1 }))).toThrow('GpuNodePool x: aws shape g5.2xlarge is not a GCP GPU machine type from the catalog');
    expect(() => synthWith((scope) => new GpuNodePool(scope, 'p', { ...BASE, name: 'x', sku: H100_1, maxNodes: 1 }))).toThrow('GpuNodePool x: a3-highgpu-1g is sold only as spot capacity; set capacity to spot');
    expect(() => synthWith((scope) => new GpuNodePool(scope, 'p', { ...BASE, name: 'x', sku: A100_80, minNodes: 3, maxNodes: 1 }))).toThrow("GpuNodePool x: minNodes 3 can't be greater than maxNodes 1");
  });

  test('GIVEN a region the catalog knows WHEN zones are chosen THEN the zones that sell the GPU, narrowed by the configured zones; none of them is an error', () => {
    // GIVEN / WHEN / THEN
    expect(gpuPoolZones('h100', 'us-central1', Accelerator.H100)).toEqual(['us-central1-a', 'us-central1-c']);
    expect(gpuPoolZones('a40', 'us-central1', Accelerator.A100_40GB, ['us-central1-b', 'us-central1-c'])).toEqual(['us-central1-b', 'us-central1-c']);
    expect(gpuPoolZones('h100', 'europe-west4', Accelerator.H100)).toBeUndefined();
    expect(gpuPoolZones('h100', 'europe-west4', Accelerator.H100, ['europe-west4-b'])).toEqual(['europe-west4-b']);
    expect(() => gpuPoolZones('h100', 'us-central1', Accelerator.H100, ['us-central1-b', 'us-central1-f'])).toThrow(
      'GpuNodePool h100: none of network.availabilityZones (us-central1-b, us-central1-f) sells H100; us-central1 zones that do: us-central1-a, us-central1-c',
    );
  });
});
