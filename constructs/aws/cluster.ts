import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { EncryptionKey } from './encryption-key';
import { managedPolicyArn, serviceTrust } from './iam-documents';
import { NodeLaunchTemplate } from './node-launch-template';
import { partitionOf } from './partition';
import { VpcCniAddon } from './vpc-cni-addon';

/** Control-plane log types sent to CloudWatch. */
export enum ControlPlaneLog {
  API = 'api',
  AUDIT = 'audit',
  AUTHENTICATOR = 'authenticator',
  CONTROLLER_MANAGER = 'controllerManager',
  SCHEDULER = 'scheduler',
}

export interface ClusterProps {
  readonly name: string;
  readonly region: string;
  /** Kubernetes minor version, e.g. "1.34". */
  readonly kubernetesVersion: string;
  /** Private subnets for the control plane's network interfaces and the system nodes. */
  readonly subnets: readonly Subnet[];
  /** @default false — private API endpoint only */
  readonly publicEndpoint?: boolean;
  /** Required when publicEndpoint is true; never 0.0.0.0/0. */
  readonly publicAccessCidrs?: readonly string[];
  /**
   * IAM role ARN granted cluster-admin through an access entry (AmazonEKSClusterAdminPolicy). The creator gets no
   * hidden bootstrap admin. @default - no Kubernetes admin until one is added (`addClusterAdmin`, or an access entry
   * created with `aws eks create-access-entry` by someone with IAM rights on the cluster)
   */
  readonly adminRoleArn?: string;
  /**
   * The platform key: encrypts the control-plane log group and the system nodes' root volumes. Its policy must let
   * CloudWatch Logs and EC2 Auto Scaling use it (KeyUser.CLOUDWATCH_LOGS, KeyUser.EC2_AUTO_SCALING).
   */
  readonly platformKey: EncryptionKey;
  /** @default all five control-plane log types */
  readonly logTypes?: readonly ControlPlaneLog[];
  /** @default 90 */
  readonly logRetentionDays?: number;
  /** System (CPU) node group. @default m6i.large, 2 to 4 nodes */
  readonly systemInstanceType?: string;
  readonly systemMinNodes?: number;
  readonly systemMaxNodes?: number;
}

/**
 * EKS with a private endpoint by default, secrets envelope-encrypted with a customer KMS key, control-plane
 * logging to an encrypted log group, explicit access entries only (API mode, no creator bootstrap admin), an IAM OIDC
 * provider for IRSA, the VPC CNI add-on with its own IRSA role, and a CPU system node group with a role of its own
 * (GPU pools get `gpuNodeRole`).
 */
export class Cluster extends Construct {
  public readonly cluster: EksCluster;
  /** The system node group's role. */
  public readonly systemNodeRole: IamRole;
  /** The role of every GPU pool's nodes: apart from the system pool's, so training code never acts as the controller's nodes. */
  public readonly gpuNodeRole: IamRole;
  public readonly vpcCni: VpcCniAddon;
  /** What a node group must wait for: its role's policies, the VPC CNI add-on and the key policy of its volumes. */
  public readonly gpuNodeDependencies: readonly ITerraformDependable[];
  public readonly oidcProvider: IamOpenidConnectProvider;
  public readonly secretsKey: EncryptionKey;
  public readonly systemNodeGroup: EksNodeGroup;
  public readonly partition: string;

  constructor(scope: Construct, id: string, props: ClusterProps) {
    super(scope, id);
    const publicEndpoint = props.publicEndpoint ?? false;
    const cidrs = props.publicAccessCidrs ?? [];
    if (publicEndpoint && cidrs.length === 0) {
      throw new Error(`Cluster ${props.name}: publicEndpoint is true but publicAccessCidrs is empty; list the CIDRs allowed to reach the API`);
    }
    if (cidrs.includes('0.0.0.0/0')) {
      throw new Error(`Cluster ${props.name}: publicAccessCidrs contains 0.0.0.0/0; list your VPN or office CIDRs instead`);
    }
    const minNodes = props.systemMinNodes ?? 2;
    const maxNodes = props.systemMaxNodes ?? 4;
    if (minNodes > maxNodes) throw new Error(`Cluster ${props.name}: systemMinNodes ${minNodes} can't be greater than systemMaxNodes ${maxNodes}`);
    this.partition = partitionOf(props.region);
    const p = this.partition;

    this.secretsKey = new EncryptionKey(this, 'secrets-key', { alias: `${props.name}-eks-secrets`, description: `${props.name} EKS secrets envelope encryption` });

    const clusterRole = new IamRole(this, 'cluster-role', { name: `${props.name}-eks-cluster`, assumeRolePolicy: serviceTrust('eks.amazonaws.com') });
    const clusterPolicy = new IamRolePolicyAttachment(this, 'cluster-policy', { role: clusterRole.name, policyArn: managedPolicyArn(p, 'AmazonEKSClusterPolicy') });

    // Created here, before the cluster, so EKS does not create it unencrypted and never expiring.
    const logGroup = new CloudwatchLogGroup(this, 'control-plane-logs', {
      name: `/aws/eks/${props.name}/cluster`,
      retentionInDays: props.logRetentionDays ?? 90,
      kmsKeyId: props.platformKey.arn,
      dependsOn: [props.platformKey.policy],
    });

    this.cluster = new EksCluster(this, 'cluster', {
      name: props.name,
      version: props.kubernetesVersion,
      roleArn: clusterRole.arn,
      vpcConfig: {
        subnetIds: props.subnets.map((s) => s.id),
        endpointPrivateAccess: true,
        endpointPublicAccess: publicEndpoint,
        ...(publicEndpoint ? { publicAccessCidrs: [...cidrs] } : {}),
      },
      encryptionConfig: { resources: ['secrets'], provider: { keyArn: this.secretsKey.arn } },
      enabledClusterLogTypes: [...(props.logTypes ?? Object.values(ControlPlaneLog))],
      // No hidden admin: every cluster admin is an access entry in this stack.
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
      dependsOn: [clusterPolicy, logGroup],
    });

    // IRSA: the cluster's OIDC issuer as an IAM identity provider. IAM trusts the EKS issuer's CA itself,
    // so no thumbprint (and no TLS data source) is needed.
    this.oidcProvider = new IamOpenidConnectProvider(this, 'oidc', {
      url: this.cluster.identity.get(0).oidc.get(0).issuer,
      clientIdList: ['sts.amazonaws.com'],
    });

    if (props.adminRoleArn !== undefined) this.addClusterAdmin('admin', props.adminRoleArn);
    this.vpcCni = new VpcCniAddon(this, 'vpc-cni', { name: props.name, partition: p, cluster: this.cluster, oidcProvider: this.oidcProvider });

    const system = this.nodeRole('system', `${props.name}-eks-system-node`);
    const gpu = this.nodeRole('gpu', `${props.name}-eks-gpu-node`);
    this.systemNodeRole = system.role;
    this.gpuNodeRole = gpu.role;
    this.gpuNodeDependencies = [...gpu.attachments, this.vpcCni.addon, props.platformKey.policy];

    const systemLt = new NodeLaunchTemplate(this, 'system-lt', { name: `${props.name}-system`, rootVolumeGiB: 50, kmsKeyArn: props.platformKey.arn });
    this.systemNodeGroup = new EksNodeGroup(this, 'system-nodes', {
      clusterName: this.cluster.name,
      nodeGroupName: 'system',
      nodeRoleArn: this.systemNodeRole.arn,
      subnetIds: props.subnets.map((s) => s.id),
      amiType: 'AL2023_x86_64_STANDARD',
      capacityType: 'ON_DEMAND',
      instanceTypes: [props.systemInstanceType ?? 'm6i.large'],
      scalingConfig: { minSize: minNodes, maxSize: maxNodes, desiredSize: minNodes },
      launchTemplate: { id: systemLt.template.id, version: Token.asString(systemLt.template.latestVersion) },
      labels: { 'vpctune.dev/pool': 'system' },
      lifecycle: { ignoreChanges: ['scaling_config[0].desired_size'] },
      dependsOn: [...system.attachments, this.vpcCni.addon, props.platformKey.policy],
    });
  }

  /** Grants `principalArn` (an IAM role or user) cluster-admin through an access entry. */
  public addClusterAdmin(id: string, principalArn: string): EksAccessEntry {
    const entry = new EksAccessEntry(this, `${id}-access`, { clusterName: this.cluster.name, principalArn, type: 'STANDARD' });
    new EksAccessPolicyAssociation(this, `${id}-policy`, {
      clusterName: this.cluster.name,
      principalArn: entry.principalArn,
      policyArn: `arn:${this.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
      accessScope: { type: 'cluster' },
    });
    return entry;
  }

  /**
   * A node role with the least a managed node needs: join the cluster (AmazonEKSWorkerNodePolicy) and pull images
   * (AmazonEC2ContainerRegistryPullOnly). No CNI policy (the add-on has its own role), no SSM (the bastion is the way in).
   */
  private nodeRole(id: string, name: string): { role: IamRole; attachments: IamRolePolicyAttachment[] } {
    const role = new IamRole(this, `${id}-node-role`, { name, assumeRolePolicy: serviceTrust('ec2.amazonaws.com') });
    const attachments = NODE_POLICIES.map((policy) => new IamRolePolicyAttachment(this, `${id}-node-${policy}`, { role: role.name, policyArn: managedPolicyArn(this.partition, policy) }));
    return { role, attachments };
  }
}

/** Managed policies of every node role. */
export const NODE_POLICIES: readonly string[] = ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryPullOnly'];
