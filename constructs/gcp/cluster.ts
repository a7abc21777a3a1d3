import { ContainerCluster } from '@cdktf/provider-google/lib/container-cluster';
import { ContainerNodePool } from '@cdktf/provider-google/lib/container-node-pool';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { POOL_LABEL } from '../platform';
import { SecondaryRange } from './network';
import { baseNodeConfig } from './node-config';

/** GKE release channels. */
export enum ReleaseChannel {
  RAPID = 'RAPID',
  REGULAR = 'REGULAR',
  STABLE = 'STABLE',
}

export interface ClusterProps {
  readonly name: string;
  readonly project: string;
  readonly region: string;
  /** Kubernetes minor version, e.g. "1.34": the cluster's minimum master version inside its channel. */
  readonly kubernetesVersion: string;
  readonly networkId: string;
  readonly subnetId: string;
  /** The node subnet's primary range: it may reach a private endpoint (the bastion lives there). */
  readonly nodeCidr: string;
  /** The control plane's /28. */
  readonly controlPlaneCidr: string;
  /** The Cloud KMS key that encrypts Secrets in etcd (application-layer secrets encryption). */
  readonly secretsKeyId: string;
  /** The grant of that key to the GKE service agent; the cluster waits for it. @default none */
  readonly secretsKeyGrants?: readonly ITerraformDependable[];
  readonly nodeServiceAccountEmail: string;
  /** The Cloud KMS key the nodes' boot disks are encrypted with (CMEK). */
  readonly nodeDiskKeyId: string;
  /** The grant of that key to the Compute Engine service agent; the cluster waits for it. @default none */
  readonly nodeDiskKeyGrants?: readonly ITerraformDependable[];
  /** @default false — private endpoint only */
  readonly publicEndpoint?: boolean;
  /** Master authorized networks when publicEndpoint is true; required then, never 0.0.0.0/0. */
  readonly publicAccessCidrs?: readonly string[];
  /** @default ReleaseChannel.REGULAR */
  readonly releaseChannel?: ReleaseChannel;
  /** Refuse `terraform destroy` of the cluster. @default true */
  readonly deletionProtection?: boolean;
  /** System (CPU) pool. @default e2-standard-4, 2 to 4 nodes in all */
  readonly systemMachineType?: string;
  readonly systemMinNodes?: number;
  readonly systemMaxNodes?: number;
  /** Zones for the system pool. @default - GKE's choice of the region's zones */
  readonly systemZones?: readonly string[];
  /** Pods per node, sizing each node's slice of the pod range. @default 64 */
  readonly maxPodsPerNode?: number;
}

/**
 * Regional GKE Standard: private nodes, a private endpoint by default, Workload Identity, shielded nodes, Dataplane V2,
 * Secrets and node boot disks encrypted with Cloud KMS keys, system and workload logging and managed Prometheus, deletion protection, and
 * a CPU system pool instead of the default pool.
 */
export class Cluster extends Construct {
  public readonly cluster: ContainerCluster;
  public readonly systemPool: ContainerNodePool;
  /** `PROJECT.svc.id.goog`. */
  public readonly workloadPool: string;

  constructor(scope: Construct, id: string, props: ClusterProps) {
    super(scope, id);
    const publicEndpoint = props.publicEndpoint ?? false;
    const cidrs = props.publicAccessCidrs ?? [];
    if (publicEndpoint && cidrs.length === 0) {
      throw new Error(`Cluster ${props.name}: publicEndpoint is true but publicAccessCidrs is empty; list the CIDRs allowed to reach the API`);
    }
    if (cidrs.includes('0.0.0.0/0')) throw new Error(`Cluster ${props.name}: publicAccessCidrs contains 0.0.0.0/0; list your VPN or office CIDRs instead`);
    const minNodes = props.systemMinNodes ?? 2;
    const maxNodes = props.systemMaxNodes ?? 4;
    if (minNodes > maxNodes) throw new Error(`Cluster ${props.name}: systemMinNodes ${minNodes} can't be greater than systemMaxNodes ${maxNodes}`);
    this.workloadPool = `${props.project}.svc.id.goog`;
    const nodeConfig = baseNodeConfig({ machineType: props.systemMachineType ?? 'e2-standard-4', serviceAccountEmail: props.nodeServiceAccountEmail, labels: { [POOL_LABEL]: 'system' }, diskSizeGb: 100, bootDiskKmsKey: props.nodeDiskKeyId });
    const keyGrants = [...(props.secretsKeyGrants ?? []), ...(props.nodeDiskKeyGrants ?? [])];

    this.cluster = new ContainerCluster(this, 'cluster', {
      name: props.name,
      project: props.project,
      location: props.region,
      minMasterVersion: props.kubernetesVersion,
      releaseChannel: { channel: props.releaseChannel ?? ReleaseChannel.REGULAR },
      deletionProtection: props.deletionProtection ?? true,
      // The default pool is replaced by the system pool; the one GKE creates first still gets the hardened config.
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      nodeConfig,
      network: props.networkId,
      subnetwork: props.subnetId,
      networkingMode: 'VPC_NATIVE',
      ipAllocationPolicy: { clusterSecondaryRangeName: SecondaryRange.PODS, servicesSecondaryRangeName: SecondaryRange.SERVICES },
      defaultMaxPodsPerNode: props.maxPodsPerNode ?? 64,
      datapathProvider: 'ADVANCED_DATAPATH',
      privateClusterConfig: {
        enablePrivateNodes: true,
        enablePrivateEndpoint: !publicEndpoint,
        masterIpv4CidrBlock: props.controlPlaneCidr,
        masterGlobalAccessConfig: { enabled: false },
      },
      masterAuthorizedNetworksConfig: {
        gcpPublicCidrsAccessEnabled: false,
        cidrBlocks: publicEndpoint
          ? cidrs.map((c) => ({ cidrBlock: c, displayName: `allowed ${c}` }))
          : [{ cidrBlock: props.nodeCidr, displayName: 'node subnet (bastion)' }],
      },
      workloadIdentityConfig: { workloadPool: this.workloadPool },
      enableShieldedNodes: true,
      databaseEncryption: { state: 'ENCRYPTED', keyName: props.secretsKeyId },
      loggingConfig: { enableComponents: ['SYSTEM_COMPONENTS', 'APISERVER', 'WORKLOADS'] },
      monitoringConfig: { enableComponents: ['SYSTEM_COMPONENTS'], managedPrometheus: { enabled: true } },
      lifecycle: { ignoreChanges: ['node_config'] },
      ...(keyGrants.length > 0 ? { dependsOn: keyGrants } : {}),
    });

    this.systemPool = new ContainerNodePool(this, 'system', {
      name: 'system',
      project: props.project,
      location: props.region,
      cluster: this.cluster.id,
      ...(props.systemZones !== undefined ? { nodeLocations: [...props.systemZones] } : {}),
      initialNodeCount: 1,
      autoscaling: { totalMinNodeCount: minNodes, totalMaxNodeCount: maxNodes, locationPolicy: 'BALANCED' },
      management: { autoRepair: true, autoUpgrade: true },
      networkConfig: { enablePrivateNodes: true },
      nodeConfig,
      lifecycle: { ignoreChanges: ['initial_node_count'] },
    });
  }
}
