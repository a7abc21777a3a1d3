/**
 * `network.egress` in the config: `nat` by default, `none` accepted on AWS, refused on GCP and Azure for now, and
 * `natGateways` refused beside `none` (it would have no effect).
 */
import { validateConfig } from '../../constructs/config';

const TODAY = { today: '2026-11-22' };
const POOL = { name: 'a100', gpu: 'A100-80GB', gpusPerNode: 8, maxNodes: 1 };
const BASE = {
  aws: { name: 'acme', cloud: 'aws', region: 'us-east-1', gpuPools: [{ name: 'a10g', gpu: 'A10G', gpusPerNode: 1, maxNodes: 1 }] },
  gcp: { name: 'acme', cloud: 'gcp', region: 'us-central1', gcp: { project: 'acme-ml-123' }, gpuPools: [POOL] },
  azure: { name: 'acme', cloud: 'azure', region: 'eastus', gpuPools: [POOL] },
} as const;

const messages = (input: Record<string, unknown>): string[] => {
  const r = validateConfig(input, TODAY);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
};

describe('network.egress', () => {
  test('GIVEN no egress WHEN validated THEN nat; GIVEN none on AWS THEN accepted', () => {
    // GIVEN / WHEN
    const plain = validateConfig({ ...BASE.aws, network: { cidr: '10.42.0.0/16' } }, TODAY);
    const sealed = validateConfig({ ...BASE.aws, network: { cidr: '10.42.0.0/16', egress: 'none' } }, TODAY);
    // THEN
    expect(plain.ok && plain.config.network.egress).toBe('nat');
    expect(sealed.ok && sealed.config.network.egress).toBe('none');
  });

  test.each(['gcp', 'azure'] as const)('GIVEN egress none on %s WHEN validated THEN refused naming the field and what is allowed', (cloud) => {
    expect(messages({ ...BASE[cloud], network: { cidr: '10.42.0.0/16', egress: 'none' } })).toEqual([
      `network.egress: is not available on ${cloud} yet: its stack needs a NAT gateway for images and cloud APIs; allowed: nat`,
    ]);
  });

  test('GIVEN egress none with natGateways WHEN validated THEN natGateways refused; GIVEN an unknown egress THEN the schema names the values', () => {
    expect(messages({ ...BASE.aws, network: { cidr: '10.42.0.0/16', egress: 'none', natGateways: 'per-az' } })).toEqual([
      'network.natGateways: has no effect when network.egress is none (no NAT gateway is created); remove it',
    ]);
    expect(messages({ ...BASE.aws, network: { cidr: '10.42.0.0/16', egress: 'proxy' } })).toEqual(['network.egress: "proxy" is not allowed; allowed: nat, none']);
  });
});
