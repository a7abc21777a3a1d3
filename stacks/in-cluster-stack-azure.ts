import { DataAzurermKeyVaultSecret } from '@cdktf/provider-azurerm/lib/data-azurerm-key-vault-secret';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import type { TerraformRemoteState } from 'cdktf';
import type { ResolvedPlatformConfig } from '../constructs/config';
import { FLEXIBLE_SERVER_DATABASE } from '../constructs/azure/database';
import { InClusterStack } from './in-cluster-stack';
import { DatabaseSslMode, type DatabaseUrlParts } from './in-cluster-stack-database';

/**
 * The TLS mode the controller reaches the flexible server with: `verify-full`. The server requires TLS
 * (`require_secure_transport`) and presents a certificate for `*.postgres.database.azure.com` chaining to public roots
 * (DigiCert Global Root G2, Microsoft RSA Root Certificate Authority 2017) that Node's own trust store holds, so the
 * server is verified with no CA to supply.
 */
export const FLEXIBLE_SERVER_SSLMODE = DatabaseSslMode.VERIFY_FULL;

/**
 * The Azure in-cluster stack: the database URL Secret from the flexible server's password in Key Vault (outputs
 * `database_secret_name`, `database_secret_key_vault_id`; the secret is `{"username", "password"}`), read by
 * `data azurerm_key_vault_secret` with the provider set up as the platform stack's (subscription from
 * `azure.subscriptionId` or ARM_SUBSCRIPTION_ID). The deployer needs Key Vault Secrets User on the vault and a network
 * path to it (applied from inside the VNet, as the private cluster needs anyway); the password is in this stack's
 * state (keep it in the azurerm backend, `state:`), and a new password needs a re-apply.
 */
export class AzureInClusterStack extends InClusterStack {
  protected override databaseUrlParts(config: ResolvedPlatformConfig, state: TerraformRemoteState, outputs: ReadonlySet<string>): DatabaseUrlParts | undefined {
    if (!outputs.has('database_endpoint') || !outputs.has('database_secret_name') || !outputs.has('database_secret_key_vault_id')) return undefined;
    new AzurermProvider(this, 'azurerm', { features: [{}], ...(config.azure?.subscriptionId !== undefined ? { subscriptionId: config.azure.subscriptionId } : {}) });
    const secret = new DataAzurermKeyVaultSecret(this, 'database-credentials', { name: state.getString('database_secret_name'), keyVaultId: state.getString('database_secret_key_vault_id') });
    return { credentialsJson: secret.value, endpoint: state.getString('database_endpoint'), database: FLEXIBLE_SERVER_DATABASE.name, sslmode: FLEXIBLE_SERVER_SSLMODE };
  }
}
