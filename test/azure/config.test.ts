import { validateConfig } from '../../constructs/config';
import { Json, TODAY } from './helpers';

const base = (cloud: string, extra: Json = {}): Json => ({
  name: 'cfg-test',
  cloud,
  region: cloud === 'aws' ? 'us-east-1' : 'eastus',
  network: { cidr: '10.60.0.0/16' },
  gpuPools: [{ name: 'gpu', gpu: cloud === 'aws' ? 'A10G' : 'A100-80GB', gpusPerNode: 1, maxNodes: 1 }],
  ...extra,
});
const issues = (input: Json): string[] => {
  const r = validateConfig(input, TODAY);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
};

describe('Azure config fields', () => {
  test('GIVEN the Azure fields on cloud aws WHEN validated THEN each is refused as Azure-only', () => {
    expect(
      issues(base('aws', { azure: { subscriptionId: '00000000-0000-0000-0000-000000000000' }, kubernetes: { adminGroupObjectIds: ['11111111-2222-3333-4444-555555555555'] }, state: { bucket: 'tf-state', storageAccount: 'acmetf' } })),
    ).toEqual([
      'azure: applies to cloud azure only; remove it for cloud aws',
      'kubernetes.adminGroupObjectIds: are Entra ID groups for AKS and cannot be used with cloud aws',
      'state.storageAccount: applies to the azurerm backend only; remove it for cloud aws',
    ]);
  });

  test('GIVEN ids that are not UUIDs WHEN validated THEN the field, the value and the UUID form are named', () => {
    expect(issues(base('azure', { azure: { subscriptionId: 'my-sub' }, kubernetes: { adminGroupObjectIds: ['admins'] } }))).toEqual([
      'kubernetes.adminGroupObjectIds[0]: "admins" is not a UUID; allowed: 8-4-4-4-12 hexadecimal digits like 00000000-0000-0000-0000-000000000000',
      'azure.subscriptionId: "my-sub" is not a UUID; allowed: 8-4-4-4-12 hexadecimal digits like 00000000-0000-0000-0000-000000000000',
    ]);
  });

  test('GIVEN an Azure state block without a storage account and with S3 fields WHEN validated THEN each is refused', () => {
    expect(issues(base('azure', { state: { bucket: 'tfstate', region: 'eastus', dynamodbTable: 'locks' } }))).toEqual([
      'state.storageAccount: is required for the azurerm backend on cloud azure: the storage account holding the state container (bucket)',
      'state.region: applies to the S3 backend only; the azurerm backend takes storageAccount, bucket (the container), key and resourceGroup',
      'state.dynamodbTable: applies to the S3 backend only; the azurerm backend takes storageAccount, bucket (the container), key and resourceGroup',
    ]);
  });

  test('GIVEN a bastion without a key and per-az NAT on Azure WHEN validated THEN both are refused with what is allowed', () => {
    expect(issues(base('azure', { bastion: { enabled: true }, network: { cidr: '10.60.0.0/16', natGateways: 'per-az' } }))).toEqual([
      'azure.bastionSshPublicKey: is required when bastion.enabled is true on cloud azure: the OpenSSH public key of the bastion VM user',
      'network.natGateways: is not available on azure: one NAT gateway serves the node subnet; allowed: single',
    ]);
    expect(issues(base('azure', { bastion: { enabled: true }, azure: { bastionSshPublicKey: 'not a key' } }))).toEqual([
      'azure.bastionSshPublicKey: "not a key" is not an OpenSSH public key; allowed: "ssh-ed25519 AAAA…", "ssh-rsa AAAA…" or "ecdsa-sha2-nistp256 AAAA…"',
    ]);
  });

  test('GIVEN a shape Azure does not sell WHEN validated THEN the error lists what Azure sells', () => {
    expect(issues(base('azure', { gpuPools: [{ name: 'h1', gpu: 'H100', gpusPerNode: 1, maxNodes: 1 }] }))).toEqual([
      'gpuPools[0].gpusPerNode: azure does not sell H100 with 1 GPU per node (Azure NC H100 v5 sizes (1 or 2 GPUs) carry the 94 GB H100 NVL, not the 80 GB H100; the H100 is sold as the 8-GPU Standard_ND96isr_H100_v5); azure offers: A100-40GB x8; A100-80GB x1, x2, x4, x8; H100 x8',
    ]);
  });

  test('GIVEN storage.noncurrentVersionRetentionDays on cloud azure WHEN validated THEN refused: the hierarchical-namespace account keeps no versions', () => {
    // GIVEN / WHEN
    const found = issues(base('azure', { storage: { noncurrentVersionRetentionDays: 14 } }));
    // THEN
    expect(found).toEqual([
      'storage.noncurrentVersionRetentionDays: has no effect on azure: the storage account has a hierarchical namespace (per-job directory tokens), which has no blob versioning; deleted blobs are kept 7 days by soft delete instead; remove it',
    ]);
    expect(issues(base('aws', { storage: { noncurrentVersionRetentionDays: 14 } }))).toEqual([]);
  });
});
