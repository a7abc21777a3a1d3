import { Accelerator, Cloud, skusFor } from '../../constructs/catalog';
import { azureConfig, Json, only, resources, synthConfig } from './helpers';

const AZURE_SHAPES = skusFor(Cloud.AZURE);

describe('Azure platform stack', () => {
  test('GIVEN the catalog WHEN Azure shapes are listed THEN six sizes are sold (A100 80 GB x1/x2/x4/x8, A100 40 GB x8, H100 x8)', () => {
    expect(AZURE_SHAPES.map((s) => `${s.accelerator} x${s.gpuCount}`)).toEqual(['A100-40GB x8', 'A100-80GB x1', 'A100-80GB x2', 'A100-80GB x4', 'A100-80GB x8', 'H100 x8']);
  });

  test.each(AZURE_SHAPES.map((s) => [s.instanceType, s.accelerator, s.gpuCount] as const))(
    'GIVEN a config with a %s pool WHEN synthesized THEN one AKS pool of that size with the GPU driver, GPU taint and labels, beside the system pool',
    (size, gpu, count) => {
      // GIVEN
      const config = azureConfig({ gpuPools: [{ name: 'gpu', gpu, gpusPerNode: count, maxNodes: 2 }] });
      // WHEN
      const s = synthConfig(config);
      // THEN
      expect(only(s, 'azurerm_kubernetes_cluster_node_pool')).toMatchObject({
        name: 'gpu',
        vm_size: size,
        gpu_driver: 'Install',
        min_count: 0,
        max_count: 2,
        priority: 'Regular',
        node_taints: ['nvidia.com/gpu=present:NoSchedule'],
        node_labels: { 'vpctune.dev/pool': 'gpu', 'vpctune.dev/gpu': gpu },
        host_encryption_enabled: true,
        node_public_ip_enabled: false,
      });
      expect(only(s, 'azurerm_kubernetes_cluster').default_node_pool).toMatchObject({ name: 'system', vm_size: 'Standard_D4s_v5' });
      expect(s.output.gpu_pools.value).toEqual({ gpu: size });
    },
  );

  test('GIVEN the minimal config WHEN synthesized THEN a resource group named from the platform, local state, the azurerm provider with Entra ID storage calls, and outputs named like AWS', () => {
    // GIVEN / WHEN
    const s = synthConfig(azureConfig());
    // THEN
    expect(only(s, 'azurerm_resource_group')).toMatchObject({ name: 'az-test-rg', location: 'eastus', tags: { 'vpctune-platform': 'az-test', 'managed-by': 'vpctune' } });
    expect(s.terraform.backend).toEqual({ local: { path: 'terraform.tfstate' } });
    expect(s.terraform.required_providers.azurerm.version).toBe('4.55.0');
    expect(s.provider.azurerm).toEqual([{ features: [{}], storage_use_azuread: true }]);
    expect(Object.keys(s.output).sort()).toEqual([
      'cluster_ca_certificate', 'cluster_endpoint', 'cluster_name', 'cluster_oidc_issuer', 'database_endpoint', 'database_secret_id', 'database_secret_key_vault_id', 'database_secret_name', 'gpu_pools',
      'identity_vpctune_controller', 'identity_vpctune_server', 'identity_vpctune_trainer',
      'registry_controller', 'registry_server', 'registry_trainer', 'resource_group', 'storage_account', 'storage_container',
    ]);
    expect(s.output.identity_vpctune_trainer.value).toMatch(/^\$\{azurerm_user_assigned_identity\.platform_identity_vpctune-trainer_[0-9A-F]+\.client_id\}$/);
    expect(s.output.registry_trainer.value).toMatch(/^\$\{azurerm_container_registry\.platform_registry_[0-9A-F]+\.login_server\}\/trainer$/);
    expect(resources(s, 'azurerm_bastion_host')).toEqual([]);
  });

  test('GIVEN the azure-a100 example state WHEN synthesized THEN an azurerm backend with Entra ID auth and the subscription on provider and backend', () => {
    // GIVEN
    const config = azureConfig({
      azure: { subscriptionId: '00000000-0000-0000-0000-000000000000' },
      state: { storageAccount: 'acmetfstate', resourceGroup: 'acme-terraform', bucket: 'tfstate' },
    });
    // WHEN
    const s = synthConfig(config);
    // THEN
    expect(s.terraform.backend).toEqual({
      azurerm: {
        storage_account_name: 'acmetfstate',
        container_name: 'tfstate',
        key: 'vpctune/az-test.tfstate',
        resource_group_name: 'acme-terraform',
        subscription_id: '00000000-0000-0000-0000-000000000000',
        use_azuread_auth: true,
      },
    });
    expect((s.provider.azurerm as Json[])[0]?.subscription_id).toBe('00000000-0000-0000-0000-000000000000');
  });

  test('GIVEN bastion.enabled WHEN synthesized THEN Azure Bastion Standard with tunneling and a VM without a public IP, and their outputs', () => {
    // GIVEN
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDx9W0ZGn8cY2bq2mKqz7K7pD8lJ6yVtYfQp3vX0a1bC ops@example.com';
    // WHEN
    const s = synthConfig(azureConfig({ bastion: { enabled: true }, azure: { bastionSshPublicKey: key } }));
    // THEN
    expect(only(s, 'azurerm_bastion_host')).toMatchObject({ sku: 'Standard', tunneling_enabled: true, shareable_link_enabled: false });
    expect(only(s, 'azurerm_bastion_host').ip_configuration.subnet_id).toMatch(/azurerm_subnet\.platform_network_bastion_/);
    const vm = only(s, 'azurerm_linux_virtual_machine');
    expect(vm).toMatchObject({ disable_password_authentication: true, admin_ssh_key: [{ username: 'azureuser', public_key: key }], encryption_at_host_enabled: true });
    const nic = only(s, 'azurerm_network_interface');
    expect(nic.ip_configuration).toEqual([expect.objectContaining({ private_ip_address_allocation: 'Dynamic' })]);
    expect(nic.ip_configuration[0].public_ip_address_id).toBeUndefined();
    expect(nic.ip_configuration[0].subnet_id).toMatch(/azurerm_subnet\.platform_network_management_/);
    expect(Object.keys(s.output)).toEqual(expect.arrayContaining(['bastion_name', 'bastion_vm_id']));
  });

  test('GIVEN a Spot pool in a config WHEN synthesized THEN the AKS Spot taint is declared on the pool', () => {
    const s = synthConfig(azureConfig({ gpuPools: [{ name: 'spot', gpu: Accelerator.A100_80GB, gpusPerNode: 4, maxNodes: 2, capacity: 'spot' }] }));
    expect(only(s, 'azurerm_kubernetes_cluster_node_pool')).toMatchObject({
      priority: 'Spot',
      eviction_policy: 'Delete',
      spot_max_price: -1,
      node_taints: ['nvidia.com/gpu=present:NoSchedule', 'kubernetes.azure.com/scalesetpriority=spot:NoSchedule'],
    });
  });
});
