/**
 * Each hardening rule (VPCT-AWS-015..024) fires, with its exact message, on a deliberately broken copy of a
 * synthesized AWS platform, and finds nothing on the platform as built.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import { AwsPlatform } from '../../constructs/aws';
import { parseConfig, PlatformConfigInput } from '../../constructs/config';
import { AWS_HARDENING_POLICY_RULES, evaluatePolicies, SynthesizedStack } from '../../constructs/policy';

type Json = SynthesizedStack & { resource: Record<string, Record<string, Record<string, unknown>>> };

function synthPlatform(network: Record<string, unknown> = { cidr: '10.42.0.0/16' }): Json {
  const config = parseConfig(
    {
      name: 'acme',
      cloud: 'aws',
      region: 'us-east-1',
      network,
      kubernetes: { version: '1.34' },
      gpuPools: [{ name: 'a10g', gpu: 'A10G', gpusPerNode: 1, maxNodes: 2 }],
      bastion: { enabled: true },
    } as PlatformConfigInput,
    { today: '2026-11-22' },
  );
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  new AwsPlatform(stack, 'platform', { config });
  return JSON.parse(Testing.synth(stack)) as Json;
}

const HARDENING = new Set(AWS_HARDENING_POLICY_RULES.map((r) => r.id));
const findings = (s: SynthesizedStack): string[] => evaluatePolicies(s).filter((f) => HARDENING.has(f.ruleId)).map((f) => `${f.ruleId} ${f.address}: ${f.message}`);
/** The only resource of a type whose attributes match, as [name, attributes]. */
function only(s: Json, type: string, match: (r: Record<string, unknown>) => boolean = () => true): [string, Record<string, unknown>] {
  const hits = Object.entries(s.resource[type] ?? {}).filter(([, r]) => match(r));
  if (hits.length !== 1) throw new Error(`${hits.length} ${type} match`);
  return hits[0] as [string, Record<string, unknown>];
}

describe('AWS hardening rules', () => {
  test('GIVEN the platform as built (nat and none egress) WHEN checked THEN no findings; the rules are numbered 015 to 024', () => {
    expect(findings(synthPlatform())).toEqual([]);
    expect(findings(synthPlatform({ cidr: '10.42.0.0/16', egress: 'none' }))).toEqual([]);
    expect([...HARDENING]).toEqual(Array.from({ length: 10 }, (_, i) => `VPCT-AWS-0${15 + i}`));
  });

  test('VPCT-AWS-015 GIVEN no flow log, or one of rejected traffic without a role WHEN checked THEN fires', () => {
    // GIVEN
    const s = synthPlatform();
    const [vpc] = only(s, 'aws_vpc');
    const [name, log] = only(s, 'aws_flow_log');
    // WHEN
    log['traffic_type'] = 'REJECT';
    delete log['iam_role_arn'];
    // THEN
    expect(findings(s)).toEqual([
      `VPCT-AWS-015 aws_flow_log.${name}: delivers to CloudWatch Logs without iam_role_arn; give it a role that may write to its log group only`,
      `VPCT-AWS-015 aws_flow_log.${name}: traffic_type = "REJECT": set "ALL" so accepted and rejected traffic are both recorded`,
    ]);
    delete s.resource['aws_flow_log'];
    expect(findings(s)).toEqual([`VPCT-AWS-015 aws_vpc.${vpc}: no aws_flow_log records this VPC's traffic; add one with traffic_type = "ALL"`]);
  });

  test('VPCT-AWS-016 GIVEN a default security group with rules, or none WHEN checked THEN fires', () => {
    const s = synthPlatform();
    const [vpc] = only(s, 'aws_vpc');
    const [name, sg] = only(s, 'aws_default_security_group');
    sg['ingress'] = [{ protocol: '-1', self: true, from_port: 0, to_port: 0 }];
    expect(findings(s)).toEqual([`VPCT-AWS-016 aws_default_security_group.${name}: ingress has 1 rule(s): the default security group must have none`]);
    delete s.resource['aws_default_security_group'];
    expect(findings(s)).toEqual([
      `VPCT-AWS-016 aws_vpc.${vpc}: the default security group is not managed: AWS leaves it open to its members and to all egress; add an aws_default_security_group with no rules`,
    ]);
  });

  test('VPCT-AWS-017 GIVEN a log group without key or retention, or no control-plane log group WHEN checked THEN fires', () => {
    const s = synthPlatform();
    const [name, group] = only(s, 'aws_cloudwatch_log_group', (g) => g['name'] === '/vpctune/acme/vpc-flow-logs');
    delete group['kms_key_id'];
    delete group['retention_in_days'];
    expect(findings(s)).toEqual([
      `VPCT-AWS-017 aws_cloudwatch_log_group.${name}: kms_key_id is unset: the group is encrypted with a CloudWatch-owned key; give the platform key`,
      `VPCT-AWS-017 aws_cloudwatch_log_group.${name}: retention_in_days is unset: logs are kept forever; set a retention`,
    ]);
    const fresh = synthPlatform();
    const [cpName] = only(fresh, 'aws_cloudwatch_log_group', (g) => g['name'] === '/aws/eks/acme/cluster');
    delete fresh.resource['aws_cloudwatch_log_group']![cpName];
    const [cluster] = only(fresh, 'aws_eks_cluster');
    expect(findings(fresh)).toEqual([
      `VPCT-AWS-017 aws_eks_cluster.${cluster}: control-plane logging is on but the stack has no log group "/aws/eks/acme/cluster": EKS would create it unencrypted and never expiring; create it explicitly`,
    ]);
  });

  test('VPCT-AWS-018 GIVEN volumes without a customer key WHEN checked THEN fires on launch templates and instances', () => {
    const s = synthPlatform();
    const [lt, template] = only(s, 'aws_launch_template', (t) => t['name_prefix'] === 'acme-system-');
    delete (template['block_device_mappings'] as Array<{ ebs: Record<string, unknown> }>)[0]!.ebs['kms_key_id'];
    const [inst, instance] = only(s, 'aws_instance');
    delete (instance['root_block_device'] as Record<string, unknown>)['kms_key_id'];
    expect(findings(s)).toEqual([
      `VPCT-AWS-018 aws_instance.${inst}: root_block_device.kms_key_id is unset (the aws/ebs key); give the platform key`,
      `VPCT-AWS-018 aws_launch_template.${lt}: block_device_mappings "/dev/xvda": ebs.kms_key_id is unset (the aws/ebs key); give the platform key`,
    ]);
  });

  test('VPCT-AWS-019 GIVEN a key without a policy, a logs statement without its context, a key not granting its users WHEN checked THEN fires', () => {
    const s = synthPlatform();
    const [policyName, keyPolicy] = only(s, 'aws_kms_key_policy', (p) => String(p['policy']).includes('CloudWatchLogsUse'));
    const platformKey = String(keyPolicy['key_id']).replace(/^\$\{aws_kms_key\.(.+)\.key_id\}$/, '$1');
    const doc = JSON.parse(String(keyPolicy['policy'])) as { Statement: Array<Record<string, unknown>> };
    // WHEN: the logs statement loses its condition, the Auto Scaling statements go
    delete doc.Statement[1]!['Condition'];
    keyPolicy['policy'] = JSON.stringify({ ...doc, Statement: doc.Statement.slice(0, 2) });
    const [lt] = only(s, 'aws_launch_template', (t) => t['name_prefix'] === 'acme-system-');
    const [gpuLt] = only(s, 'aws_launch_template', (t) => String(t['name_prefix']).endsWith('-a10g-'));
    expect(findings(s)).toEqual([
      `VPCT-AWS-019 aws_kms_key.${platformKey}: key policy lets CloudWatch Logs use the key (Sid "CloudWatchLogsUse") without a kms:EncryptionContext:aws:logs:arn condition: any account's log group could use it`,
      `VPCT-AWS-019 aws_launch_template.${gpuLt}: aws_kms_key.${platformKey}'s key policy does not let the EC2 Auto Scaling service-linked role (AWSServiceRoleForAutoScaling) use it: node groups cannot launch`,
      `VPCT-AWS-019 aws_launch_template.${lt}: aws_kms_key.${platformKey}'s key policy does not let the EC2 Auto Scaling service-linked role (AWSServiceRoleForAutoScaling) use it: node groups cannot launch`,
    ].sort());
    // WHEN: only the root statement is left, then no policy at all
    keyPolicy['policy'] = JSON.stringify({ ...doc, Statement: doc.Statement.slice(1, 1).concat([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:user/bob' }, Action: 'kms:*', Resource: '*' }]) });
    const flowGroup = only(s, 'aws_cloudwatch_log_group', (g) => g['name'] === '/vpctune/acme/vpc-flow-logs')[0];
    const cpGroup = only(s, 'aws_cloudwatch_log_group', (g) => g['name'] === '/aws/eks/acme/cluster')[0];
    expect(findings(s).filter((f) => f.includes(`aws_kms_key.${platformKey}:`) || f.includes('aws_cloudwatch_log_group.'))).toEqual([
      `VPCT-AWS-019 aws_cloudwatch_log_group.${cpGroup}: aws_kms_key.${platformKey}'s key policy does not let CloudWatch Logs (logs.REGION.amazonaws.com) use it: the log group cannot be created`,
      `VPCT-AWS-019 aws_cloudwatch_log_group.${flowGroup}: aws_kms_key.${platformKey}'s key policy does not let CloudWatch Logs (logs.REGION.amazonaws.com) use it: the log group cannot be created`,
      `VPCT-AWS-019 aws_kms_key.${platformKey}: key policy does not let the account root administer the key (kms:* for arn:…:iam::ACCOUNT:root): the key could become unmanageable`,
    ].sort());
    delete s.resource['aws_kms_key_policy']![policyName];
    expect(findings(s).filter((f) => f.includes(`aws_kms_key.${platformKey}:`))).toEqual([
      `VPCT-AWS-019 aws_kms_key.${platformKey}: has no key policy (neither policy nor an aws_kms_key_policy): AWS applies its default policy; write the policy down`,
    ]);
  });

  test('VPCT-AWS-020 GIVEN the creator bootstrap admin or the aws-auth ConfigMap WHEN checked THEN fires', () => {
    const s = synthPlatform();
    const [name, cluster] = only(s, 'aws_eks_cluster');
    cluster['access_config'] = { authentication_mode: 'CONFIG_MAP' };
    expect(findings(s)).toEqual([
      `VPCT-AWS-020 aws_eks_cluster.${name}: access_config.authentication_mode is "CONFIG_MAP": admins live in the aws-auth ConfigMap, outside the stack; set "API"`,
      `VPCT-AWS-020 aws_eks_cluster.${name}: access_config.bootstrap_cluster_creator_admin_permissions is unset (defaults to true): whoever creates the cluster becomes a hidden admin; set it to false and grant admins with access entries`,
    ]);
  });

  test('VPCT-AWS-021 and 022 GIVEN the CNI policy on a node role and GPU nodes on the system role WHEN checked THEN fire', () => {
    const s = synthPlatform();
    const [, systemRole] = only(s, 'aws_iam_role', (r) => r['name'] === 'acme-eks-system-node');
    const systemRef = Object.entries(s.resource['aws_iam_role']!).find(([, r]) => r === systemRole)![0];
    s.resource['aws_iam_role_policy_attachment']!['node_cni'] = { role: `\${aws_iam_role.${systemRef}.name}`, policy_arn: 'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy' };
    const [gpuName, gpuGroup] = only(s, 'aws_eks_node_group', (ng) => ng['node_group_name'] === 'gpu-a10g');
    gpuGroup['node_role_arn'] = `\${aws_iam_role.${systemRef}.arn}`;
    expect(findings(s)).toEqual([
      'VPCT-AWS-021 aws_iam_role_policy_attachment.node_cni: attaches AmazonEKS_CNI_Policy to a node role: give the VPC CNI its own IRSA role (aws_eks_addon vpc-cni with service_account_role_arn)',
      `VPCT-AWS-022 aws_eks_node_group.${gpuName}: node_role_arn "\${aws_iam_role.${systemRef}.arn}" is also a system node group's role: give GPU pools a role of their own`,
    ]);
  });

  test('VPCT-AWS-023 GIVEN a bastion without the SSM endpoints WHEN checked THEN fires', () => {
    const s = synthPlatform();
    const [vpc] = only(s, 'aws_vpc');
    const [ssm] = only(s, 'aws_vpc_endpoint', (e) => e['service_name'] === 'com.amazonaws.us-east-1.ssmmessages');
    delete s.resource['aws_vpc_endpoint']![ssm];
    const [inst] = only(s, 'aws_instance');
    expect(findings(s)).toEqual([`VPCT-AWS-023 aws_instance.${inst}: aws_vpc.${vpc} has no interface endpoint for ssmmessages: Session Manager would need the internet; add them`]);
  });

  test('VPCT-AWS-024 GIVEN no egress and missing endpoints WHEN checked THEN fires naming each', () => {
    const s = synthPlatform({ cidr: '10.42.0.0/16', egress: 'none' });
    const [vpc] = only(s, 'aws_vpc');
    for (const service of ['s3', 'eks-auth', 'secretsmanager']) delete s.resource['aws_vpc_endpoint']![only(s, 'aws_vpc_endpoint', (e) => e['service_name'] === `com.amazonaws.us-east-1.${service}`)[0]];
    expect(findings(s)).toEqual([
      `VPCT-AWS-024 aws_vpc.${vpc}: has no internet or NAT gateway (no egress) but no VPC endpoint for s3 (gateway), eks-auth, secretsmanager: nodes cannot reach those services; add an endpoint for each`,
    ]);
  });
});
