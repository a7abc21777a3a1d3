/**
 * The Azure cluster's public endpoint (authorized IP ranges only) and the customer-managed keys of node OS disks
 * (disk encryption set), the bastion VM's disk and the registry.
 */
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { Cluster, ClusterProps, PlatformKeyVault } from '../../constructs/azure';
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { azureConfig, Json, only, resources, synthConfig, synthWith } from './helpers';

const PUBLIC = { publicEndpoint: true, publicAccessCidrs: ['203.0.113.0/24', '198.51.100.7/32'] };
const privateStack = synthConfig(azureConfig({ bastion: { enabled: true }, azure: { bastionSshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyOnlyForTests vpctune' } }));

/** Builds a bare Cluster with `overrides`, for its own checks. */
function buildCluster(overrides: Partial<ClusterProps>): Json {
  return synthWith((scope) => {
    const base = { location: 'eastus', resourceGroupName: 'rg' };
    const nodeSubnet = new Subnet(scope, 'nodes', { name: 'nodes', resourceGroupName: 'rg', virtualNetworkName: 'vnet', addressPrefixes: ['10.60.0.0/17'] });
    const dnsZone = new PrivateDnsZone(scope, 'dns', { name: 'privatelink.vaultcore.azure.net', resourceGroupName: 'rg' });
    const keyVault = new PlatformKeyVault(scope, 'kv', { ...base, name: 'az-test-kv', tenantId: 'tenant', deployerObjectId: 'deployer', endpointSubnetId: 'endpoints', dnsZone });
    new Cluster(scope, 'aks', { ...base, name: 'az-test', kubernetesVersion: '1.34', vnetCidr: '10.60.0.0/16', nodeSubnet, keyVault, tenantId: 'tenant', diskEncryptionSetId: 'des-id', ...overrides });
  });
}

describe('Azure public API server', () => {
  test('GIVEN kubernetes.publicEndpoint with CIDRs WHEN synthesized THEN a public AKS API server limited to those CIDRs and the NAT address, and its public FQDN as the endpoint output', () => {
    // GIVEN
    const config = azureConfig({ kubernetes: PUBLIC });
    // WHEN
    const s = synthConfig(config);
    // THEN
    const c = only(s, 'azurerm_kubernetes_cluster');
    expect(c).toMatchObject({ private_cluster_enabled: false, dns_prefix: 'az-test' });
    expect(c.dns_prefix_private_cluster).toBeUndefined();
    expect(c.private_cluster_public_fqdn_enabled).toBeUndefined();
    expect(c.api_server_access_profile.authorized_ip_ranges).toEqual(['203.0.113.0/24', '198.51.100.7/32', expect.stringMatching(/^\$\{azurerm_public_ip\.platform_network_nat-ip_[0-9A-F]+\.ip_address\}\/32$/)]);
    expect(s.output.cluster_endpoint.value).toMatch(/^\$\{azurerm_kubernetes_cluster\.platform_cluster_[0-9A-F]+\.fqdn\}$/);
  });

  test('GIVEN the default (private) config WHEN synthesized THEN a private cluster without authorized ranges, and its private FQDN as the endpoint output', () => {
    // GIVEN / WHEN
    const c = only(privateStack, 'azurerm_kubernetes_cluster');
    // THEN
    expect(c).toMatchObject({ private_cluster_enabled: true, private_cluster_public_fqdn_enabled: false, dns_prefix_private_cluster: 'az-test' });
    expect(c.api_server_access_profile).toBeUndefined();
    expect(privateStack.output.cluster_endpoint.value).toMatch(/^\$\{azurerm_kubernetes_cluster\.platform_cluster_[0-9A-F]+\.private_fqdn\}$/);
  });

  test('GIVEN a public endpoint without CIDRs, with 0.0.0.0/0, without the NAT address, or CIDRs on a private cluster WHEN the Cluster is built THEN refused naming the field', () => {
    // GIVEN / WHEN / THEN
    expect(() => buildCluster({ publicEndpoint: true, nodeEgressIp: '20.0.0.1' })).toThrow('Cluster az-test: publicEndpoint is true but publicAccessCidrs is empty; list the CIDRs allowed to reach the API');
    expect(() => buildCluster({ publicEndpoint: true, publicAccessCidrs: ['0.0.0.0/0'], nodeEgressIp: '20.0.0.1' })).toThrow('Cluster az-test: publicAccessCidrs contains 0.0.0.0/0; list your VPN or office CIDRs instead');
    expect(() => buildCluster({ publicEndpoint: true, publicAccessCidrs: ['203.0.113.0/24'] })).toThrow("Cluster az-test: publicEndpoint is true but nodeEgressIp is unset; the nodes reach a public API server from the NAT gateway's address");
    expect(() => buildCluster({ publicAccessCidrs: ['203.0.113.0/24'] })).toThrow('Cluster az-test: publicAccessCidrs apply only when publicEndpoint is true');
    expect(only(buildCluster({ publicEndpoint: true, publicAccessCidrs: ['203.0.113.0/24'], nodeEgressIp: '20.0.0.1' }), 'azurerm_kubernetes_cluster').api_server_access_profile).toEqual({ authorized_ip_ranges: ['203.0.113.0/24', '20.0.0.1/32'] });
  });
});

describe('Azure customer-managed keys for disks and the registry', () => {
  test('GIVEN the platform WHEN synthesized THEN node OS disks use a disk encryption set over a rotating vault key, through its own identity allowed to use vault keys', () => {
    // GIVEN / WHEN
    const des = only(privateStack, 'azurerm_disk_encryption_set');
    // THEN
    expect(des).toMatchObject({ name: 'az-test-disks', auto_key_rotation_enabled: true, encryption_type: 'EncryptionAtRestWithCustomerKey', identity: { type: 'UserAssigned' } });
    expect(des.key_vault_key_id).toMatch(/^\$\{azurerm_key_vault_key\.platform_key-vault_disk-key_[0-9A-F]+\.versionless_id\}$/);
    expect(only(privateStack, 'azurerm_kubernetes_cluster').disk_encryption_set_id).toMatch(/^\$\{azurerm_disk_encryption_set\.platform_disk-encryption_set_[0-9A-F]+\.id\}$/);
    const keyUse = resources(privateStack, 'azurerm_role_assignment').find((r) => /platform_disk-encryption_identity_/.test(r.principal_id)) as Json;
    expect(keyUse).toMatchObject({ role_definition_name: 'Key Vault Crypto Service Encryption User', principal_type: 'ServicePrincipal' });
    expect(keyUse.scope).toMatch(/^\$\{azurerm_key_vault\.platform_key-vault_[0-9A-F]+\.id\}$/);
    expect(des.depends_on).toEqual([expect.stringMatching(/^azurerm_role_assignment\.platform_disk-encryption_key-access_[0-9A-F]+$/)]);
  });

  test('GIVEN bastion.enabled WHEN synthesized THEN the bastion VM OS disk uses the same disk encryption set', () => {
    // GIVEN / WHEN
    const vm = only(privateStack, 'azurerm_linux_virtual_machine');
    // THEN
    expect(vm.os_disk.disk_encryption_set_id).toMatch(/^\$\{azurerm_disk_encryption_set\.platform_disk-encryption_set_[0-9A-F]+\.id\}$/);
  });

  test('GIVEN the platform WHEN synthesized THEN ACR is encrypted with its own versionless vault key through a user-assigned identity that may use vault keys', () => {
    // GIVEN / WHEN
    const acr = only(privateStack, 'azurerm_container_registry');
    // THEN
    expect(acr.sku).toBe('Premium');
    expect(acr.identity).toEqual({ type: 'UserAssigned', identity_ids: [expect.stringMatching(/^\$\{azurerm_user_assigned_identity\.platform_registry_cmk-identity_[0-9A-F]+\.id\}$/)] });
    expect(acr.encryption).toEqual([
      {
        key_vault_key_id: expect.stringMatching(/^\$\{azurerm_key_vault_key\.platform_key-vault_registry-cmk_[0-9A-F]+\.versionless_id\}$/),
        identity_client_id: expect.stringMatching(/^\$\{azurerm_user_assigned_identity\.platform_registry_cmk-identity_[0-9A-F]+\.client_id\}$/),
      },
    ]);
    const key = resources(privateStack, 'azurerm_key_vault_key').find((k) => k.name === 'az-test-registry') as Json;
    expect(key).toMatchObject({ key_type: 'RSA-HSM', key_size: 3072 });
    const keyUse = resources(privateStack, 'azurerm_role_assignment').find((r) => /platform_registry_cmk-identity_/.test(r.principal_id)) as Json;
    expect(keyUse).toMatchObject({ role_definition_name: 'Key Vault Crypto Service Encryption User' });
    expect(acr.depends_on).toEqual([expect.stringMatching(/^azurerm_role_assignment\.platform_registry_cmk-access_[0-9A-F]+$/)]);
  });
});
