import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Construct } from 'constructs';
import { Cloud } from '../catalog';
import { ResolvedPlatformConfig } from '../config';
import { ALL_SERVICE_ACCOUNTS, PlatformImage, POOL_LABEL, ServiceAccount } from '../platform/conventions';
import { ArtifactStore } from './artifact-store';
import { Bastion } from './bastion';
import { Cluster } from './cluster';
import { FlexibleServerDatabase } from './database';
import { DatabaseNetwork } from './database-network';
import { NodeDiskEncryption } from './disk-encryption-set';
import { GpuNodePool, GpuNodePoolOptions } from './gpu-node-pool';
import { ImageRegistry } from './image-registry';
import { PlatformKeyVault } from './key-vault';
import { AzureNames, azureNames } from './naming';
import { Network, PrivateLinkZone } from './network';
import { WorkloadIdentity } from './workload-identity';

export interface AzurePlatformProps {
  /** A validated config for cloud azure (see constructs/config: loadConfigFile / parseConfig). */
  readonly config: ResolvedPlatformConfig;
}

/**
 * The whole Azure platform from one config: resource group, VNet, key vault, AKS cluster (private unless
 * kubernetes.publicEndpoint), node disk encryption with a customer-managed key, GPU pools,
 * blob storage, registry, workload identities, the controller's PostgreSQL (unless database.external) and, when
 * enabled, Azure Bastion with a VM.
 */
export class AzurePlatform extends Construct {
  public readonly names: AzureNames;
  public readonly resourceGroup: ResourceGroup;
  public readonly network: Network;
  public readonly keyVault: PlatformKeyVault;
  public readonly diskEncryption: NodeDiskEncryption;
  public readonly cluster: Cluster;
  public readonly gpuPools: GpuNodePool[] = [];
  public readonly artifacts: ArtifactStore;
  public readonly registry: ImageRegistry;
  public readonly identity: WorkloadIdentity;
  public readonly bastion?: Bastion;
  /** The controller's PostgreSQL flexible server; absent with `database.external: true`. */
  public readonly database?: FlexibleServerDatabase;

  constructor(scope: Construct, id: string, props: AzurePlatformProps) {
    super(scope, id);
    const c = props.config;
    if (c.cloud !== Cloud.AZURE) throw new Error(`AzurePlatform: config ${c.name} is for cloud ${c.cloud}; allowed: azure`);
    this.names = azureNames(c.name);
    const client = new DataAzurermClientConfig(this, 'client', {});
    this.resourceGroup = new ResourceGroup(this, 'resource-group', {
      name: this.names.resourceGroup,
      location: c.region,
      tags: { 'vpctune-platform': c.name, 'managed-by': 'vpctune', ...c.tags },
    });
    const base = { location: this.resourceGroup.location, resourceGroupName: this.resourceGroup.name };

    this.network = new Network(this, 'network', { ...base, name: c.name, cidr: c.network.cidr });
    const endpoints = this.network.endpointSubnet.id;
    this.keyVault = new PlatformKeyVault(this, 'key-vault', {
      ...base,
      name: this.names.keyVault,
      tenantId: client.tenantId,
      deployerObjectId: client.objectId,
      endpointSubnetId: endpoints,
      dnsZone: this.network.dnsZones[PrivateLinkZone.KEY_VAULT],
    });
    this.diskEncryption = new NodeDiskEncryption(this, 'disk-encryption', { ...base, name: c.name, keyVault: this.keyVault });
    this.cluster = new Cluster(this, 'cluster', {
      ...base,
      name: c.name,
      publicEndpoint: c.kubernetes.publicEndpoint,
      ...(c.kubernetes.publicAccessCidrs !== undefined ? { publicAccessCidrs: c.kubernetes.publicAccessCidrs } : {}),
      ...(c.kubernetes.publicEndpoint ? { nodeEgressIp: this.network.natPublicIp.ipAddress } : {}),
      diskEncryptionSetId: this.diskEncryption.id,
      kubernetesVersion: c.kubernetes.version,
      vnetCidr: c.network.cidr,
      nodeSubnet: this.network.nodeSubnet,
      egressDependencies: [this.network.nodeEgress],
      keyVault: this.keyVault,
      tenantId: client.tenantId,
      ...(c.kubernetes.adminGroupObjectIds !== undefined ? { adminGroupObjectIds: c.kubernetes.adminGroupObjectIds } : {}),
      ...(c.systemPool.instanceType !== undefined ? { systemVmSize: c.systemPool.instanceType } : {}),
      ...(c.network.availabilityZones !== undefined ? { zones: c.network.availabilityZones } : {}),
      systemMinNodes: c.systemPool.minNodes,
      systemMaxNodes: c.systemPool.maxNodes,
    });
    for (const pool of c.gpuPools) {
      this.addGpuPool({ name: pool.name, sku: pool.sku, minNodes: pool.minNodes, maxNodes: pool.maxNodes, capacity: pool.capacity, rootVolumeGiB: pool.rootVolumeGiB });
    }
    this.artifacts = new ArtifactStore(this, 'artifacts', {
      ...base,
      name: c.name,
      accountName: this.names.storageAccount,
      containerName: this.names.container,
      keyVault: this.keyVault,
      endpointSubnetId: endpoints,
      dnsZone: this.network.dnsZones[PrivateLinkZone.BLOB],
      jobArtifactRetentionDays: c.storage.jobArtifactRetentionDays,
    });
    this.registry = new ImageRegistry(this, 'registry', {
      ...base,
      name: this.names.registry,
      platformName: c.name,
      keyVault: this.keyVault,
      endpointSubnetId: endpoints,
      dnsZone: this.network.dnsZones[PrivateLinkZone.REGISTRY],
    });
    // Nodes pull the platform images with the kubelet identity AKS creates.
    new RoleAssignment(this, 'kubelet-acr-pull', {
      scope: this.registry.registry.id,
      roleDefinitionName: 'AcrPull',
      principalId: this.cluster.cluster.kubeletIdentity.objectId,
      principalType: 'ServicePrincipal',
    });
    this.identity = new WorkloadIdentity(this, 'identity', {
      ...base,
      name: c.name,
      oidcIssuerUrl: this.cluster.oidcIssuerUrl,
      containerId: this.artifacts.container.id,
      storageAccountId: this.artifacts.account.id,
      registryId: this.registry.registry.id,
    });
    if (!c.database.external) {
      const network = new DatabaseNetwork(this, 'database-network', { resourceGroupName: this.resourceGroup.name, name: c.name, vnetName: this.network.vnet.name, vnetId: this.network.vnet.id, vnetCidr: c.network.cidr });
      this.database = new FlexibleServerDatabase(this, 'database', {
        ...base,
        name: c.name,
        network,
        keyVault: this.keyVault,
        deployerObjectId: client.objectId,
        skuName: c.database.instanceClass,
        storageGiB: c.database.storageGiB,
      });
    }
    if (c.bastion.enabled) {
      const key = c.azure?.bastionSshPublicKey;
      if (key === undefined) throw new Error(`AzurePlatform ${c.name}: bastion.enabled needs azure.bastionSshPublicKey`);
      this.bastion = new Bastion(this, 'bastion', {
        ...base,
        name: c.name,
        bastionSubnetId: this.network.bastionSubnet.id,
        vmSubnetId: this.network.managementSubnet.id,
        sshPublicKey: key,
        diskEncryptionSetId: this.diskEncryption.id,
      });
    }
  }

  /** Adds a GPU node pool to this platform's cluster. */
  public addGpuPool(options: GpuNodePoolOptions): GpuNodePool {
    if (this.gpuPools.some((p) => p.labels[POOL_LABEL] === options.name)) throw new Error(`AzurePlatform: a GPU pool named ${options.name} already exists`);
    const pool = new GpuNodePool(this, `gpu-pool-${options.name}`, { ...options, kubernetesClusterId: this.cluster.cluster.id, nodeSubnetId: this.network.nodeSubnet.id });
    this.gpuPools.push(pool);
    return pool;
  }

  /** The client id a service account's `azure.workload.identity/client-id` annotation carries. */
  public clientId(sa: ServiceAccount): string {
    const identity = this.identity.identities[sa];
    if (identity === undefined) throw new Error(`AzurePlatform: no identity for ${sa}; identities exist for ${ALL_SERVICE_ACCOUNTS.join(', ')}`);
    return identity.clientId;
  }

  public repositoryUrl(image: PlatformImage): string {
    return this.registry.repositoryUrl(image);
  }
}
