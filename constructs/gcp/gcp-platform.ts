import { KmsKeyRing } from '@cdktf/provider-google/lib/kms-key-ring';
import { Construct } from 'constructs';
import { Cloud } from '../catalog';
import { ResolvedPlatformConfig } from '../config';
import { ALL_SERVICE_ACCOUNTS, PlatformImage, ServiceAccount } from '../platform';
import { ArtifactStore } from './artifact-store';
import { Bastion } from './bastion';
import { Cluster } from './cluster';
import { CloudSqlDatabase } from './database';
import { EncryptionKey } from './encryption-key';
import { GpuNodePool, GpuNodePoolOptions } from './gpu-node-pool';
import { gpuPoolZones } from './gpu-zones';
import { ImageRegistry } from './image-registry';
import { Network } from './network';
import { NodeServiceAccount } from './node-service-account';
import { PrivateServicesAccess } from './private-services-access';
import { ServiceAgents } from './service-agents';
import { WorkloadIdentity } from './workload-identity';

export interface GcpPlatformProps {
  /** A validated config for cloud gcp (see constructs/config: loadConfigFile / parseConfig). */
  readonly config: ResolvedPlatformConfig;
}

/** The whole GCP platform from one config: network, keys, GKE, GPU pools, bucket, registry, identities, database, bastion. */
export class GcpPlatform extends Construct {
  public readonly project: string;
  public readonly network: Network;
  public readonly keyRing: KmsKeyRing;
  public readonly keys: { readonly gkeSecrets: EncryptionKey; readonly artifacts: EncryptionKey; readonly registry: EncryptionKey; readonly nodeDisks: EncryptionKey };
  public readonly nodeServiceAccount: NodeServiceAccount;
  public readonly cluster: Cluster;
  public readonly gpuPools: GpuNodePool[] = [];
  public readonly artifacts: ArtifactStore;
  public readonly registry: ImageRegistry;
  public readonly identity: WorkloadIdentity;
  public readonly bastion?: Bastion;
  /** The controller's Cloud SQL PostgreSQL and its key; absent with `database.external: true`. */
  public readonly database?: CloudSqlDatabase;
  public readonly databaseKey?: EncryptionKey;
  private readonly config: ResolvedPlatformConfig;

  constructor(scope: Construct, id: string, props: GcpPlatformProps) {
    super(scope, id);
    const c = props.config;
    if (c.cloud !== Cloud.GCP) throw new Error(`GcpPlatform: config ${c.name} is for cloud ${c.cloud}; allowed: gcp`);
    if (c.gcp === undefined) throw new Error(`GcpPlatform: config ${c.name} has no gcp.project; set the project id to deploy into`);
    this.config = c;
    const project = c.gcp.project;
    this.project = project;
    const common = { name: c.name, project };

    this.network = new Network(this, 'network', { ...common, region: c.region, cidr: c.network.cidr });
    const agents = new ServiceAgents(this, 'service-agents', { project });
    this.keyRing = new KmsKeyRing(this, 'key-ring', { name: c.name, project, location: c.region });
    this.keys = {
      gkeSecrets: new EncryptionKey(this, 'gke-secrets-key', { keyRing: this.keyRing, name: 'gke-secrets', users: [agents.gke] }),
      artifacts: new EncryptionKey(this, 'artifacts-key', { keyRing: this.keyRing, name: 'artifacts', users: [agents.storage] }),
      registry: new EncryptionKey(this, 'registry-key', { keyRing: this.keyRing, name: 'registry', users: [agents.artifactRegistry] }),
      // Node and bastion boot disks: Compute Engine's service agent encrypts them, also for the VMs GKE creates.
      nodeDisks: new EncryptionKey(this, 'node-disks-key', { keyRing: this.keyRing, name: 'node-disks', users: [agents.computeEngine] }),
    };
    this.nodeServiceAccount = new NodeServiceAccount(this, 'node-service-account', common);
    this.cluster = new Cluster(this, 'cluster', {
      ...common,
      region: c.region,
      kubernetesVersion: c.kubernetes.version,
      networkId: this.network.network.id,
      subnetId: this.network.subnet.id,
      nodeCidr: this.network.ranges.nodes,
      controlPlaneCidr: this.network.ranges.controlPlane,
      secretsKeyId: this.keys.gkeSecrets.id,
      secretsKeyGrants: this.keys.gkeSecrets.grants,
      nodeServiceAccountEmail: this.nodeServiceAccount.email,
      nodeDiskKeyId: this.keys.nodeDisks.id,
      nodeDiskKeyGrants: this.keys.nodeDisks.grants,
      publicEndpoint: c.kubernetes.publicEndpoint,
      ...(c.kubernetes.publicAccessCidrs !== undefined ? { publicAccessCidrs: c.kubernetes.publicAccessCidrs } : {}),
      ...(c.systemPool.instanceType !== undefined ? { systemMachineType: c.systemPool.instanceType } : {}),
      ...(c.network.availabilityZones !== undefined ? { systemZones: c.network.availabilityZones } : {}),
      systemMinNodes: c.systemPool.minNodes,
      systemMaxNodes: c.systemPool.maxNodes,
    });
    for (const pool of c.gpuPools) {
      this.addGpuPool({ name: pool.name, sku: pool.sku, minNodes: pool.minNodes, maxNodes: pool.maxNodes, capacity: pool.capacity, rootVolumeGiB: pool.rootVolumeGiB });
    }
    this.artifacts = new ArtifactStore(this, 'artifacts', {
      ...common,
      region: c.region,
      keyId: this.keys.artifacts.id,
      keyGrants: this.keys.artifacts.grants,
      jobArtifactRetentionDays: c.storage.jobArtifactRetentionDays,
      noncurrentVersionRetentionDays: c.storage.noncurrentVersionRetentionDays,
      forceDestroy: c.storage.forceDestroy,
    });
    this.registry = new ImageRegistry(this, 'registry', {
      ...common,
      region: c.region,
      keyId: this.keys.registry.id,
      keyGrants: this.keys.registry.grants,
      readers: [this.nodeServiceAccount.member],
    });
    this.identity = new WorkloadIdentity(this, 'identity', {
      ...common,
      workloadPool: this.cluster.workloadPool,
      cluster: this.cluster.cluster,
      bucket: this.artifacts.bucket,
      bucketName: this.artifacts.bucketName,
    });
    if (!c.database.external) {
      const privateServices = new PrivateServicesAccess(this, 'private-services', { ...common, networkId: this.network.network.id, cidr: c.network.cidr });
      // Cloud SQL encrypts disks and backups, Secret Manager the password's payload, both with this key.
      this.databaseKey = new EncryptionKey(this, 'database-key', { keyRing: this.keyRing, name: 'database', users: [agents.cloudSql, agents.secretManager] });
      this.database = new CloudSqlDatabase(this, 'database', {
        ...common,
        region: c.region,
        networkId: this.network.network.id,
        privateServices,
        key: this.databaseKey,
        tier: c.database.instanceClass,
        storageGiB: c.database.storageGiB,
        forceDestroy: c.storage.forceDestroy,
      });
    }
    if (c.bastion.enabled) {
      this.bastion = new Bastion(this, 'bastion', {
        ...common,
        zone: c.network.availabilityZones?.[0] ?? `${c.region}-b`,
        networkId: this.network.network.id,
        subnetId: this.network.subnet.id,
        bootDiskKmsKey: this.keys.nodeDisks.id,
        bootDiskKeyGrants: this.keys.nodeDisks.grants,
      });
    }
  }

  /** Adds a GPU node pool to this platform's cluster, in the zones that sell its GPU (gpuPoolZones) unless `zones` says. */
  public addGpuPool(options: GpuNodePoolOptions): GpuNodePool {
    if (this.gpuPools.some((p) => p.labels['vpctune.dev/pool'] === options.name)) throw new Error(`GcpPlatform: a GPU pool named ${options.name} already exists`);
    const zones = options.zones ?? gpuPoolZones(options.name, this.config.region, options.sku.accelerator, this.config.network.availabilityZones);
    const pool = new GpuNodePool(this, `gpu-pool-${options.name}`, {
      ...options,
      ...(zones !== undefined ? { zones } : {}),
      project: this.project,
      region: this.config.region,
      clusterId: this.cluster.cluster.id,
      nodeServiceAccountEmail: this.nodeServiceAccount.email,
      bootDiskKmsKey: this.keys.nodeDisks.id,
    });
    this.gpuPools.push(pool);
    return pool;
  }

  /** The Google service account email a Kubernetes service account is annotated with. */
  public serviceAccountEmail(sa: ServiceAccount): string {
    const account = this.identity.accounts[sa];
    if (account === undefined) throw new Error(`GcpPlatform: no Google service account for ${sa}; they exist for ${ALL_SERVICE_ACCOUNTS.join(', ')}`);
    return account.email;
  }

  public repositoryUrl(image: PlatformImage): string {
    return this.registry.repositoryUrl(image);
  }
}
