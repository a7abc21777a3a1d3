import { DiskEncryptionSet } from '@cdktf/provider-azurerm/lib/disk-encryption-set';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Construct } from 'constructs';
import { PlatformKeyVault } from './key-vault';

/** The Key Vault role a service needs to wrap and unwrap data keys with a vault key (Azure RBAC). */
export const KEY_USER_ROLE = 'Key Vault Crypto Service Encryption User';

export interface NodeDiskEncryptionProps {
  readonly name: string;
  readonly location: string;
  readonly resourceGroupName: string;
  /** The vault the key is created in; the set reaches it as a trusted Azure service (the vault's firewall stays closed). */
  readonly keyVault: PlatformKeyVault;
}

/**
 * A disk encryption set over a Key Vault key of the platform vault, with its own user-assigned identity allowed to
 * use that vault's keys and nothing else. Managed disks that name it (AKS node OS disks, the bastion VM's disk) are
 * encrypted with the customer-managed key; the set follows the key's new versions (automatic key rotation).
 */
export class NodeDiskEncryption extends Construct {
  public readonly encryptionSet: DiskEncryptionSet;
  public readonly identity: UserAssignedIdentity;

  constructor(scope: Construct, id: string, props: NodeDiskEncryptionProps) {
    super(scope, id);
    const base = { location: props.location, resourceGroupName: props.resourceGroupName };
    this.identity = new UserAssignedIdentity(this, 'identity', { ...base, name: `${props.name}-disks` });
    const key = props.keyVault.addKey('disk-key', `${props.name}-disks`);
    const keyAccess = new RoleAssignment(this, 'key-access', { scope: props.keyVault.vault.id, roleDefinitionName: KEY_USER_ROLE, principalId: this.identity.principalId, principalType: 'ServicePrincipal' });
    this.encryptionSet = new DiskEncryptionSet(this, 'set', {
      ...base,
      name: `${props.name}-disks`,
      keyVaultKeyId: key.versionlessId,
      autoKeyRotationEnabled: true,
      encryptionType: 'EncryptionAtRestWithCustomerKey',
      identity: { type: 'UserAssigned', identityIds: [this.identity.id] },
      dependsOn: [keyAccess],
    });
  }

  get id(): string {
    return this.encryptionSet.id;
  }
}
