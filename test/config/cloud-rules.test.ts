/**
 * The config rules that differ per cloud (region, zone and pool names, adminRoleArn) come from the cloud profiles:
 * each cloud's exact message. Rules are read through `crossFieldIssues`, filtered to the field under test, so other
 * clouds' required fields do not blur what is asserted.
 */
import { crossFieldIssues } from '../../constructs/config/rules';
import type { ConfigIssue } from '../../constructs/config';

const TODAY = { today: '2026-11-22' };
const BASE = {
  aws: { name: 'acme-ft', cloud: 'aws', region: 'us-east-1' },
  gcp: { name: 'acme-ft', cloud: 'gcp', region: 'us-central1' },
  azure: { name: 'acme-ft', cloud: 'azure', region: 'eastus' },
} as const;
type CloudName = keyof typeof BASE;

function issuesAt(cloud: CloudName, extra: Record<string, unknown>, pathPrefix: string): ConfigIssue[] {
  return crossFieldIssues({ ...BASE[cloud], ...extra }, TODAY).filter((i) => i.path.startsWith(pathPrefix));
}

describe('region names per cloud', () => {
  test.each([
    ['aws', 'eastus', '"eastus" is not a valid aws region (like us-east-1)'],
    ['gcp', 'us-east-1', '"us-east-1" is not a valid gcp region (like us-central1)'],
    ['azure', 'us-central1', '"us-central1" is not a valid azure region (like eastus)'],
  ] as const)('GIVEN cloud %s and region %s WHEN validated THEN "%s"', (cloud, region, message) => {
    // GIVEN another cloud's region name
    // WHEN the rules run
    const issues = issuesAt(cloud, { region }, 'region');
    // THEN the region is refused with the cloud's example
    expect(issues).toEqual([{ path: 'region', value: region, message }]);
  });

  test.each([
    ['aws', 'us-gov-west-1'],
    ['gcp', 'europe-west4'],
    ['azure', 'westeurope'],
  ] as const)('GIVEN cloud %s and its region %s THEN no region issue', (cloud, region) => {
    expect(issuesAt(cloud, { region }, 'region')).toEqual([]);
  });
});

describe('zone names per cloud', () => {
  test.each([
    ['aws', ['us-east-1a', 'us-east-1-a'], '"us-east-1-a" is not a zone of region us-east-1 (like us-east-1a)'],
    ['gcp', ['us-central1-a', 'us-central1a'], '"us-central1a" is not a zone of region us-central1 (like us-central1-a)'],
    ['azure', ['1', 'eastus-1'], '"eastus-1" is not a zone of region eastus (like 1)'],
  ] as const)('GIVEN cloud %s and zones %j WHEN validated THEN the second is refused: %s', (cloud, zones, message) => {
    // GIVEN one zone in the cloud's form and one not
    // WHEN the rules run
    const issues = issuesAt(cloud, { network: { cidr: '10.42.0.0/16', availabilityZones: zones } }, 'network.availabilityZones');
    // THEN only the second is refused, with the cloud's example
    expect(issues).toEqual([{ path: 'network.availabilityZones[1]', value: zones[1], message }]);
  });

  test('GIVEN an invalid region THEN zones are not checked against it (the region issue is the one to fix)', () => {
    expect(issuesAt('aws', { region: 'nowhere', network: { cidr: '10.42.0.0/16', availabilityZones: ['x'] } }, 'network.availabilityZones')).toEqual([]);
  });
});

describe('node pool names per cloud', () => {
  test.each([
    ['aws', 'a10g-pool-with-a-name-over-32-chars', '"a10g-pool-with-a-name-over-32-chars" is not a valid aws node pool name; allowed: 1-32 lowercase letters, digits and dashes, starting with a letter and not ending with a dash'],
    ['gcp', 'A100', '"A100" is not a valid gcp node pool name; allowed: 1-32 lowercase letters, digits and dashes, starting with a letter and not ending with a dash'],
    ['azure', 'a100-80', '"a100-80" is not a valid azure node pool name; allowed: 1-12 lowercase letters and digits, starting with a letter (AKS node pool names)'],
  ] as const)('GIVEN cloud %s and pool name %s WHEN validated THEN "%s"', (cloud, name, message) => {
    // GIVEN a pool whose name breaks the cloud's rule
    // WHEN the rules run
    const issues = issuesAt(cloud, { gpuPools: [{ name, gpu: 'A100-80GB', gpusPerNode: 8, maxNodes: 1 }] }, 'gpuPools[0].name');
    // THEN the name is refused with what the cloud allows
    expect(issues).toEqual([{ path: 'gpuPools[0].name', value: name, message }]);
  });

  test('GIVEN a dashed name that EKS accepts WHEN the cloud is azure THEN refused, on aws THEN accepted', () => {
    const pools = { gpuPools: [{ name: 'a100-80', gpu: 'A100-80GB', gpusPerNode: 8, maxNodes: 1 }] };
    expect(issuesAt('aws', pools, 'gpuPools[0].name')).toEqual([]);
    expect(issuesAt('azure', pools, 'gpuPools[0].name')).toHaveLength(1);
  });

  test('GIVEN an unknown cloud THEN only uniqueness is checked (the schema reports the cloud)', () => {
    const issues = crossFieldIssues({ cloud: 'oracle', gpuPools: [{ name: 'Bad_Name' }, { name: 'Bad_Name' }] }, TODAY);
    expect(issues).toEqual([{ path: 'gpuPools[1].name', value: 'Bad_Name', message: '"Bad_Name" is already the name of gpuPools[0]; pool names must be unique' }]);
  });
});

describe('kubernetes.adminRoleArn', () => {
  const arn = 'arn:aws:iam::123456789012:role/platform-admin';
  test.each(['gcp', 'azure'] as const)('GIVEN cloud %s WHEN adminRoleArn is set THEN refused as an AWS IAM role', (cloud) => {
    expect(issuesAt(cloud, { kubernetes: { adminRoleArn: arn } }, 'kubernetes.adminRoleArn')).toEqual([
      { path: 'kubernetes.adminRoleArn', value: arn, message: `is an AWS IAM role and cannot be used with cloud ${cloud}` },
    ]);
  });

  test('GIVEN cloud aws WHEN adminRoleArn is set THEN accepted', () => {
    expect(issuesAt('aws', { kubernetes: { adminRoleArn: arn } }, 'kubernetes.adminRoleArn')).toEqual([]);
  });
});
