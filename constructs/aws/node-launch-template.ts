import { LaunchTemplate, LaunchTemplateNetworkInterfaces } from '@cdktf/provider-aws/lib/launch-template';
import { Construct } from 'constructs';

export interface NodeLaunchTemplateProps {
  readonly name: string;
  /** Root volume size, GiB. */
  readonly rootVolumeGiB: number;
  /** KMS key ARN for the root volume. @default - the account's aws/ebs key (still encrypted) */
  readonly kmsKeyArn?: string;
  /** Network interfaces (EFA). @default - the node group's default interface */
  readonly networkInterfaces?: readonly LaunchTemplateNetworkInterfaces[];
  /** Cluster placement group for EFA pools. @default - none */
  readonly placementGroupName?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Launch template for EKS managed nodes: IMDSv2 required with a hop limit of 1 (pods use IRSA, never the
 * node's credentials) and an encrypted gp3 root volume. No image id: the node group's AMI type picks the AMI.
 */
export class NodeLaunchTemplate extends Construct {
  public readonly template: LaunchTemplate;

  constructor(scope: Construct, id: string, props: NodeLaunchTemplateProps) {
    super(scope, id);
    if (props.rootVolumeGiB < 20) throw new Error(`NodeLaunchTemplate ${props.name}: rootVolumeGiB ${props.rootVolumeGiB} is below the minimum 20`);
    this.template = new LaunchTemplate(this, 'lt', {
      namePrefix: `${props.name}-`,
      metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 },
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: {
            volumeSize: props.rootVolumeGiB,
            volumeType: 'gp3',
            encrypted: 'true',
            deleteOnTermination: 'true',
            ...(props.kmsKeyArn !== undefined ? { kmsKeyId: props.kmsKeyArn } : {}),
          },
        },
      ],
      ...(props.placementGroupName !== undefined ? { placement: { groupName: props.placementGroupName } } : {}),
      ...(props.networkInterfaces !== undefined ? { networkInterfaces: [...props.networkInterfaces] } : {}),
      tagSpecifications: [
        { resourceType: 'instance', tags: { Name: props.name, ...props.tags } },
        { resourceType: 'volume', tags: { Name: props.name, ...props.tags } },
      ],
    });
  }
}
