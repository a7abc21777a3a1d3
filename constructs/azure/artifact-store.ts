import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { StorageManagementPolicy } from '@cdktf/provider-azurerm/lib/storage-management-policy';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Construct } from 'constructs';
import { BucketPrefix } from '../platform/conventions';
import { PlatformKeyVault } from './key-vault';
import { PrivateLinkEndpoint } from './private-link-endpoint';

export interface ArtifactStoreProps {
  readonly name: string;
  readonly location: string;
  readonly resourceGroupName: string;
  /** Storage account name: 3-24 lowercase letters and digits, globally unique. */
  readonly accountName: string;
  /** The container holding files/, jobs/, models/ and adapters/. */
  readonly containerName: string;
  /** The vault of the customer-managed key. */
  readonly keyVault: PlatformKeyVault;
  readonly endpointSubnetId: string;
  readonly dnsZone: PrivateDnsZone;
  /** Days before blobs under jobs/ are deleted. @default 30 */
  readonly jobArtifactRetentionDays?: number;
  /** @default ZRS */
  readonly replication?: 'LRS' | 'ZRS' | 'GRS' | 'GZRS';
}

/**
 * The platform's blob storage: one StorageV2 account with a hierarchical namespace, public blob access, shared keys
 * and public network access off (a private endpoint in the VNet), TLS 1.2 minimum, infrastructure (double)
 * encryption with a customer-managed Key Vault key, blob and container soft delete, lifecycle rules, and one private
 * container.
 *
 * The hierarchical namespace is what lets a trainer's SAS reach one directory (`sr=d`, constructs/azure/job-sas.ts);
 * azurerm sets it only when the account is created. With it, blob versioning is refused (azurerm: "`versioning_enabled`
 * can't be true when `is_hns_enabled` is true"), so there are no previous versions to expire: soft delete (7 days)
 * is the recovery path for overwritten or deleted blobs. CMK, infrastructure encryption, lifecycle management and
 * the Blob private endpoint all apply to hierarchical-namespace accounts. Every client (controller, trainer, server)
 * uses the Blob endpoint, directory SAS included, so there is no `dfs` private endpoint.
 */
export class ArtifactStore extends Construct {
  public readonly account: StorageAccount;
  public readonly container: StorageContainer;

  constructor(scope: Construct, id: string, props: ArtifactStoreProps) {
    super(scope, id);
    const jobDays = props.jobArtifactRetentionDays ?? 30;
    if (!Number.isInteger(jobDays) || jobDays < 1) throw new Error(`ArtifactStore ${props.name}: jobArtifactRetentionDays ${jobDays} must be a whole number of days, at least 1`);
    if (!/^[a-z0-9]{3,24}$/.test(props.accountName)) {
      throw new Error(`ArtifactStore ${props.name}: accountName ${JSON.stringify(props.accountName)} is not a storage account name; allowed: 3-24 lowercase letters and digits`);
    }
    const base = { location: props.location, resourceGroupName: props.resourceGroupName };
    const identity = new UserAssignedIdentity(this, 'cmk-identity', { ...base, name: `${props.name}-storage-cmk` });
    const key = props.keyVault.addKey('cmk', `${props.name}-storage`);
    const keyAccess = new RoleAssignment(this, 'cmk-access', {
      scope: props.keyVault.vault.id,
      roleDefinitionName: 'Key Vault Crypto Service Encryption User',
      principalId: identity.principalId,
    });

    this.account = new StorageAccount(this, 'account', {
      ...base,
      name: props.accountName,
      accountKind: 'StorageV2',
      accountTier: 'Standard',
      isHnsEnabled: true,
      accountReplicationType: props.replication ?? 'ZRS',
      allowNestedItemsToBePublic: false,
      sharedAccessKeyEnabled: false,
      defaultToOauthAuthentication: true,
      publicNetworkAccessEnabled: false,
      httpsTrafficOnlyEnabled: true,
      minTlsVersion: 'TLS1_2',
      infrastructureEncryptionEnabled: true,
      crossTenantReplicationEnabled: false,
      localUserEnabled: false,
      sftpEnabled: false,
      networkRules: { defaultAction: 'Deny', bypass: ['AzureServices'] },
      identity: { type: 'UserAssigned', identityIds: [identity.id] },
      customerManagedKey: { keyVaultKeyId: key.versionlessId, userAssignedIdentityId: identity.id },
      blobProperties: {
        versioningEnabled: false,
        deleteRetentionPolicy: { days: 7 },
        containerDeleteRetentionPolicy: { days: 7 },
      },
      dependsOn: [keyAccess],
    });
    new PrivateLinkEndpoint(this, 'private-endpoint', {
      ...base,
      name: props.accountName,
      subnetId: props.endpointSubnetId,
      resourceId: this.account.id,
      subresource: 'blob',
      dnsZone: props.dnsZone,
    });
    // Created through Resource Manager (storage_account_id), so no data-plane access is needed to create it.
    this.container = new StorageContainer(this, 'container', { name: props.containerName, storageAccountId: this.account.id, containerAccessType: 'private' });

    new StorageManagementPolicy(this, 'lifecycle', {
      storageAccountId: this.account.id,
      rule: [
        {
          name: 'expire-job-artifacts',
          enabled: true,
          filters: { blobTypes: ['blockBlob'], prefixMatch: [`${props.containerName}/${BucketPrefix.JOBS}`] },
          actions: { baseBlob: { deleteAfterDaysSinceModificationGreaterThan: jobDays } },
        },
      ],
    });
  }
}
