import { ContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry';
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Construct } from 'constructs';
import { ALL_IMAGES, PlatformImage } from '../platform/conventions';
import { KEY_USER_ROLE } from './disk-encryption-set';
import { PlatformKeyVault } from './key-vault';
import { PrivateLinkEndpoint } from './private-link-endpoint';

export interface ImageRegistryProps {
  /** Registry name: 5-50 letters and digits, globally unique. */
  readonly name: string;
  readonly location: string;
  readonly resourceGroupName: string;
  readonly endpointSubnetId: string;
  readonly dnsZone: PrivateDnsZone;
  /** The vault of the registry's customer-managed key (a key is created there; the registry reaches it as a trusted service). */
  readonly keyVault: PlatformKeyVault;
  /** Prefix of the key and identity names. */
  readonly platformName: string;
  /** Days untagged manifests are kept. @default 7 */
  readonly untaggedRetentionDays?: number;
  /** @default controller, trainer and server */
  readonly images?: readonly PlatformImage[];
}

/**
 * An ACR Premium registry holding the platform images (`<login server>/<image>`): admin user, anonymous pull and
 * public network access off (a private endpoint in the VNet), content encrypted with a customer-managed Key Vault
 * key (through its own user-assigned identity; set at creation, as ACR allows), untagged manifests expire.
 */
export class ImageRegistry extends Construct {
  public readonly registry: ContainerRegistry;
  public readonly images: readonly PlatformImage[];

  constructor(scope: Construct, id: string, props: ImageRegistryProps) {
    super(scope, id);
    if (!/^[a-zA-Z0-9]{5,50}$/.test(props.name)) {
      throw new Error(`ImageRegistry ${props.name}: name is not a registry name; allowed: 5-50 letters and digits`);
    }
    const days = props.untaggedRetentionDays ?? 7;
    if (!Number.isInteger(days) || days < 1 || days > 365) throw new Error(`ImageRegistry ${props.name}: untaggedRetentionDays ${days} is outside 1 to 365`);
    this.images = props.images ?? ALL_IMAGES;
    const base = { location: props.location, resourceGroupName: props.resourceGroupName };
    const identity = new UserAssignedIdentity(this, 'cmk-identity', { ...base, name: `${props.platformName}-registry-cmk` });
    const key = props.keyVault.addKey('registry-cmk', `${props.platformName}-registry`);
    const keyAccess = new RoleAssignment(this, 'cmk-access', { scope: props.keyVault.vault.id, roleDefinitionName: KEY_USER_ROLE, principalId: identity.principalId, principalType: 'ServicePrincipal' });
    this.registry = new ContainerRegistry(this, 'registry', {
      name: props.name,
      location: props.location,
      resourceGroupName: props.resourceGroupName,
      sku: 'Premium',
      adminEnabled: false,
      anonymousPullEnabled: false,
      publicNetworkAccessEnabled: false,
      exportPolicyEnabled: false,
      networkRuleBypassOption: 'AzureServices',
      retentionPolicyInDays: days,
      identity: { type: 'UserAssigned', identityIds: [identity.id] },
      // The versionless key: the registry follows the key's automatic rotation.
      encryption: [{ keyVaultKeyId: key.versionlessId, identityClientId: identity.clientId }],
      dependsOn: [keyAccess],
    });
    new PrivateLinkEndpoint(this, 'private-endpoint', {
      name: props.name,
      location: props.location,
      resourceGroupName: props.resourceGroupName,
      subnetId: props.endpointSubnetId,
      resourceId: this.registry.id,
      subresource: 'registry',
      dnsZone: props.dnsZone,
    });
  }

  /** The repository URL of a platform image. */
  public repositoryUrl(image: PlatformImage): string {
    if (!this.images.includes(image)) throw new Error(`ImageRegistry: no repository for ${image}; images: ${this.images.join(', ')}`);
    return `${this.registry.loginServer}/${image}`;
  }
}
