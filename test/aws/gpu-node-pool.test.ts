import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { GpuNodePool } from '../../constructs/aws';
import { Accelerator, Cloud, findSku, GpuSku } from '../../constructs/catalog';
import { CapacityType } from '../../constructs/config';
import { resources, synthWith } from './helpers';

const sku = (gpu: Accelerator, n: number): GpuSku => findSku(Cloud.AWS, gpu, n) as GpuSku;
const common = (scope: import('constructs').Construct) => ({
  clusterName: 'acme',
  nodeRoleArn: 'arn:aws:iam::123456789012:role/node',
  volumeKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/platform',
  subnets: [0, 1].map((i) => new Subnet(scope, `s${i}`, { vpcId: 'vpc-1', cidrBlock: `10.0.${i}.0/24` })),
  clusterSecurityGroupId: 'sg-cluster',
  vpcId: 'vpc-1',
});

describe('GpuNodePool', () => {
  test('GIVEN a spot A10G pool WHEN synthesized THEN NVIDIA AMI, taint, labels, scale-to-zero, IMDSv2 and encrypted root volume', () => {
    const s = synthWith((scope) => new GpuNodePool(scope, 'pool', { ...common(scope), name: 'a10g', sku: sku(Accelerator.A10G, 1), maxNodes: 4, capacity: CapacityType.SPOT }));
    const [ng] = resources(s, 'aws_eks_node_group');
    expect(ng).toMatchObject({
      node_group_name: 'gpu-a10g',
      ami_type: 'AL2023_x86_64_NVIDIA',
      capacity_type: 'SPOT',
      instance_types: ['g5.2xlarge'],
      scaling_config: { min_size: 0, max_size: 4, desired_size: 0 },
      labels: { 'vpctune.dev/pool': 'a10g', 'vpctune.dev/gpu': 'A10G' },
      taint: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NO_SCHEDULE' }],
      lifecycle: { ignore_changes: ['scaling_config[0].desired_size'] },
    });
    const [lt] = resources(s, 'aws_launch_template');
    expect(lt).toMatchObject({
      metadata_options: { http_tokens: 'required', http_put_response_hop_limit: 1 },
      block_device_mappings: [{ device_name: '/dev/xvda', ebs: { encrypted: 'true', volume_size: 500, volume_type: 'gp3' } }],
    });
    expect(resources(s, 'aws_placement_group')).toEqual([]);
  });

  test('GIVEN a pool WHEN synthesized THEN the ASG carries cluster-autoscaler scale-from-zero tags', () => {
    const s = synthWith((scope) => new GpuNodePool(scope, 'pool', { ...common(scope), name: 'l40s', sku: sku(Accelerator.L40S, 4), maxNodes: 2 }));
    const tags = Object.fromEntries(resources(s, 'aws_autoscaling_group_tag').map((t) => [(t.tag as { key: string }).key, (t.tag as { value: string }).value]));
    expect(tags).toEqual({
      'k8s.io/cluster-autoscaler/enabled': 'true',
      'k8s.io/cluster-autoscaler/acme': 'owned',
      'k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu': 'present:NoSchedule',
      'k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu': '4',
      'k8s.io/cluster-autoscaler/node-template/label/eks.amazonaws.com/capacityType': 'ON_DEMAND',
      'k8s.io/cluster-autoscaler/node-template/label/vpctune.dev/pool': 'l40s',
      'k8s.io/cluster-autoscaler/node-template/label/vpctune.dev/gpu': 'L40S',
    });
    expect(resources(s, 'aws_autoscaling_group_tag')[0]?.autoscaling_group_name).toMatch(/aws_eks_node_group\.pool_nodes_[A-F0-9]+\.resources\[0\]\.autoscaling_groups\[0\]\.name/);
  });

  test('GIVEN efa on an H100 x8 pool (p5.48xlarge, 32 network cards) WHEN synthesized THEN 32 EFA interfaces, a cluster placement group and a single zone', () => {
    const s = synthWith((scope) => new GpuNodePool(scope, 'pool', { ...common(scope), name: 'h100', sku: sku(Accelerator.H100, 8), maxNodes: 2, efa: true }));
    const [lt] = resources(s, 'aws_launch_template');
    const nics = lt?.network_interfaces as Record<string, unknown>[];
    expect(nics).toHaveLength(32);
    // card 0 is the primary (EFA with ENA, device 0); cards 1..31 are EFA-only at device 1, all in the EFA group
    expect(nics[0]).toMatchObject({ device_index: 0, network_card_index: 0, interface_type: 'efa', delete_on_termination: 'true' });
    expect(nics.slice(1).map((n) => [n.network_card_index, n.device_index, n.interface_type])).toEqual(Array.from({ length: 31 }, (_, i) => [i + 1, 1, 'efa-only']));
    expect(new Set(nics.map((n) => JSON.stringify(n.security_groups))).size).toBe(1);
    expect((nics[0]?.security_groups as string[])[0]).toBe('sg-cluster');
    expect(resources(s, 'aws_placement_group')).toEqual([expect.objectContaining({ strategy: 'cluster', name: 'acme-h100' })]);
    expect((resources(s, 'aws_eks_node_group')[0]?.subnet_ids as string[]).length).toBe(1);
  });

  test('GIVEN efa on an A100-40GB x8 pool (p4d.24xlarge, 4 network cards) WHEN synthesized THEN 4 EFA interfaces', () => {
    const s = synthWith((scope) => new GpuNodePool(scope, 'pool', { ...common(scope), name: 'a100', sku: sku(Accelerator.A100_40GB, 8), maxNodes: 2, efa: true }));
    const nics = resources(s, 'aws_launch_template')[0]?.network_interfaces as Record<string, unknown>[];
    expect(nics.map((n) => n.interface_type)).toEqual(['efa', 'efa-only', 'efa-only', 'efa-only']);
  });

  test('GIVEN bad props WHEN constructed THEN each is refused with the value and the limit', () => {
    expect(() => synthWith((scope) => new GpuNodePool(scope, 'p', { ...common(scope), name: 'x', sku: sku(Accelerator.A10G, 1), minNodes: 3, maxNodes: 2 }))).toThrow(
      "GpuNodePool x: minNodes 3 can't be greater than maxNodes 2",
    );
    expect(() => synthWith((scope) => new GpuNodePool(scope, 'p', { ...common(scope), name: 'x', sku: sku(Accelerator.A10G, 1), maxNodes: 2, efa: true }))).toThrow(
      'GpuNodePool x: efa is true but g5.2xlarge does not support EFA',
    );
    const gcpSku = findSku(Cloud.GCP, Accelerator.H100, 8) as GpuSku;
    expect(() => synthWith((scope) => new GpuNodePool(scope, 'p', { ...common(scope), name: 'x', sku: gcpSku, maxNodes: 2 }))).toThrow(
      'GpuNodePool x: gcp shape a3-highgpu-8g is not an AWS GPU instance type from the catalog',
    );
  });

  test('GIVEN autoscalerTags false WHEN synthesized THEN no ASG tags', () => {
    const s = synthWith((scope) => new GpuNodePool(scope, 'p', { ...common(scope), name: 'x', sku: sku(Accelerator.A10G, 1), maxNodes: 2, autoscalerTags: false }));
    expect(resources(s, 'aws_autoscaling_group_tag')).toEqual([]);
  });
});
