import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { EncryptionKey } from './encryption-key';
import { managedPolicyArn, serviceTrust } from './iam-documents';
import { NodeLaunchTemplate } from './node-launch-template';
import { partitionOf } from './partition';

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
  /** IAM role ARN granted cluster-admin via an access entry. @default - none (only the creator, through bootstrap) */
  readonly adminRoleArn?: string;
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
 * logging, access entries (API authentication mode), an IAM OIDC provider for IRSA and a CPU system node group.
 */
export class Cluster extends Construct {
  public readonly cluster: EksCluster;
  public readonly nodeRole: IamRole;
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

    const logGroup = new CloudwatchLogGroup(this, 'control-plane-logs', { name: `/aws/eks/${props.name}/cluster`, retentionInDays: props.logRetentionDays ?? 90 });

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
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: true },
      dependsOn: [clusterPolicy, logGroup],
    });

    // IRSA: the cluster's OIDC issuer as an IAM identity provider. IAM trusts the EKS issuer's CA itself,
    // so no thumbprint (and no TLS data source) is needed.
    this.oidcProvider = new IamOpenidConnectProvider(this, 'oidc', {
      url: this.cluster.identity.get(0).oidc.get(0).issuer,
      clientIdList: ['sts.amazonaws.com'],
    });

    if (props.adminRoleArn !== undefined) {
      const entry = new EksAccessEntry(this, 'admin-access', { clusterName: this.cluster.name, principalArn: props.adminRoleArn, type: 'STANDARD' });
      new EksAccessPolicyAssociation(this, 'admin-policy', {
        clusterName: this.cluster.name,
        principalArn: entry.principalArn,
        policyArn: `arn:${p}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
        accessScope: { type: 'cluster' },
      });
    }

    this.nodeRole = new IamRole(this, 'node-role', { name: `${props.name}-eks-node`, assumeRolePolicy: serviceTrust('ec2.amazonaws.com') });
    const nodePolicies = ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonSSMManagedInstanceCore'];
    const attachments = nodePolicies.map(
      (name) => new IamRolePolicyAttachment(this, `node-${name}`, { role: this.nodeRole.name, policyArn: managedPolicyArn(p, name) }),
    );

    const systemLt = new NodeLaunchTemplate(this, 'system-lt', { name: `${props.name}-system`, rootVolumeGiB: 50 });
    this.systemNodeGroup = new EksNodeGroup(this, 'system-nodes', {
      clusterName: this.cluster.name,
      nodeGroupName: 'system',
      nodeRoleArn: this.nodeRole.arn,
      subnetIds: props.subnets.map((s) => s.id),
      amiType: 'AL2023_x86_64_STANDARD',
      capacityType: 'ON_DEMAND',
      instanceTypes: [props.systemInstanceType ?? 'm6i.large'],
      scalingConfig: { minSize: minNodes, maxSize: maxNodes, desiredSize: minNodes },
      launchTemplate: { id: systemLt.template.id, version: Token.asString(systemLt.template.latestVersion) },
      labels: { 'vpctune.dev/pool': 'system' },
      lifecycle: { ignoreChanges: ['scaling_config[0].desired_size'] },
      dependsOn: attachments,
    });
  }
}
