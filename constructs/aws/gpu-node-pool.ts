import { AutoscalingGroupTagA } from '@cdktf/provider-aws/lib/autoscaling-group-tag';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { PlacementGroup } from '@cdktf/provider-aws/lib/placement-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { Cloud, GpuSku, Interconnect, skuByInstanceType } from '../catalog';
import { CapacityType } from '../config';
import { GPU_RESOURCE, GPU_TAINT, gpuNodeLabels } from '../platform';
import { NodeLaunchTemplate } from './node-launch-template';
import { efaNetworkInterfaces } from './efa-network-interfaces';

/** Options shared by `new GpuNodePool(...)` and `platform.addGpuPool(...)`. */
export interface GpuNodePoolOptions {
  /** Pool name: node group name suffix and the `vpctune.dev/pool` label. */
  readonly name: string;
  /** The catalog shape (instance type, accelerator, GPU count). */
  readonly sku: GpuSku;
  /** @default 0 — scale to zero */
  readonly minNodes?: number;
  readonly maxNodes: number;
  /** @default CapacityType.ON_DEMAND */
  readonly capacity?: CapacityType;
  /**
   * Attach EFA (one interface per network card of the shape, `sku.efaInterfaces`) and a cluster placement group
   * (requires an EFA shape). @default false
   */
  readonly efa?: boolean;
  /** @default 500 */
  readonly rootVolumeGiB?: number;
}

export interface GpuNodePoolProps extends GpuNodePoolOptions {
  readonly clusterName: string;
  /** The GPU node role (`Cluster.gpuNodeRole`), apart from the system pool's. */
  readonly nodeRoleArn: string;
  /** KMS key ARN encrypting the root volumes; its policy must let EC2 Auto Scaling use it (KeyUser.EC2_AUTO_SCALING). */
  readonly volumeKmsKeyArn: string;
  /** What the node group waits for (`Cluster.gpuNodeDependencies`: role policies, the VPC CNI, the key policy). @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
  /** Private subnets; an EFA pool uses only the first (one placement group, one zone). */
  readonly subnets: readonly Subnet[];
  /** The cluster security group, attached to EFA interfaces. */
  readonly clusterSecurityGroupId: string;
  readonly vpcId: string;
  /**
   * Tag the node group's Auto Scaling group so the cluster autoscaler can scale the pool up from zero.
   * @default true
   */
  readonly autoscalerTags?: boolean;
}

/** Autoscaler node-template tag prefix. */
const CA = 'k8s.io/cluster-autoscaler';

/**
 * An EKS managed node group of one GPU shape from the catalog: NVIDIA AL2023 AMI, the GPU taint, pool and GPU
 * labels, scale to zero, spot or on-demand, IMDSv2 and an encrypted root volume, EFA when asked.
 */
export class GpuNodePool extends Construct {
  public readonly nodeGroup: EksNodeGroup;
  public readonly labels: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: GpuNodePoolProps) {
    super(scope, id);
    const min = props.minNodes ?? 0;
    if (min > props.maxNodes) throw new Error(`GpuNodePool ${props.name}: minNodes ${min} can't be greater than maxNodes ${props.maxNodes}`);
    if (props.maxNodes < 1) throw new Error(`GpuNodePool ${props.name}: maxNodes ${props.maxNodes} must be at least 1`);
    if (props.sku.cloud !== Cloud.AWS || skuByInstanceType(Cloud.AWS, props.sku.instanceType) === undefined) {
      throw new Error(`GpuNodePool ${props.name}: ${props.sku.cloud} shape ${props.sku.instanceType} is not an AWS GPU instance type from the catalog`);
    }
    const efa = props.efa ?? false;
    if (efa && props.sku.interconnect !== Interconnect.EFA) {
      throw new Error(`GpuNodePool ${props.name}: efa is true but ${props.sku.instanceType} does not support EFA`);
    }
    if (props.subnets.length === 0) throw new Error(`GpuNodePool ${props.name}: subnets is empty`);
    const capacity = props.capacity ?? CapacityType.ON_DEMAND;
    const nodeGroupName = `gpu-${props.name}`;
    this.labels = gpuNodeLabels(props.name, props.sku.accelerator);

    let subnets = props.subnets;
    let placementGroupName: string | undefined;
    let efaGroup: SecurityGroup | undefined;
    if (efa) {
      subnets = props.subnets.slice(0, 1);
      placementGroupName = new PlacementGroup(this, 'placement', { name: `${props.clusterName}-${props.name}`, strategy: 'cluster' }).name;
      // EFA traffic needs all traffic allowed within the group itself.
      efaGroup = new SecurityGroup(this, 'efa-sg', {
        name: `${props.clusterName}-${props.name}-efa`,
        description: `EFA traffic between ${props.name} nodes`,
        vpcId: props.vpcId,
        ingress: [{ description: 'EFA within the pool', fromPort: 0, toPort: 0, protocol: '-1', selfAttribute: true }],
        egress: [{ description: 'EFA within the pool', fromPort: 0, toPort: 0, protocol: '-1', selfAttribute: true }],
      });
    }

    const lt = new NodeLaunchTemplate(this, 'lt', {
      name: `${props.clusterName}-${props.name}`,
      rootVolumeGiB: props.rootVolumeGiB ?? 500,
      kmsKeyArn: props.volumeKmsKeyArn,
      tags: { ...this.labels },
      ...(placementGroupName !== undefined ? { placementGroupName } : {}),
      ...(efa && efaGroup !== undefined ? { networkInterfaces: efaNetworkInterfaces(props.sku.efaInterfaces ?? 1, [props.clusterSecurityGroupId, efaGroup.id]) } : {}),
    });

    this.nodeGroup = new EksNodeGroup(this, 'nodes', {
      clusterName: props.clusterName,
      nodeGroupName,
      nodeRoleArn: props.nodeRoleArn,
      subnetIds: subnets.map((s) => s.id),
      amiType: 'AL2023_x86_64_NVIDIA',
      capacityType: capacity === CapacityType.SPOT ? 'SPOT' : 'ON_DEMAND',
      instanceTypes: [props.sku.instanceType],
      scalingConfig: { minSize: min, maxSize: props.maxNodes, desiredSize: min },
      launchTemplate: { id: lt.template.id, version: Token.asString(lt.template.latestVersion) },
      labels: { ...this.labels },
      taint: [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: 'NO_SCHEDULE' }],
      // The cluster autoscaler owns the desired size once the pool exists.
      lifecycle: { ignoreChanges: ['scaling_config[0].desired_size'] },
      tags: { ...this.labels },
      ...(props.dependsOn !== undefined ? { dependsOn: [...props.dependsOn] } : {}),
    });

    if (props.autoscalerTags ?? true) {
      // Scale from zero: the autoscaler reads labels, taints and GPU count from the ASG's node-template tags.
      const asgName = this.nodeGroup.resources.get(0).autoscalingGroups.get(0).name;
      const tags: Record<string, string> = {
        [`${CA}/enabled`]: 'true',
        [`${CA}/${props.clusterName}`]: 'owned',
        [`${CA}/node-template/taint/${GPU_TAINT.key}`]: `${GPU_TAINT.value}:${GPU_TAINT.effect}`,
        [`${CA}/node-template/resources/${GPU_RESOURCE}`]: String(props.sku.gpuCount),
        [`${CA}/node-template/label/eks.amazonaws.com/capacityType`]: capacity === CapacityType.SPOT ? 'SPOT' : 'ON_DEMAND',
        ...Object.fromEntries(Object.entries(this.labels).map(([k, v]) => [`${CA}/node-template/label/${k}`, v])),
      };
      Object.entries(tags).forEach(([key, value], i) => {
        new AutoscalingGroupTagA(this, `asg-tag-${i}`, {
          autoscalingGroupName: asgName,
          tag: { key, value, propagateAtLaunch: false },
        });
      });
    }
  }
}
