/**
 * The AWS platform's hardening, read from the synthesized JSON of whole platforms: flow logs, the default security
 * group, the platform key and its policy, encrypted log groups and volumes, explicit cluster admins, node roles, the
 * VPC CNI's own role, and the VPC endpoints of each egress mode.
 */
import { Testing, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AwsPlatform, EncryptionKey, KeyUser } from '../../constructs/aws';
import { parseConfig, PlatformConfigInput } from '../../constructs/config';
import { evaluatePolicies, formatFindings, SynthesizedStack } from '../../constructs/policy';
import { resources, synthWith } from './helpers';

const BASE: PlatformConfigInput = {
  name: 'acme',
  cloud: 'aws',
  region: 'us-east-1',
  network: { cidr: '10.42.0.0/16' },
  kubernetes: { version: '1.34', adminRoleArn: 'arn:aws:iam::123456789012:role/platform-admin' },
  gpuPools: [{ name: 'a10g', gpu: 'A10G', gpusPerNode: 1, maxNodes: 2 }],
  bastion: { enabled: true },
} as PlatformConfigInput;

function platform(overrides: Partial<PlatformConfigInput> = {}): SynthesizedStack & ReturnType<typeof synthWith> {
  const config = parseConfig({ ...BASE, ...overrides }, { today: '2026-11-22' });
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  new AwsPlatform(stack, 'platform', { config });
  return JSON.parse(Testing.synth(stack)) as SynthesizedStack & ReturnType<typeof synthWith>;
}

const ref = (type: string, s: ReturnType<typeof synthWith>, match: (r: Record<string, unknown>) => boolean, attr = 'arn'): string => {
  const name = Object.entries(s.resource[type] ?? {}).find(([, r]) => match(r))?.[0];
  return `\${${type}.${name}.${attr}}`;
};
/** The platform key's ARN reference, found through its alias. */
const platformKeyArn = (s: ReturnType<typeof synthWith>): string =>
  String(resources(s, 'aws_kms_alias').find((a) => a.name === 'alias/acme-platform')?.target_key_id).replace('.key_id}', '.arn}');
const endpoints = (s: ReturnType<typeof synthWith>): string[] => resources(s, 'aws_vpc_endpoint').map((e) => `${String(e.service_name).replace('com.amazonaws.us-east-1.', '')} ${e.vpc_endpoint_type}`).sort();

describe('EncryptionKey', () => {
  test('GIVEN logs and Auto Scaling users WHEN synthesized THEN an explicit policy: root administers, logs only with its encryption context, the Auto Scaling role uses and grants', () => {
    // WHEN
    const s = synthWith((scope) => new EncryptionKey(scope, 'k', { alias: 'acme-platform', description: 'd', users: [KeyUser.CLOUDWATCH_LOGS, KeyUser.EC2_AUTO_SCALING] }));
    // THEN
    const [policy] = resources(s, 'aws_kms_key_policy');
    const local = Object.keys((s as unknown as { locals: Record<string, unknown> }).locals)[0];
    expect((s as unknown as { locals: Record<string, unknown> }).locals[local as string]).toMatch(/^\$\{split\(":", aws_kms_key\.k_key_[A-F0-9]+\.arn\)\}$/);
    const part = (i: number): string => `\${element(local.${local}, ${i})}`;
    const doc = JSON.parse(policy?.policy as string) as { Statement: Array<Record<string, unknown>> };
    const asg = `arn:${part(1)}:iam::${part(4)}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
    expect(doc.Statement).toEqual([
      { Sid: 'AccountRootAdministers', Effect: 'Allow', Principal: { AWS: `arn:${part(1)}:iam::${part(4)}:root` }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'CloudWatchLogsUse',
        Effect: 'Allow',
        Principal: { Service: `logs.${part(3)}.amazonaws.com` },
        Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        Resource: '*',
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${part(1)}:logs:${part(3)}:${part(4)}:log-group:*` } },
      },
      { Sid: 'Ec2AutoScalingUse', Effect: 'Allow', Principal: { AWS: asg }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'], Resource: '*' },
      { Sid: 'Ec2AutoScalingGrants', Effect: 'Allow', Principal: { AWS: asg }, Action: 'kms:CreateGrant', Resource: '*', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } },
    ]);
    expect(resources(s, 'aws_kms_key')[0]).not.toHaveProperty('policy');
  });

  test('GIVEN a user listed twice WHEN constructed THEN refused naming it', () => {
    expect(() => synthWith((scope) => new EncryptionKey(scope, 'k', { alias: 'acme-x', description: 'd', users: [KeyUser.CLOUDWATCH_LOGS, KeyUser.CLOUDWATCH_LOGS] }))).toThrow(
      'EncryptionKey acme-x: users lists cloudwatch-logs twice',
    );
  });
});

describe('AwsPlatform hardening', () => {
  const s = platform();

  test('GIVEN the platform WHEN synthesized THEN flow logs of all traffic to an encrypted, expiring log group through a role scoped to it', () => {
    const keyArn = platformKeyArn(s);
    expect(keyArn).toMatch(/^\$\{aws_kms_key\.platform_platform-key_[A-F0-9]+\.arn\}$/);
    const [group] = resources(s, 'aws_cloudwatch_log_group').filter((g) => g.name === '/vpctune/acme/vpc-flow-logs');
    expect(group).toMatchObject({ kms_key_id: keyArn, retention_in_days: 90 });
    const groupArn = ref('aws_cloudwatch_log_group', s, (g) => g.name === '/vpctune/acme/vpc-flow-logs');
    expect(resources(s, 'aws_flow_log')).toEqual([
      expect.objectContaining({ traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs', log_destination: groupArn, max_aggregation_interval: 60, iam_role_arn: ref('aws_iam_role', s, (r) => r.name === 'acme-vpc-flow-logs') }),
    ]);
    const write = resources(s, 'aws_iam_role_policy').find((p) => p.name === 'write-flow-logs');
    expect(JSON.parse(write?.policy as string).Statement).toEqual([
      { Sid: 'WriteOwnLogGroup', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], Resource: `${groupArn}:*` },
      { Sid: 'DescribeOwnLogGroup', Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: groupArn },
    ]);
    const trust = JSON.parse(resources(s, 'aws_iam_role').find((r) => r.name === 'acme-vpc-flow-logs')?.assume_role_policy as string);
    expect(trust.Statement[0]).toMatchObject({ Principal: { Service: 'vpc-flow-logs.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': expect.stringMatching(/^\$\{element\(local\./) } } });
  });

  test('GIVEN the platform WHEN synthesized THEN the default security group is taken over with no rules', () => {
    const [sg] = resources(s, 'aws_default_security_group');
    expect(sg).toMatchObject({ vpc_id: ref('aws_vpc', s, () => true, 'id') });
    expect(sg).not.toHaveProperty('ingress');
    expect(sg).not.toHaveProperty('egress');
  });

  test('GIVEN the platform WHEN synthesized THEN the control-plane log group exists before the cluster, encrypted and expiring; node and bastion volumes use the platform key', () => {
    const keyArn = platformKeyArn(s);
    expect(keyArn).toMatch(/^\$\{aws_kms_key\.platform_platform-key_[A-F0-9]+\.arn\}$/);
    expect(resources(s, 'aws_cloudwatch_log_group').find((g) => g.name === '/aws/eks/acme/cluster')).toMatchObject({ kms_key_id: keyArn, retention_in_days: 90 });
    for (const lt of resources(s, 'aws_launch_template')) {
      expect((lt.block_device_mappings as Array<{ ebs: Record<string, unknown> }>)[0]?.ebs).toMatchObject({ encrypted: 'true', kms_key_id: keyArn });
    }
    expect(resources(s, 'aws_launch_template')).toHaveLength(3);
    expect(resources(s, 'aws_instance')[0]).toMatchObject({ root_block_device: { encrypted: true, kms_key_id: keyArn } });
    // every key has its explicit policy
    expect(resources(s, 'aws_kms_key_policy').map((p) => p.key_id).sort()).toEqual(Object.keys(s.resource['aws_kms_key'] ?? {}).map((k) => `\${aws_kms_key.${k}.key_id}`).sort());
  });

  test('GIVEN adminRoleArn WHEN synthesized THEN no bootstrap admin and the admin is an access entry with the cluster admin policy', () => {
    expect(resources(s, 'aws_eks_cluster')[0]).toMatchObject({ access_config: { authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: false } });
    expect(resources(s, 'aws_eks_access_entry')).toEqual([expect.objectContaining({ principal_arn: 'arn:aws:iam::123456789012:role/platform-admin', type: 'STANDARD' })]);
    expect(resources(s, 'aws_eks_access_policy_association')).toEqual([
      expect.objectContaining({ policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy', access_scope: { type: 'cluster' } }),
    ]);
  });

  test('GIVEN the platform WHEN synthesized THEN system and GPU nodes have their own least-privilege roles and the VPC CNI has an IRSA role', () => {
    const system = ref('aws_iam_role', s, (r) => r.name === 'acme-eks-system-node');
    const gpu = ref('aws_iam_role', s, (r) => r.name === 'acme-eks-gpu-node');
    const byGroup = Object.fromEntries(resources(s, 'aws_eks_node_group').map((ng) => [ng.node_group_name, ng.node_role_arn]));
    expect(byGroup).toEqual({ system, 'gpu-a10g': gpu });
    const attached = (roleName: string): string[] =>
      resources(s, 'aws_iam_role_policy_attachment')
        .filter((a) => a.role === ref('aws_iam_role', s, (r) => r.name === roleName, 'name'))
        .map((a) => String(a.policy_arn).replace('arn:aws:iam::aws:policy/', ''))
        .sort();
    expect(attached('acme-eks-system-node')).toEqual(['AmazonEC2ContainerRegistryPullOnly', 'AmazonEKSWorkerNodePolicy']);
    expect(attached('acme-eks-gpu-node')).toEqual(['AmazonEC2ContainerRegistryPullOnly', 'AmazonEKSWorkerNodePolicy']);
    expect(attached('acme-vpc-cni')).toEqual(['AmazonEKS_CNI_Policy']);
    const cniRole = ref('aws_iam_role', s, (r) => r.name === 'acme-vpc-cni');
    const addonName = Object.keys(s.resource['aws_eks_addon'] ?? {})[0];
    expect(resources(s, 'aws_eks_addon')).toEqual([expect.objectContaining({ addon_name: 'vpc-cni', service_account_role_arn: cniRole, resolve_conflicts_on_create: 'OVERWRITE' })]);
    const trust = resources(s, 'aws_iam_role').find((r) => r.name === 'acme-vpc-cni')?.assume_role_policy as string;
    expect(trust).toContain(':sub":"system:serviceaccount:kube-system:aws-node"');
    expect(trust).toContain(':aud":"sts.amazonaws.com"');
    for (const ng of resources(s, 'aws_eks_node_group')) expect(ng.depends_on).toContain(`aws_eks_addon.${addonName}`);
  });

  test('GIVEN egress nat with a bastion and a database WHEN synthesized THEN NAT, ECR/STS and SSM endpoints, bastion HTTPS inside the VPC only', () => {
    expect(resources(s, 'aws_nat_gateway')).toHaveLength(1);
    expect(resources(s, 'aws_internet_gateway')).toHaveLength(1);
    expect(endpoints(s)).toEqual(['ec2messages Interface', 'ecr.api Interface', 'ecr.dkr Interface', 's3 Gateway', 'ssm Interface', 'ssmmessages Interface', 'sts Interface']);
    const bastionSg = resources(s, 'aws_security_group').find((g) => g.name === 'acme-bastion');
    expect(bastionSg?.egress).toEqual([expect.objectContaining({ from_port: 443, to_port: 443, protocol: 'tcp', cidr_blocks: ['10.42.0.0/16'] })]);
  });

  test('GIVEN egress none WHEN synthesized THEN no internet, NAT or public subnet, no default route, an endpoint for every service used', () => {
    // WHEN
    const sealed = platform({ network: { cidr: '10.42.0.0/16', egress: 'none' } } as Partial<PlatformConfigInput>);
    // THEN
    for (const type of ['aws_internet_gateway', 'aws_nat_gateway', 'aws_eip', 'aws_route']) expect(resources(sealed, type)).toEqual([]);
    expect(resources(sealed, 'aws_subnet').map((x) => (x.tags as Record<string, string>)['vpctune.dev/tier'])).toEqual(['private', 'private', 'private']);
    expect(endpoints(sealed)).toEqual([
      'autoscaling Interface',
      'ec2 Interface',
      'ec2messages Interface',
      'ecr.api Interface',
      'ecr.dkr Interface',
      'eks Interface',
      'eks-auth Interface',
      'elasticloadbalancing Interface',
      'kms Interface',
      'logs Interface',
      's3 Gateway',
      'secretsmanager Interface',
      'ssm Interface',
      'ssmmessages Interface',
      'sts Interface',
    ]);
    expect(formatFindings(evaluatePolicies(sealed))).toBe('policy: no findings');
  });

  test('GIVEN egress none without a bastion or a database WHEN synthesized THEN neither SSM nor Secrets Manager endpoints', () => {
    const sealed = platform({ network: { cidr: '10.42.0.0/16', egress: 'none' }, bastion: { enabled: false }, database: { external: true } } as Partial<PlatformConfigInput>);
    expect(endpoints(sealed).filter((e) => /^(ssm|ssmmessages|ec2messages|secretsmanager) /.test(e))).toEqual([]);
    expect(formatFindings(evaluatePolicies(sealed))).toBe('policy: no findings');
  });
});
