import * as path from 'node:path';
import { Accelerator } from '../../constructs/catalog';
import { CapacityType, ConfigError, deriveSubnets, loadConfigFile, NatGateways, parseCidr, parseConfig, validateConfig } from '../../constructs/config';

const TODAY = { today: '2026-11-22' };
const base = {
  name: 'acme-ft',
  cloud: 'aws',
  region: 'us-east-1',
  network: { cidr: '10.42.0.0/16' },
  gpuPools: [{ name: 'a10g', gpu: 'A10G', gpusPerNode: 1, maxNodes: 4 }],
};

describe('platform config', () => {
  test('GIVEN the design sketch WHEN loaded THEN defaults apply and shapes resolve from the catalog', () => {
    const c = loadConfigFile(path.join(__dirname, '..', '..', 'stacks', 'examples', 'design-sketch.yaml'), TODAY);
    expect(c.kubernetes).toEqual({ version: '1.34', publicEndpoint: false });
    expect(c.network.natGateways).toBe(NatGateways.SINGLE);
    expect(c.gpuPools.map((p) => [p.name, p.sku.instanceType, p.capacity, p.minNodes, p.rootVolumeGiB])).toEqual([
      ['a10g', 'g5.2xlarge', CapacityType.SPOT, 0, 500],
      ['h100', 'p5.48xlarge', CapacityType.ON_DEMAND, 0, 500],
    ]);
    expect(c.systemPool).toEqual({ minNodes: 2, maxNodes: 4 });
    expect(c.storage).toEqual({ jobArtifactRetentionDays: 30, noncurrentVersionRetentionDays: 30, forceDestroy: false });
  });

  test('GIVEN no Kubernetes version WHEN parsed THEN the newest the cloud supports that day is chosen', () => {
    expect(parseConfig(base, TODAY).kubernetes.version).toBe('1.35');
  });

  test('GIVEN an explicit instance type of the same GPU and count WHEN parsed THEN it replaces the default shape', () => {
    const c = parseConfig({ ...base, gpuPools: [{ ...base.gpuPools[0], instanceType: 'g5.8xlarge', efa: true }] }, TODAY);
    expect(c.gpuPools[0]?.sku.instanceType).toBe('g5.8xlarge');
    expect(c.gpuPools[0]?.sku.accelerator).toBe(Accelerator.A10G);
  });

  test('GIVEN several problems WHEN validated THEN every one is collected with path and value', () => {
    const r = validateConfig({ ...base, region: 'us-east', gpuPools: [{ name: 'x', gpu: 'H100', gpusPerNode: 2, minNodes: 3, maxNodes: 2 }] }, TODAY);
    expect(r.ok).toBe(false);
    expect(r.issues).toEqual([
      { path: 'region', value: 'us-east', message: '"us-east" is not a valid aws region (like us-east-1)' },
      { path: 'gpuPools[0].minNodes', value: 3, message: "minNodes 3 can't be greater than maxNodes 2" },
      {
        path: 'gpuPools[0].gpusPerNode',
        value: 2,
        message: 'aws does not sell H100 with 2 GPUs per node; aws offers: A10G x1, x4, x8; L40S x1, x4, x8; A100-40GB x8; A100-80GB x8; H100 x1, x8',
      },
    ]);
  });

  test('GIVEN a spot-only GCP shape on on-demand WHEN validated THEN the capacity is refused', () => {
    const r = validateConfig({ ...base, cloud: 'gcp', region: 'us-central1', gcp: { project: 'acme-ml-prod' }, gpuPools: [{ name: 'h1', gpu: 'H100', gpusPerNode: 1, maxNodes: 1 }] }, TODAY);
    expect(r.issues).toEqual([{ path: 'gpuPools[0].capacity', value: 'on-demand', message: 'a3-highgpu-1g is sold only as spot capacity; set capacity: spot' }]);
  });

  test('GIVEN an invalid config WHEN parseConfig THEN a ConfigError lists every issue', () => {
    expect(() => parseConfig({ ...base, network: { cidr: '10.42.0.1/16' } }, TODAY)).toThrow(
      new ConfigError([{ path: 'network.cidr', value: '10.42.0.1/16', message: '"10.42.0.1/16" has host bits set; the network address is 10.42.0.0/16' }]),
    );
  });

  test('subnet layout: three private quarters and small public subnets from the fourth', () => {
    expect(deriveSubnets('10.42.0.0/16', 3)).toEqual({
      privateSubnets: ['10.42.0.0/18', '10.42.64.0/18', '10.42.128.0/18'],
      publicSubnets: ['10.42.192.0/20', '10.42.208.0/20', '10.42.224.0/20'],
    });
    expect(deriveSubnets('10.8.0.0/20', 2)).toEqual({ privateSubnets: ['10.8.0.0/22', '10.8.4.0/22'], publicSubnets: ['10.8.12.0/24', '10.8.13.0/24'] });
    expect(parseCidr('10.1.2.3')).toBe('is not an IPv4 CIDR block like 10.42.0.0/16');
  });
});
