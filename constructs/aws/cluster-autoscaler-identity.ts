import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { policyDocument } from './iam-documents';

/** The cluster autoscaler's Kubernetes service account (charts/vpctune `templates/cluster-autoscaler`). */
export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = { namespace: 'kube-system', name: 'cluster-autoscaler' } as const;

/** The tag prefix the autoscaler discovers node groups by; EKS managed node groups carry both tags. */
const CA_TAG = 'k8s.io/cluster-autoscaler';

export interface ClusterAutoscalerIdentityProps {
  /** Prefix of the role name (the platform name). */
  readonly name: string;
  /** The EKS cluster name: only Auto Scaling groups tagged for it may be scaled. */
  readonly clusterName: string;
  /** The cluster's ARN (its node groups' ARNs derive from it). */
  readonly clusterArn: string;
  readonly oidcProvider: IamOpenidConnectProvider;
  /** The cluster's OIDC issuer URL (https://…). */
  readonly oidcIssuerUrl: string;
}

/**
 * The IRSA role of the cluster autoscaler: it trusts exactly `kube-system/cluster-autoscaler`, may change the size of
 * (and terminate instances in) only the Auto Scaling groups tagged `k8s.io/cluster-autoscaler/<cluster>=owned` and
 * `k8s.io/cluster-autoscaler/enabled=true`, describe only this cluster's node groups, and read the describe calls
 * scale-from-zero needs (which take no resource).
 */
export class ClusterAutoscalerIdentity extends Construct {
  public readonly role: IamRole;

  constructor(scope: Construct, id: string, props: ClusterAutoscalerIdentityProps) {
    super(scope, id);
    const issuerHost = Fn.replace(props.oidcIssuerUrl, 'https://', '');
    const sa = CLUSTER_AUTOSCALER_SERVICE_ACCOUNT;
    this.role = new IamRole(this, 'role', {
      name: `${props.name}-cluster-autoscaler`,
      assumeRolePolicy: policyDocument([
        {
          Effect: 'Allow',
          Principal: { Federated: props.oidcProvider.arn },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { [`${issuerHost}:sub`]: `system:serviceaccount:${sa.namespace}:${sa.name}`, [`${issuerHost}:aud`]: 'sts.amazonaws.com' } },
        },
      ]),
    });
    new IamRolePolicy(this, 'policy', { name: 'cluster-autoscaler', role: this.role.id, policy: clusterAutoscalerPolicy(props.clusterName, props.clusterArn) });
  }

  get arn(): string {
    return this.role.arn;
  }
}

/** The autoscaler's permissions (AWS provider documentation, "Full Cluster Autoscaler Features Policy", scoped). */
export function clusterAutoscalerPolicy(clusterName: string, clusterArn: string): string {
  return policyDocument([
    {
      Sid: 'ScaleOwnNodeGroups',
      Effect: 'Allow',
      Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
      Resource: '*',
      Condition: { StringEquals: { [`aws:ResourceTag/${CA_TAG}/${clusterName}`]: 'owned', [`aws:ResourceTag/${CA_TAG}/enabled`]: 'true' } },
    },
    {
      Sid: 'DescribeOwnNodeGroups',
      Effect: 'Allow',
      Action: 'eks:DescribeNodegroup',
      Resource: `${Fn.replace(clusterArn, ':cluster/', ':nodegroup/')}/*`,
    },
    {
      // Describe calls take no resource-level permissions.
      Sid: 'Discover',
      Effect: 'Allow',
      Action: [
        'autoscaling:DescribeAutoScalingGroups',
        'autoscaling:DescribeAutoScalingInstances',
        'autoscaling:DescribeLaunchConfigurations',
        'autoscaling:DescribeScalingActivities',
        'autoscaling:DescribeTags',
        'ec2:DescribeImages',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeLaunchTemplateVersions',
        'ec2:GetInstanceTypesFromInstanceRequirements',
      ],
      Resource: '*',
    },
  ]);
}
