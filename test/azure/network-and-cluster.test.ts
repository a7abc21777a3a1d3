import { Accelerator, Cloud, findSku, GpuSku } from '../../constructs/catalog';
import { azureConfig, Json, only, resources, synthConfig } from './helpers';
import { azureSubnetLayout } from '../../constructs/azure';

const s = synthConfig(azureConfig({ kubernetes: { adminGroupObjectIds: ['11111111-2222-3333-4444-555555555555'] } }));
const byName = (type: string, name: string): Json => resources(s, type).find((r) => r.name === name) as Json;

describe('Azure network', () => {
  test('GIVEN a /16 WHEN laid out THEN nodes take the first half, endpoints an eighth, management and AzureBastionSubnet a sixteenth each', () => {
    expect(azureSubnetLayout('10.60.0.0/16')).toEqual({ nodes: '10.60.0.0/17', endpoints: '10.60.128.0/19', management: '10.60.160.0/20', bastion: '10.60.176.0/20' });
    expect(azureSubnetLayout('10.60.16.0/20').bastion).toBe('10.60.27.0/24');
    expect(() => azureSubnetLayout('10.60.0.0/24')).toThrow('Network: cidr 10.60.0.0/24 has prefix /24; allowed: /16 to /20');
  });

  test('GIVEN the platform WHEN synthesized THEN the VNet has the config CIDR, nodes and management egress through one NAT gateway, no implicit outbound access', () => {
    expect(only(s, 'azurerm_virtual_network')).toMatchObject({ name: 'az-test-vnet', address_space: ['10.60.0.0/16'] });
    expect(byName('azurerm_subnet', 'nodes')).toMatchObject({ address_prefixes: ['10.60.0.0/17'], default_outbound_access_enabled: false });
    expect(byName('azurerm_subnet', 'AzureBastionSubnet')).toMatchObject({ address_prefixes: ['10.60.176.0/20'] });
    expect(only(s, 'azurerm_nat_gateway')).toMatchObject({ sku_name: 'Standard' });
    expect(only(s, 'azurerm_public_ip')).toMatchObject({ allocation_method: 'Static', sku: 'Standard' });
    expect(resources(s, 'azurerm_subnet_nat_gateway_association').map((a) => a.subnet_id).sort()).toEqual([
      expect.stringMatching(/platform_network_management_/),
      expect.stringMatching(/platform_network_nodes_/),
    ]);
  });

  test('GIVEN the platform WHEN synthesized THEN each non-bastion subnet has an NSG denying inbound from the internet', () => {
    const nsgs = resources(s, 'azurerm_network_security_group');
    expect(nsgs.map((n) => n.name).sort()).toEqual(['az-test-endpoints', 'az-test-management', 'az-test-nodes']);
    for (const n of nsgs) expect(n.security_rule).toEqual([expect.objectContaining({ direction: 'Inbound', access: 'Deny', source_address_prefix: 'Internet', priority: 4000 })]);
    expect(resources(s, 'azurerm_subnet_network_security_group_association')).toHaveLength(3);
  });

  test('GIVEN the platform WHEN synthesized THEN blob, registry and vault private DNS zones (and the database server\'s zone) are linked to the VNet and each private endpoint registers in its zone', () => {
    expect(resources(s, 'azurerm_private_dns_zone').map((z) => z.name).sort()).toEqual(['az-test.private.postgres.database.azure.com', 'privatelink.azurecr.io', 'privatelink.blob.core.windows.net', 'privatelink.vaultcore.azure.net']);
    expect(resources(s, 'azurerm_private_dns_zone_virtual_network_link').every((l) => /azurerm_virtual_network\./.test(l.virtual_network_id) && l.registration_enabled === false)).toBe(true);
    const endpoints = resources(s, 'azurerm_private_endpoint').map((e) => [e.private_service_connection.subresource_names[0], e.subnet_id.split('.')[1]]);
    expect(endpoints.sort()).toEqual([['blob', expect.stringMatching(/^platform_network_endpoints_/)], ['registry', expect.stringMatching(/^platform_network_endpoints_/)], ['vault', expect.stringMatching(/^platform_network_endpoints_/)]]);
  });
});

describe('Azure cluster', () => {
  const cluster = only(s, 'azurerm_kubernetes_cluster');

  test('GIVEN the platform WHEN synthesized THEN a private cluster with CNI overlay, OIDC issuer, workload identity, Entra RBAC, local accounts off and an upgrade channel', () => {
    expect(cluster).toMatchObject({
      name: 'az-test',
      private_cluster_enabled: true,
      private_cluster_public_fqdn_enabled: false,
      local_account_disabled: true,
      oidc_issuer_enabled: true,
      workload_identity_enabled: true,
      automatic_upgrade_channel: 'patch',
      role_based_access_control_enabled: true,
      azure_active_directory_role_based_access_control: { azure_rbac_enabled: true, admin_group_object_ids: ['11111111-2222-3333-4444-555555555555'] },
      network_profile: { network_plugin: 'azure', network_plugin_mode: 'overlay', outbound_type: 'userAssignedNATGateway', pod_cidr: '192.168.0.0/16', service_cidr: '172.16.0.0/16', dns_service_ip: '172.16.0.10' },
      default_node_pool: { name: 'system', only_critical_addons_enabled: true, node_public_ip_enabled: false, host_encryption_enabled: true, min_count: 2, max_count: 4 },
    });
    expect(cluster.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^azurerm_subnet_nat_gateway_association\.platform_network_nodes-nat_/)]));
  });

  test('GIVEN the platform WHEN synthesized THEN secrets use a KMS key in a private, purge-protected RBAC key vault', () => {
    expect(cluster.key_management_service).toEqual({ key_vault_key_id: expect.stringMatching(/^\$\{azurerm_key_vault_key\.platform_key-vault_kms-key_[0-9A-F]+\.id\}$/), key_vault_network_access: 'Private' });
    expect(only(s, 'azurerm_key_vault')).toMatchObject({ name: 'az-test-kv', purge_protection_enabled: true, rbac_authorization_enabled: true, public_network_access_enabled: false, network_acls: { default_action: 'Deny', bypass: 'AzureServices' } });
    const roles = resources(s, 'azurerm_role_assignment').filter((r) => /platform_cluster_identity/.test(r.principal_id)).map((r) => r.role_definition_name);
    // Reader on the disk encryption set: AKS reads it to create node OS disks with it.
    expect(roles.sort()).toEqual(['Key Vault Contributor', 'Key Vault Crypto User', 'Network Contributor', 'Reader']);
  });

  test('GIVEN a VNet overlapping the pod CIDR WHEN built THEN refused naming both ranges', () => {
    expect(() => synthConfig(azureConfig({ network: { cidr: '192.168.0.0/16' } }))).toThrow('Cluster az-test: podCidr 192.168.0.0/16 overlaps the VNet 192.168.0.0/16; choose a range outside it');
    expect(findSku(Cloud.AZURE, Accelerator.A100_80GB, 1) as GpuSku).toMatchObject({ encryptionAtHost: true });
  });
});
