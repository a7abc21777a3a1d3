import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Instance } from '@cdktf/provider-aws/lib/instance';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Construct } from 'constructs';
import { managedPolicyArn, serviceTrust } from './iam-documents';

export interface BastionProps {
  readonly name: string;
  readonly partition: string;
  readonly vpcId: string;
  /** A private subnet: the bastion has no public IP and no inbound rule; reach it with SSM Session Manager. */
  readonly subnetId: string;
  /** The VPC CIDR: the bastion talks HTTPS to the SSM endpoints and the EKS API inside it, nothing else. */
  readonly vpcCidr: string;
  /** KMS key ARN encrypting the root volume (the platform key). */
  readonly volumeKmsKeyArn: string;
  /** @default t3.micro */
  readonly instanceType?: string;
}

/**
 * An SSM-managed bastion in a private subnet (Session Manager through the VPC's SSM interface endpoints, HTTPS only
 * inside the VPC, root volume encrypted with the platform key) for reaching a private EKS endpoint
 * (`aws ssm start-session --target <id> --document-name AWS-StartPortForwardingSessionToRemoteHost`).
 * The AMI is resolved by EC2 from the public SSM parameter, so plans need no AMI lookup.
 */
export class Bastion extends Construct {
  public readonly instance: Instance;
  public readonly role: IamRole;
  public readonly securityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: BastionProps) {
    super(scope, id);
    this.role = new IamRole(this, 'role', { name: `${props.name}-bastion`, assumeRolePolicy: serviceTrust('ec2.amazonaws.com') });
    new IamRolePolicyAttachment(this, 'ssm', { role: this.role.name, policyArn: managedPolicyArn(props.partition, 'AmazonSSMManagedInstanceCore') });
    const profile = new IamInstanceProfile(this, 'profile', { name: `${props.name}-bastion`, role: this.role.name });
    this.securityGroup = new SecurityGroup(this, 'sg', {
      name: `${props.name}-bastion`,
      description: 'SSM-managed bastion: no inbound, HTTPS inside the VPC',
      vpcId: props.vpcId,
      // The SSM interface endpoints and the private EKS endpoint are both in the VPC: no internet path is needed.
      egress: [{ description: 'HTTPS to the SSM endpoints and the EKS API', fromPort: 443, toPort: 443, protocol: 'tcp', cidrBlocks: [props.vpcCidr] }],
    });
    const lt = new LaunchTemplate(this, 'lt', {
      namePrefix: `${props.name}-bastion-`,
      imageId: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 },
      blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: 20, volumeType: 'gp3', encrypted: 'true', kmsKeyId: props.volumeKmsKeyArn, deleteOnTermination: 'true' } }],
    });
    this.instance = new Instance(this, 'instance', {
      instanceType: props.instanceType ?? 't3.micro',
      subnetId: props.subnetId,
      vpcSecurityGroupIds: [this.securityGroup.id],
      iamInstanceProfile: profile.name,
      associatePublicIpAddress: false,
      launchTemplate: { id: lt.id, version: '$Latest' },
      metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled' },
      rootBlockDevice: { encrypted: true, kmsKeyId: props.volumeKmsKeyArn, volumeType: 'gp3', volumeSize: 20 },
      tags: { Name: `${props.name}-bastion` },
    });
  }
}
