import { Construct } from 'constructs';
import { Cloud } from '../catalog';
import { ResolvedPlatformConfig } from '../config';
import { ALL_SERVICE_ACCOUNTS, PlatformImage, ServiceAccount } from '../platform';
import { ArtifactStore } from './artifact-store';
import { Bastion } from './bastion';
import { Cluster } from './cluster';
import { ClusterAutoscalerIdentity } from './cluster-autoscaler-identity';
import { Database } from './database';
import { EncryptionKey, KeyUser } from './encryption-key';
import { GpuNodePool, GpuNodePoolOptions } from './gpu-node-pool';
import { ImageRegistry } from './image-registry';
import { Network } from './network';
import { interfaceEndpointServices } from './vpc-endpoint-services';
import { WorkloadIdentity } from './workload-identity';

export interface AwsPlatformProps {
  /** A validated config (see constructs/config: loadConfigFile / parseConfig). */
  readonly config: ResolvedPlatformConfig;
  /**
   * Tag node groups' Auto Scaling groups for cluster-autoscaler scale-from-zero.
   * @default true
   */
  readonly autoscalerTags?: boolean;
}

/** The whole AWS platform from one config: network, cluster, GPU pools, bucket, registry, identities, database, bastion. */
export class AwsPlatform extends Construct {
  /** The platform key: flow logs, control-plane logs, node and bastion volumes, the database and its password secret. */
  public readonly platformKey: EncryptionKey;
  public readonly network: Network;
  public readonly cluster: Cluster;
  public readonly gpuPools: GpuNodePool[] = [];
  public readonly artifacts: ArtifactStore;
  public readonly registry: ImageRegistry;
  public readonly identity: WorkloadIdentity;
  public readonly bastion?: Bastion;
  /** The controller's PostgreSQL; absent with `database.external: true`. */
  public readonly database?: Database;
  /** The cluster autoscaler's IRSA role (the chart runs the autoscaler with it). */
  public readonly clusterAutoscalerIdentity: ClusterAutoscalerIdentity;
  private readonly autoscalerTags: boolean;

  constructor(scope: Construct, id: string, props: AwsPlatformProps) {
    super(scope, id);
    const c = props.config;
    if (c.cloud !== Cloud.AWS) throw new Error(`AwsPlatform: config ${c.name} is for cloud ${c.cloud}; allowed: aws`);
    this.autoscalerTags = props.autoscalerTags ?? true;

    this.platformKey = new EncryptionKey(this, 'platform-key', {
      alias: `${c.name}-platform`,
      description: `${c.name} logs, EBS volumes and the database`,
      users: [KeyUser.CLOUDWATCH_LOGS, KeyUser.EC2_AUTO_SCALING],
    });
    this.network = new Network(this, 'network', {
      name: c.name,
      region: c.region,
      cidr: c.network.cidr,
      natGateways: c.network.natGateways,
      egress: c.network.egress,
      logKey: this.platformKey,
      interfaceEndpoints: interfaceEndpointServices({ egress: c.network.egress, bastion: c.bastion.enabled, database: !c.database.external }),
      clusterName: c.name,
      ...(c.network.availabilityZones !== undefined ? { availabilityZones: c.network.availabilityZones } : {}),
    });
    this.cluster = new Cluster(this, 'cluster', {
      name: c.name,
      region: c.region,
      kubernetesVersion: c.kubernetes.version,
      subnets: this.network.privateSubnets,
      publicEndpoint: c.kubernetes.publicEndpoint,
      ...(c.kubernetes.publicAccessCidrs !== undefined ? { publicAccessCidrs: c.kubernetes.publicAccessCidrs } : {}),
      ...(c.kubernetes.adminRoleArn !== undefined ? { adminRoleArn: c.kubernetes.adminRoleArn } : {}),
      ...(c.systemPool.instanceType !== undefined ? { systemInstanceType: c.systemPool.instanceType } : {}),
      systemMinNodes: c.systemPool.minNodes,
      systemMaxNodes: c.systemPool.maxNodes,
      platformKey: this.platformKey,
    });
    for (const pool of c.gpuPools) {
      this.addGpuPool({
        name: pool.name,
        sku: pool.sku,
        minNodes: pool.minNodes,
        maxNodes: pool.maxNodes,
        capacity: pool.capacity,
        efa: pool.efa,
        rootVolumeGiB: pool.rootVolumeGiB,
      });
    }
    this.artifacts = new ArtifactStore(this, 'artifacts', {
      name: c.name,
      jobArtifactRetentionDays: c.storage.jobArtifactRetentionDays,
      noncurrentVersionRetentionDays: c.storage.noncurrentVersionRetentionDays,
      forceDestroy: c.storage.forceDestroy,
    });
    this.registry = new ImageRegistry(this, 'registry', { name: c.name, forceDelete: c.storage.forceDestroy });
    this.identity = new WorkloadIdentity(this, 'identity', {
      name: c.name,
      oidcProvider: this.cluster.oidcProvider,
      oidcIssuerUrl: this.cluster.cluster.identity.get(0).oidc.get(0).issuer,
      bucketArn: this.artifacts.bucket.arn,
      bucketKeyArn: this.artifacts.key.arn,
    });
    this.clusterAutoscalerIdentity = new ClusterAutoscalerIdentity(this, 'cluster-autoscaler-identity', {
      name: c.name,
      clusterName: this.cluster.cluster.name,
      clusterArn: this.cluster.cluster.arn,
      oidcProvider: this.cluster.oidcProvider,
      oidcIssuerUrl: this.cluster.cluster.identity.get(0).oidc.get(0).issuer,
    });
    if (!c.database.external) {
      if (this.network.privateSubnets.length < 2) {
        throw new Error(`AwsPlatform ${c.name}: database needs private subnets in at least 2 availability zones (RDS) but network.availabilityZones has ${this.network.privateSubnets.length}; add a zone or set database.external: true`);
      }
      this.database = new Database(this, 'database', {
        name: c.name,
        vpcId: this.network.vpc.id,
        subnets: this.network.privateSubnets,
        // managed node groups (and EFA interfaces) carry the EKS cluster security group
        clientSecurityGroupId: this.cluster.cluster.vpcConfig.clusterSecurityGroupId,
        key: this.platformKey,
        instanceClass: c.database.instanceClass,
        storageGiB: c.database.storageGiB,
        forceDestroy: c.storage.forceDestroy,
      });
    }
    if (c.bastion.enabled) {
      this.bastion = new Bastion(this, 'bastion', {
        name: c.name,
        partition: this.cluster.partition,
        vpcId: this.network.vpc.id,
        vpcCidr: c.network.cidr,
        volumeKmsKeyArn: this.platformKey.arn,
        subnetId: (this.network.privateSubnets[0] as { id: string }).id,
      });
    }
  }

  /** Adds a GPU node pool to this platform's cluster. */
  public addGpuPool(options: GpuNodePoolOptions): GpuNodePool {
    if (this.gpuPools.some((p) => p.labels['vpctune.dev/pool'] === options.name)) {
      throw new Error(`AwsPlatform: a GPU pool named ${options.name} already exists`);
    }
    const pool = new GpuNodePool(this, `gpu-pool-${options.name}`, {
      ...options,
      clusterName: this.cluster.cluster.name,
      nodeRoleArn: this.cluster.gpuNodeRole.arn,
      volumeKmsKeyArn: this.platformKey.arn,
      dependsOn: this.cluster.gpuNodeDependencies,
      subnets: this.network.privateSubnets,
      clusterSecurityGroupId: this.cluster.cluster.vpcConfig.clusterSecurityGroupId,
      vpcId: this.network.vpc.id,
      autoscalerTags: this.autoscalerTags,
    });
    this.gpuPools.push(pool);
    return pool;
  }

  public roleArn(sa: ServiceAccount): string {
    const role = this.identity.roles[sa];
    if (role === undefined) throw new Error(`AwsPlatform: no role for ${sa}; roles exist for ${ALL_SERVICE_ACCOUNTS.join(', ')}`);
    return role.arn;
  }

  public repositoryUrl(image: PlatformImage): string {
    const repo = this.registry.repositories[image];
    if (repo === undefined) throw new Error(`AwsPlatform: no repository for ${image}`);
    return repo.repositoryUrl;
  }
}
