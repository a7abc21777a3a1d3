import { blobPrefixCondition, blobRole } from '../../constructs/azure';
import { ServiceAccount } from '../../constructs/platform/conventions';
import { azureConfig, Json, only, resources, synthConfig } from './helpers';

const s = synthConfig(azureConfig());
const BLOBS = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs';

describe('Azure artifact store and registry', () => {
  test('GIVEN the platform WHEN synthesized THEN the storage account has a hierarchical namespace, no public or shared-key access, TLS 1.2, infrastructure encryption, a CMK, soft delete and no versioning (refused with HNS)', () => {
    expect(only(s, 'azurerm_storage_account')).toMatchObject({
      name: 'aztest',
      account_kind: 'StorageV2',
      is_hns_enabled: true,
      allow_nested_items_to_be_public: false,
      shared_access_key_enabled: false,
      public_network_access_enabled: false,
      min_tls_version: 'TLS1_2',
      infrastructure_encryption_enabled: true,
      network_rules: { default_action: 'Deny', bypass: ['AzureServices'] },
      customer_managed_key: { key_vault_key_id: expect.stringMatching(/azurerm_key_vault_key\.platform_key-vault_cmk_[0-9A-F]+\.versionless_id/) },
      blob_properties: { versioning_enabled: false, delete_retention_policy: { days: 7 }, container_delete_retention_policy: { days: 7 } },
    });
    expect(only(s, 'azurerm_storage_container')).toMatchObject({ name: 'artifacts', container_access_type: 'private', storage_account_id: expect.stringMatching(/azurerm_storage_account\./) });
    const cmkRole = resources(s, 'azurerm_role_assignment').find((r) => /storage-cmk|cmk-identity/.test(r.principal_id)) as Json;
    expect(cmkRole.role_definition_name).toBe('Key Vault Crypto Service Encryption User');
  });

  test('GIVEN retention days WHEN synthesized THEN jobs/ blobs expire (an HNS account keeps no versions to expire; the config refuses noncurrentVersionRetentionDays on azure)', () => {
    // GIVEN / WHEN
    const rules = only(synthConfig(azureConfig({ storage: { jobArtifactRetentionDays: 14 } })), 'azurerm_storage_management_policy').rule as Json[];
    // THEN
    expect(rules).toEqual([
      { name: 'expire-job-artifacts', enabled: true, filters: { blob_types: ['blockBlob'], prefix_match: ['artifacts/jobs/'] }, actions: { base_blob: { delete_after_days_since_modification_greater_than: 14 } } },
    ]);
  });

  test('GIVEN the platform WHEN synthesized THEN ACR Premium with admin user, anonymous pull and public network access off, and AcrPull for the kubelet', () => {
    expect(only(s, 'azurerm_container_registry')).toMatchObject({ name: 'aztestacr', sku: 'Premium', admin_enabled: false, anonymous_pull_enabled: false, public_network_access_enabled: false });
    const kubelet = resources(s, 'azurerm_role_assignment').find((r) => /kubelet_identity/.test(r.principal_id)) as Json;
    expect(kubelet).toMatchObject({ role_definition_name: 'AcrPull', scope: expect.stringMatching(/azurerm_container_registry\./) });
  });
});

describe('Azure workload identities', () => {
  const creds = resources(s, 'azurerm_federated_identity_credential');
  const assignments = (sa: string): Json[] => resources(s, 'azurerm_role_assignment').filter((r) => r.principal_id.includes(`platform_identity_${sa}_`));

  test('GIVEN the platform WHEN synthesized THEN one identity per service account, federated with exactly that service account on the cluster issuer', () => {
    expect(resources(s, 'azurerm_user_assigned_identity').map((i) => i.name).sort()).toEqual(['az-test-aks', 'az-test-database-cmk', 'az-test-disks', 'az-test-registry-cmk', 'az-test-storage-cmk', 'az-test-vpctune-controller', 'az-test-vpctune-server', 'az-test-vpctune-trainer']);
    expect(creds.map((c) => c.subject).sort()).toEqual(['system:serviceaccount:vpctune:vpctune-controller', 'system:serviceaccount:vpctune:vpctune-server', 'system:serviceaccount:vpctune:vpctune-trainer']);
    for (const c of creds) {
      expect(c.audience).toEqual(['api://AzureADTokenExchange']);
      expect(c.issuer).toMatch(/^\$\{azurerm_kubernetes_cluster\.platform_cluster_[0-9A-F]+\.oidc_issuer_url\}$/);
      expect(c.parent_id).toContain(`platform_identity_${c.name}_`);
    }
  });

  test('GIVEN the access table WHEN synthesized THEN the controller and server have their blob role on the container only, with the ABAC prefix condition, and AcrPull on the registry', () => {
    for (const sa of [ServiceAccount.CONTROLLER, ServiceAccount.SERVER]) {
      const roles = assignments(sa);
      const extra = sa === ServiceAccount.CONTROLLER ? ['Storage Blob Delegator'] : [];
      expect(roles.map((r) => r.role_definition_name).sort()).toEqual(['AcrPull', blobRole(sa), ...extra].sort());
      const blob = roles.find((r) => r.role_definition_name === blobRole(sa)) as Json;
      expect(blob).toMatchObject({ scope: expect.stringMatching(/^\$\{azurerm_storage_container\.platform_artifacts_container_[0-9A-F]+\.id\}$/), condition: blobPrefixCondition(sa), condition_version: '2.0' });
      expect((roles.find((r) => r.role_definition_name === 'AcrPull') as Json).scope).toMatch(/azurerm_container_registry\./);
    }
    expect(blobRole(ServiceAccount.SERVER)).toBe('Storage Blob Data Reader');
  });

  test('GIVEN per-job SAS tokens WHEN synthesized THEN the trainer holds no blob role and the controller may ask for delegation keys on the account', () => {
    // GIVEN / WHEN the default platform
    // THEN
    expect(assignments(ServiceAccount.TRAINER).map((r) => r.role_definition_name)).toEqual(['AcrPull']);
    const delegator = assignments(ServiceAccount.CONTROLLER).find((r) => r.role_definition_name === 'Storage Blob Delegator') as Json;
    expect(delegator).toMatchObject({ scope: expect.stringMatching(/^\$\{azurerm_storage_account\.platform_artifacts_account_[0-9A-F]+\.id\}$/), principal_type: 'ServicePrincipal' });
    expect(delegator.condition).toBeUndefined();
  });

  test('GIVEN the trainer WHEN its condition is built THEN reads are limited to files/, models/, jobs/, listing to its prefixes and writes to jobs/, adapters/ and models/ (full fine-tunes)', () => {
    const c = blobPrefixCondition(ServiceAccount.TRAINER);
    expect(c).toContain(`((!(ActionMatches{'${BLOBS}/read'} AND NOT SubOperationMatches{'Blob.List'})) OR (@Resource[${BLOBS}:path] StringStartsWith 'files/' OR @Resource[${BLOBS}:path] StringStartsWith 'models/' OR @Resource[${BLOBS}:path] StringStartsWith 'jobs/'))`);
    expect(c).toContain(`OR (@Resource[${BLOBS}:path] StringStartsWith 'jobs/' OR @Resource[${BLOBS}:path] StringStartsWith 'adapters/' OR @Resource[${BLOBS}:path] StringStartsWith 'models/'))`);
    expect(c).toContain(`!(ActionMatches{'${BLOBS}/write'}) AND !(ActionMatches{'${BLOBS}/add/action'}) AND !(ActionMatches{'${BLOBS}/delete'}) AND !(ActionMatches{'${BLOBS}/move/action'})`);
    expect(blobPrefixCondition(ServiceAccount.SERVER)).not.toContain('/write');
  });
});
