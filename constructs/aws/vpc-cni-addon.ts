import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { managedPolicyArn, policyDocument } from './iam-documents';

/** The VPC CNI's Kubernetes service account (the `aws-node` DaemonSet). */
export const VPC_CNI_SERVICE_ACCOUNT = { namespace: 'kube-system', name: 'aws-node' } as const;

export interface VpcCniAddonProps {
  /** Prefix of the role name (the platform name). */
  readonly name: string;
  readonly partition: string;
  readonly cluster: EksCluster;
  readonly oidcProvider: IamOpenidConnectProvider;
}

/**
 * The VPC CNI as an EKS add-on with an IRSA role of its own (AmazonEKS_CNI_Policy, trusted by `kube-system/aws-node`
 * only), so node roles need no network-interface permissions. Node groups should depend on `addon`: nodes become
 * ready only once the CNI runs with its role.
 */
export class VpcCniAddon extends Construct {
  public readonly role: IamRole;
  public readonly addon: EksAddon;

  constructor(scope: Construct, id: string, props: VpcCniAddonProps) {
    super(scope, id);
    const issuerHost = Fn.replace(props.cluster.identity.get(0).oidc.get(0).issuer, 'https://', '');
    const sa = VPC_CNI_SERVICE_ACCOUNT;
    this.role = new IamRole(this, 'role', {
      name: `${props.name}-vpc-cni`,
      assumeRolePolicy: policyDocument([
        {
          Effect: 'Allow',
          Principal: { Federated: props.oidcProvider.arn },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { [`${issuerHost}:sub`]: `system:serviceaccount:${sa.namespace}:${sa.name}`, [`${issuerHost}:aud`]: 'sts.amazonaws.com' } },
        },
      ]),
    });
    const policy = new IamRolePolicyAttachment(this, 'cni-policy', { role: this.role.name, policyArn: managedPolicyArn(props.partition, 'AmazonEKS_CNI_Policy') });
    this.addon = new EksAddon(this, 'addon', {
      clusterName: props.cluster.name,
      addonName: 'vpc-cni',
      serviceAccountRoleArn: this.role.arn,
      // EKS installs a self-managed aws-node DaemonSet with the cluster; the add-on takes it over.
      resolveConflictsOnCreate: 'OVERWRITE',
      resolveConflictsOnUpdate: 'OVERWRITE',
      dependsOn: [policy],
    });
  }
}
