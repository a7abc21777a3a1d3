import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultKey } from '@cdktf/provider-azurerm/lib/key-vault-key';
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Construct } from 'constructs';
import { PrivateLinkEndpoint } from './private-link-endpoint';

export interface PlatformKeyVaultProps {
  /** Key vault name: 3-24 letters, digits and dashes, globally unique. */
  readonly name: string;
  readonly location: string;
  readonly resourceGroupName: string;
  readonly tenantId: string;
  /** The principal running Terraform: made Key Vault Crypto Officer so it can create the keys. */
  readonly deployerObjectId: string;
  readonly endpointSubnetId: string;
  readonly dnsZone: PrivateDnsZone;
  /** Days a deleted vault or key stays recoverable. @default 90 */
  readonly softDeleteRetentionDays?: number;
  /** Days between automatic key rotations. @default 365 */
  readonly rotationDays?: number;
}

/**
 * A Premium key vault for the platform's customer-managed keys: Azure RBAC (no access policies), purge protection,
 * no public network access (a private endpoint in the VNet; trusted Azure services pass), keys rotated yearly.
 */
export class PlatformKeyVault extends Construct {
  public readonly vault: KeyVault;
  private readonly officer: RoleAssignment;
  private readonly rotationDays: number;

  constructor(scope: Construct, id: string, props: PlatformKeyVaultProps) {
    super(scope, id);
    const retention = props.softDeleteRetentionDays ?? 90;
    if (!Number.isInteger(retention) || retention < 7 || retention > 90) {
      throw new Error(`PlatformKeyVault ${props.name}: softDeleteRetentionDays ${retention} is outside 7 to 90`);
    }
    this.rotationDays = props.rotationDays ?? 365;
    this.vault = new KeyVault(this, 'vault', {
      name: props.name,
      location: props.location,
      resourceGroupName: props.resourceGroupName,
      tenantId: props.tenantId,
      skuName: 'premium',
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: retention,
      publicNetworkAccessEnabled: false,
      networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices' },
    });
    new PrivateLinkEndpoint(this, 'private-endpoint', {
      name: props.name,
      location: props.location,
      resourceGroupName: props.resourceGroupName,
      subnetId: props.endpointSubnetId,
      resourceId: this.vault.id,
      subresource: 'vault',
      dnsZone: props.dnsZone,
    });
    this.officer = new RoleAssignment(this, 'deployer-crypto-officer', {
      scope: this.vault.id,
      roleDefinitionName: 'Key Vault Crypto Officer',
      principalId: props.deployerObjectId,
    });
  }

  /** An HSM-backed RSA 3072 key in this vault, a new version every `rotationDays`. */
  public addKey(id: string, name: string): KeyVaultKey {
    return new KeyVaultKey(this, id, {
      name,
      keyVaultId: this.vault.id,
      keyType: 'RSA-HSM',
      keySize: 3072,
      keyOpts: ['decrypt', 'encrypt', 'sign', 'unwrapKey', 'verify', 'wrapKey'],
      // No expiry: an expired version would stop AKS KMS and storage encryption; a new version is made every rotationDays.
      rotationPolicy: { automatic: { timeAfterCreation: `P${this.rotationDays}D` } },
      dependsOn: [this.officer],
    });
  }
}
