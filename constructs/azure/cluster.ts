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
  /** Give the API server a public FQDN, reachable only from `publicAccessCidrs`. @default false — private cluster */
  readonly publicEndpoint?: boolean;
  /** Authorized IP ranges of a public API server; required then, never 0.0.0.0/0. @default none */
  readonly publicAccessCidrs?: readonly string[];
  /**
   * The nodes' egress address (the NAT gateway's public IP): a public API server must admit it, since nodes reach it
   * from there. Required when publicEndpoint is true. @default none
   */
  readonly nodeEgressIp?: string;
  /** The disk encryption set (customer-managed key) of every node OS disk. */
  readonly diskEncryptionSetId: string;
  /** Overlay pod CIDR. @default 192.168.0.0/16 */
  readonly podCidr?: string;
  /** Service CIDR; the DNS service takes its tenth address. @default 172.16.0.0/16 */
  readonly serviceCidr?: string;
}

/**
 * An AKS cluster, private by default (no public API FQDN; or, when publicEndpoint is true, a public API server
 * limited to authorized IP ranges and the nodes' NAT address), Azure CNI overlay with Cilium, egress through the VNet's NAT gateway,
 * OIDC issuer and workload identity, Entra ID with Azure RBAC and local accounts disabled, etcd secrets encrypted
 * with a Key Vault key reached privately (KMS), node OS disks encrypted with a customer-managed key (disk
 * encryption set), an automatic upgrade channel and a CPU system pool.
 */
export class Cluster extends Construct {
  public readonly cluster: KubernetesCluster;
  /** The control plane's identity (KMS, subnet). */
  public readonly identity: UserAssignedIdentity;
  /** Whether the API server has a public FQDN (limited to authorized IP ranges). */
  public readonly publicEndpoint: boolean;

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
    const publicEndpoint = props.publicEndpoint ?? false;
    const cidrs = props.publicAccessCidrs ?? [];
    if (publicEndpoint && cidrs.length === 0) {
      throw new Error(`Cluster ${props.name}: publicEndpoint is true but publicAccessCidrs is empty; list the CIDRs allowed to reach the API`);
    }
    if (!publicEndpoint && cidrs.length > 0) throw new Error(`Cluster ${props.name}: publicAccessCidrs apply only when publicEndpoint is true`);
    const open = cidrs.find((c) => c === '0.0.0.0/0' || c === '::/0');
    if (open !== undefined) throw new Error(`Cluster ${props.name}: publicAccessCidrs contains ${open}; list your VPN or office CIDRs instead`);
    if (publicEndpoint && props.nodeEgressIp === undefined) {
      throw new Error(`Cluster ${props.name}: publicEndpoint is true but nodeEgressIp is unset; the nodes reach a public API server from the NAT gateway's address`);
    }
    this.publicEndpoint = publicEndpoint;
    const base = { location: props.location, resourceGroupName: props.resourceGroupName };

    this.identity = new UserAssignedIdentity(this, 'identity', { ...base, name: `${props.name}-aks` });
    const kmsKey = props.keyVault.addKey('kms-key', `${props.name}-aks-kms`);
    // KMS with a private vault: the control plane encrypts with the key and links the vault privately.
    const grants = [
      ['kms-crypto-user', props.keyVault.vault.id, 'Key Vault Crypto User'],
      ['kms-vault-contributor', props.keyVault.vault.id, 'Key Vault Contributor'],
      ['subnet-network-contributor', props.nodeSubnet.id, 'Network Contributor'],
      // AKS reads the disk encryption set when it creates node OS disks with it.
      ['disk-encryption-set-reader', props.diskEncryptionSetId, 'Reader'],
    ].map(([gid, scope, role]) => new RoleAssignment(this, gid as string, { scope: scope as string, roleDefinitionName: role as string, principalId: this.identity.principalId }));

    this.cluster = new KubernetesCluster(this, 'cluster', {
      ...base,
      name: props.name,
      kubernetesVersion: props.kubernetesVersion,
      skuTier: 'Standard',
      ...(publicEndpoint
        ? {
            dnsPrefix: props.name,
            privateClusterEnabled: false,
            // Nodes reach the public API server from the NAT gateway's address, so it is admitted too.
            apiServerAccessProfile: { authorizedIpRanges: [...cidrs, `${props.nodeEgressIp}/32`] },
          }
        : { dnsPrefixPrivateCluster: props.name, privateClusterEnabled: true, privateClusterPublicFqdnEnabled: false }),
      diskEncryptionSetId: props.diskEncryptionSetId,
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

  /** The API server's FQDN: the public one when publicEndpoint is true, else the private one. */
  get endpointFqdn(): string {
    return this.publicEndpoint ? this.cluster.fqdn : this.cluster.privateFqdn;
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
