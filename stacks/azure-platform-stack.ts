import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { AzurermBackend, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AzurePlatform } from '../constructs/azure';
import { ResolvedPlatformConfig } from '../constructs/config';
import { ALL_IMAGES, ALL_SERVICE_ACCOUNTS } from '../constructs/platform/conventions';

export interface AzurePlatformStackProps {
  readonly config: ResolvedPlatformConfig;
}

/**
 * One Azure platform per config. The provider takes credentials the standard way (Azure CLI, environment, managed
 * identity) and the subscription from `azure.subscriptionId` or its default (ARM_SUBSCRIPTION_ID); storage calls use
 * Entra ID, since shared keys are off. State is local unless the config names an azurerm backend (blob leases lock).
 */
export class AzurePlatformStack extends TerraformStack {
  public readonly platform: AzurePlatform;

  constructor(scope: Construct, id: string, props: AzurePlatformStackProps) {
    super(scope, id);
    const c = props.config;
    new AzurermProvider(this, 'azurerm', {
      features: [{}],
      storageUseAzuread: true,
      ...(c.azure?.subscriptionId !== undefined ? { subscriptionId: c.azure.subscriptionId } : {}),
    });
    if (c.state !== undefined) {
      if (c.state.storageAccount === undefined) throw new Error(`AzurePlatformStack ${c.name}: state.storageAccount is required for the azurerm backend`);
      new AzurermBackend(this, {
        storageAccountName: c.state.storageAccount,
        containerName: c.state.bucket,
        key: c.state.key ?? `vpctune/${c.name}.tfstate`,
        useAzureadAuth: true,
        ...(c.state.resourceGroup !== undefined ? { resourceGroupName: c.state.resourceGroup } : {}),
        ...(c.azure?.subscriptionId !== undefined ? { subscriptionId: c.azure.subscriptionId } : {}),
      });
    } else {
      // State beside the synthesized stack (relative, so the output holds no machine path).
      new LocalBackend(this, { path: 'terraform.tfstate' });
    }
    this.platform = new AzurePlatform(this, 'platform', { config: c });
    const p = this.platform;

    new TerraformOutput(this, 'resource_group', { value: p.resourceGroup.name });
    new TerraformOutput(this, 'cluster_name', { value: p.cluster.cluster.name });
    new TerraformOutput(this, 'cluster_endpoint', { value: p.cluster.endpointFqdn });
    // The API server's CA (base64 PEM, from the sensitive kube_config): the in-cluster stack's providers trust it.
    new TerraformOutput(this, 'cluster_ca_certificate', { value: p.cluster.cluster.kubeConfig.get(0).clusterCaCertificate, sensitive: true });
    new TerraformOutput(this, 'cluster_oidc_issuer', { value: p.cluster.oidcIssuerUrl });
    new TerraformOutput(this, 'storage_account', { value: p.artifacts.account.name });
    new TerraformOutput(this, 'storage_container', { value: p.artifacts.container.name });
    new TerraformOutput(this, 'gpu_pools', { value: Object.fromEntries(c.gpuPools.map((g) => [g.name, g.sku.instanceType])) });
    for (const image of ALL_IMAGES) new TerraformOutput(this, `registry_${image}`, { value: p.repositoryUrl(image) });
    if (p.database !== undefined) {
      new TerraformOutput(this, 'database_endpoint', { value: p.database.endpoint });
      // the Key Vault secret ({"username", "password"}): its versionless id, and its name and vault for a data source
      new TerraformOutput(this, 'database_secret_id', { value: p.database.secret.versionlessId });
      new TerraformOutput(this, 'database_secret_name', { value: p.database.secret.name });
      new TerraformOutput(this, 'database_secret_key_vault_id', { value: p.database.secret.keyVaultId });
    }
    for (const sa of ALL_SERVICE_ACCOUNTS) new TerraformOutput(this, `identity_${sa.replace(/-/g, '_')}`, { value: p.clientId(sa) });
    if (p.bastion !== undefined) {
      new TerraformOutput(this, 'bastion_name', { value: p.bastion.host.name });
      new TerraformOutput(this, 'bastion_vm_id', { value: p.bastion.vm.id });
    }
  }
}
