/** Each cloud profile on its own: storage names and URLs, identity values, pod environment, cloud-added taints. */
import { CapacityType, Cloud } from '../../constructs/catalog';
import { CLOUD_STORAGE_URL_FORMS, cloudProfile, profileForStorageUrl } from '../../constructs/platform';

const aws = cloudProfile(Cloud.AWS);
const gcp = cloudProfile(Cloud.GCP);
const azure = cloudProfile(Cloud.AZURE);

describe('profile lookup', () => {
  test('GIVEN each cloud THEN its own profile, titled for prose and tables', () => {
    expect([aws, gcp, azure].map((p) => [p.cloud, p.title])).toEqual([
      [Cloud.AWS, 'AWS'],
      [Cloud.GCP, 'GCP'],
      [Cloud.AZURE, 'Azure'],
    ]);
  });

  test('GIVEN storage URLs THEN the profile of their scheme (any case); none for local paths or other schemes', () => {
    expect(profileForStorageUrl('s3://acme-ft-data/x')?.cloud).toBe(Cloud.AWS);
    expect(profileForStorageUrl('GS://acme-ft-data')?.cloud).toBe(Cloud.GCP);
    expect(profileForStorageUrl('az://acmeft/artifacts')?.cloud).toBe(Cloud.AZURE);
    expect(profileForStorageUrl('file:///var/lib/vpctune')).toBeUndefined();
    expect(profileForStorageUrl('/var/lib/vpctune')).toBeUndefined();
    expect(profileForStorageUrl('s3a://acme-ft-data')).toBeUndefined();
    expect(CLOUD_STORAGE_URL_FORMS).toBe('s3://BUCKET[/PREFIX], gs://BUCKET[/PREFIX], az://ACCOUNT/CONTAINER[/PREFIX]');
  });
});

describe('storage', () => {
  test('GIVEN a platform name THEN the default location and its URL per cloud (Azure account: the name without dashes)', () => {
    expect(aws.storage.url(aws.storage.defaultLocation('acme-ft'))).toBe('s3://acme-ft-artifacts');
    expect(gcp.storage.url(gcp.storage.defaultLocation('acme-ft'))).toBe('gs://acme-ft-artifacts');
    expect(azure.storage.url(azure.storage.defaultLocation('acme-ft'))).toBe('az://acmeft/artifacts');
  });

  test('GIVEN Azure platform names too long or too short for a storage account THEN the account is cut to 24 or padded to 3', () => {
    expect(azure.storage.defaultLocation('acme-fine-tuning-platform-eu')).toEqual({ account: 'acmefinetuningplatformeu', bucket: 'artifacts' });
    expect(azure.storage.defaultLocation('acme-fine-tuning-platform-europe').account).toBe('acmefinetuningplatformeu');
    expect(azure.storage.defaultLocation('a-b').account).toBe('ab0');
  });

  test('GIVEN a location and a prefix THEN the URL joins them without empty segments', () => {
    expect(aws.storage.url({ bucket: 'acme-ft-data' }, '/jobs//ftjob-1/')).toBe('s3://acme-ft-data/jobs/ftjob-1');
    expect(azure.storage.url({ account: 'acmeft', bucket: 'artifacts' }, 'models/m')).toBe('az://acmeft/artifacts/models/m');
  });

  test('GIVEN another cloud’s URL THEN parse answers undefined (not this cloud’s form), not an error', () => {
    expect(aws.storage.parse('gs://acme-ft-data/x')).toBeUndefined();
    expect(gcp.storage.parse('az://acmeft/artifacts')).toBeUndefined();
    expect(azure.storage.parse('s3://acme-ft-data')).toBeUndefined();
  });
});

describe('workload identity values', () => {
  test.each([
    ['AWS', aws, 'eks.amazonaws.com/role-arn', 'arn:aws:iam::123456789012:role/acme-ft-vpctune-trainer', 'acme-ft-trainer@acme-ft-prod.iam.gserviceaccount.com'],
    ['GCP', gcp, 'iam.gke.io/gcp-service-account', 'acme-ft-trainer@acme-ft-prod.iam.gserviceaccount.com', 'arn:aws:iam::123456789012:role/acme-ft-vpctune-trainer'],
    ['Azure', azure, 'azure.workload.identity/client-id', '6f1c2a9e-1b2c-4d3e-8f90-0123456789ab', 'acme-ft-trainer@acme-ft-prod.iam.gserviceaccount.com'],
  ] as const)('GIVEN %s THEN its identity annotation accepts its own form and refuses another cloud’s', (_title, profile, key, own, other) => {
    expect(profile.workloadIdentity.annotationKey).toBe(key);
    expect(profile.workloadIdentity.valuePattern.test(own)).toBe(true);
    expect(profile.workloadIdentity.valuePattern.test(other)).toBe(false);
  });

  test('GIVEN Azure THEN pods must carry the workload identity label; elsewhere no label', () => {
    expect(azure.workloadIdentity.podLabels).toEqual({ 'azure.workload.identity/use': 'true' });
    expect([aws.workloadIdentity.podLabels, gcp.workloadIdentity.podLabels]).toEqual([{}, {}]);
  });
});

describe('pod environment', () => {
  test('GIVEN no storage endpoint THEN AWS gets its region variables, GCP and Azure nothing', () => {
    expect(aws.podEnv({ region: 'eu-west-1' })).toEqual([
      { name: 'AWS_REGION', value: 'eu-west-1' },
      { name: 'AWS_DEFAULT_REGION', value: 'eu-west-1' },
    ]);
    expect(gcp.podEnv({ region: 'us-central1' })).toEqual([]);
    expect(azure.podEnv({ region: 'eastus' })).toEqual([]);
  });

  test('GIVEN a storage endpoint THEN each cloud passes it in the variable its SDK reads', () => {
    const storageEndpoint = 'http://127.0.0.1:9000';
    expect(aws.podEnv({ region: 'eu-west-1', storageEndpoint }).at(-1)).toEqual({ name: 'AWS_ENDPOINT_URL_S3', value: storageEndpoint });
    expect(gcp.podEnv({ region: 'us-central1', storageEndpoint })).toEqual([{ name: 'STORAGE_EMULATOR_HOST', value: storageEndpoint }]);
    expect(azure.podEnv({ region: 'eastus', storageEndpoint })).toEqual([{ name: 'AZURE_STORAGE_ACCOUNT_URL', value: storageEndpoint }]);
  });
});

describe('taints the cloud adds', () => {
  test('GIVEN an AKS Spot pool THEN the scale set priority taint; on-demand and other clouds none', () => {
    expect(azure.addedTaints(CapacityType.SPOT)).toEqual([{ key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' }]);
    expect(azure.addedTaints(CapacityType.ON_DEMAND)).toEqual([]);
    for (const p of [aws, gcp]) expect([p.addedTaints(CapacityType.SPOT), p.addedTaints(CapacityType.ON_DEMAND)]).toEqual([[], []]);
  });
});
