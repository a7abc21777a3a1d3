import { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { formatCidr, parseCidr } from '../config/cidr';
import { PlatformKeyVault } from './key-vault';

/** AKS automatic upgrade channels (`automatic_upgrade_channel`). */
export enum UpgradeChannel {
  PATCH = 'patch',
  STABLE = 'stable',
  RAPID = 'rapid',
  NODE_IMAGE = 'node-image',
}

export interface ClusterProps {
  readonly name: string;
  readonly location: string;
  readonly resourceGroupName: string;
  /** Kubernetes minor version, e.g. "1.34". */
  readonly kubernetesVersion: string;
  /** The VNet CIDR: the pod and service CIDRs must not overlap it. */
  readonly vnetCidr: string;
  readonly nodeSubnet: Subnet;
  /** The vault holding the KMS key for etcd secrets encryption. */
  readonly keyVault: PlatformKeyVault;
  /** Entra ID tenant of the cluster's RBAC. */
  readonly tenantId: string;
  /** Entra ID groups made cluster admins. @default - none (grant Azure Kubernetes Service RBAC roles yourself) */
  readonly adminGroupObjectIds?: readonly string[];
  /** @default UpgradeChannel.PATCH */
  readonly upgradeChannel?: UpgradeChannel;
  /** System (CPU) pool VM size. @default Standard_D4s_v5 */
  readonly systemVmSize?: string;
  /** @default 2 */
  readonly systemMinNodes?: number;
  /** @default 4 */
  readonly systemMaxNodes?: number;
  /** Zones of the system pool. @default - none (regional) */
  readonly zones?: readonly string[];
  /** What the cluster waits for: the node subnet's NAT gateway association (outbound type userAssignedNATGateway). @default none */
  readonly egressDependencies?: readonly ITerraformDependable[];
  /** Overlay pod CIDR. @default 192.168.0.0/16 */
  readonly podCidr?: string;
  /** Service CIDR; the DNS service takes its tenth address. @default 172.16.0.0/16 */
  readonly serviceCidr?: string;
}

/**
 * A private AKS cluster: no public API FQDN, Azure CNI overlay with Cilium, egress through the VNet's NAT gateway,
 * OIDC issuer and workload identity, Entra ID with Azure RBAC and local accounts disabled, etcd secrets encrypted
 * with a Key Vault key reached privately (KMS), an automatic upgrade channel and a CPU system pool.
 */
export class Cluster extends Construct {
  public readonly cluster: KubernetesCluster;
  /** The control plane's identity (KMS, subnet). */
  public readonly identity: UserAssignedIdentity;

  constructor(scope: Construct, id: string, props: ClusterProps) {
    super(scope, id);
    const minNodes = props.systemMinNodes ?? 2;
    const maxNodes = props.systemMaxNodes ?? 4;
    if (minNodes > maxNodes) throw new Error(`Cluster ${props.name}: systemMinNodes ${minNodes} can't be greater than systemMaxNodes ${maxNodes}`);
    const podCidr = props.podCidr ?? '192.168.0.0/16';
    const serviceCidr = props.serviceCidr ?? '172.16.0.0/16';
    for (const [field, cidr] of [['podCidr', podCidr], ['serviceCidr', serviceCidr]] as const) {
      if (overlaps(cidr, props.vnetCidr)) throw new Error(`Cluster ${props.name}: ${field} ${cidr} overlaps the VNet ${props.vnetCidr}; choose a range outside it`);
    }
    if (overlaps(podCidr, serviceCidr)) throw new Error(`Cluster ${props.name}: podCidr ${podCidr} overlaps serviceCidr ${serviceCidr}`);
    const base = { location: props.location, resourceGroupName: props.resourceGroupName };

    this.identity = new UserAssignedIdentity(this, 'identity', { ...base, name: `${props.name}-aks` });
    const kmsKey = props.keyVault.addKey('kms-key', `${props.name}-aks-kms`);
    // KMS with a private vault: the control plane encrypts with the key and links the vault privately.
    const grants = [
      ['kms-crypto-user', props.keyVault.vault.id, 'Key Vault Crypto User'],
      ['kms-vault-contributor', props.keyVault.vault.id, 'Key Vault Contributor'],
      ['subnet-network-contributor', props.nodeSubnet.id, 'Network Contributor'],
    ].map(([gid, scope, role]) => new RoleAssignment(this, gid as string, { scope: scope as string, roleDefinitionName: role as string, principalId: this.identity.principalId }));

    this.cluster = new KubernetesCluster(this, 'cluster', {
      ...base,
      name: props.name,
      dnsPrefixPrivateCluster: props.name,
      kubernetesVersion: props.kubernetesVersion,
      skuTier: 'Standard',
      privateClusterEnabled: true,
      privateClusterPublicFqdnEnabled: false,
      localAccountDisabled: true,
      roleBasedAccessControlEnabled: true,
      azureActiveDirectoryRoleBasedAccessControl: {
        azureRbacEnabled: true,
        tenantId: props.tenantId,
        ...(props.adminGroupObjectIds !== undefined ? { adminGroupObjectIds: [...props.adminGroupObjectIds] } : {}),
      },
      oidcIssuerEnabled: true,
      workloadIdentityEnabled: true,
      automaticUpgradeChannel: props.upgradeChannel ?? UpgradeChannel.PATCH,
      nodeOsUpgradeChannel: 'NodeImage',
      identity: { type: 'UserAssigned', identityIds: [this.identity.id] },
      keyManagementService: { keyVaultKeyId: kmsKey.id, keyVaultNetworkAccess: 'Private' },
      networkProfile: {
        networkPlugin: 'azure',
        networkPluginMode: 'overlay',
        networkDataPlane: 'cilium',
        networkPolicy: 'cilium',
        podCidr,
        serviceCidr,
        dnsServiceIp: tenthAddress(serviceCidr),
        loadBalancerSku: 'standard',
        outboundType: 'userAssignedNATGateway',
      },
      defaultNodePool: {
        name: 'system',
        vmSize: props.systemVmSize ?? 'Standard_D4s_v5',
        autoScalingEnabled: true,
        minCount: minNodes,
        maxCount: maxNodes,
        vnetSubnetId: props.nodeSubnet.id,
        onlyCriticalAddonsEnabled: true,
        hostEncryptionEnabled: true,
        nodePublicIpEnabled: false,
        osSku: 'AzureLinux',
        nodeLabels: { 'vpctune.dev/pool': 'system' },
        temporaryNameForRotation: 'systemtmp',
        upgradeSettings: { maxSurge: '10%' },
        ...(props.zones !== undefined ? { zones: [...props.zones] } : {}),
      },
      // The autoscaler owns the system pool's node count.
      lifecycle: { ignoreChanges: ['default_node_pool[0].node_count'] },
      dependsOn: [...grants, ...(props.egressDependencies ?? [])],
    });
  }

  /** The OIDC issuer URL workload identities trust. */
  get oidcIssuerUrl(): string {
    return this.cluster.oidcIssuerUrl;
  }
}

function range(cidr: string): [number, number] {
  const c = parseCidr(cidr);
  if (typeof c === 'string') throw new Error(`Cluster: ${JSON.stringify(cidr)} ${c}`);
  return [c.base, c.base + 2 ** (32 - c.prefix) - 1];
}

function overlaps(a: string, b: string): boolean {
  const [a0, a1] = range(a);
  const [b0, b1] = range(b);
  return a0 <= b1 && b0 <= a1;
}

function tenthAddress(cidr: string): string {
  const [start] = range(cidr);
  return formatCidr({ base: start + 10, prefix: 32 }).replace(/\/32$/, '');
}
