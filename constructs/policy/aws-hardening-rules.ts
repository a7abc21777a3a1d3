/**
 * vpctune's CIS-style hardening rules over a synthesized AWS stack: flow logs, the default security group, encrypted
 * log groups, EBS with a customer key, explicit KMS key policies, no hidden cluster admin, node roles without the VPC
 * CNI's permissions and apart per pool kind, SSM endpoints for instances, VPC endpoints when there is no egress.
 * Same engine and unknown-value stance as rules.ts: an unresolved expression is known only at apply time.
 */
import { Block, blocks, isExpression, isTrue, Statement, stringList } from './stack-model';
import { PolicyRule, RuleFinding, Severity } from './types';
import type { StackModel } from './stack-model';

const q = (v: unknown): string => JSON.stringify(v);
const missing = (v: unknown): boolean => v === undefined || v === null || v === '';
const first = (v: unknown): Record<string, unknown> => blocks(v)[0] ?? {};

/** Interface endpoints (after `com.amazonaws.<region>.`) a platform without any egress needs (with the S3 gateway). */
export const NO_EGRESS_ENDPOINT_SERVICES: readonly string[] = [
  'autoscaling',
  'ec2',
  'ecr.api',
  'ecr.dkr',
  'eks',
  'eks-auth',
  'elasticloadbalancing',
  'kms',
  'logs',
  'sts',
];
/** Interface endpoints Session Manager needs to reach an instance without the internet. */
export const SSM_ENDPOINT_SERVICES: readonly string[] = ['ec2messages', 'ssm', 'ssmmessages'];
/** Interface endpoints an RDS database with an RDS-managed master password adds when there is no egress. */
export const DATABASE_ENDPOINT_SERVICES: readonly string[] = ['secretsmanager'];

/** The part of a VPC endpoint's service name after the region (`com.amazonaws.us-east-1.ecr.api` → `ecr.api`). */
function endpointService(serviceName: unknown): string | undefined {
  if (typeof serviceName !== 'string') return undefined;
  const m = /^com\.amazonaws\.[^.]+\.(.+)$/.exec(serviceName);
  return m?.[1];
}

function endpointsOf(stack: StackModel, vpc: Block, type: 'Interface' | 'Gateway'): Set<string> {
  const found = new Set<string>();
  for (const e of stack.attachedTo('aws_vpc_endpoint', 'vpc_id', vpc)) {
    if ((e.attrs['vpc_endpoint_type'] ?? 'Gateway') !== type) continue;
    const service = endpointService(e.attrs['service_name']);
    if (service !== undefined) found.add(service);
  }
  return found;
}

export const VPC_FLOW_LOGS: PolicyRule = {
  id: 'VPCT-AWS-015',
  title: 'VPC flow logs record all traffic',
  rationale: 'Without flow logs there is no record of which addresses nodes talked to; incident response needs accepted and rejected traffic (CIS AWS 3.7).',
  severity: Severity.MEDIUM,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const vpc of stack.resources('aws_vpc')) {
      const logs = stack.attachedTo('aws_flow_log', 'vpc_id', vpc);
      if (logs.length === 0) findings.push({ address: vpc.address, message: 'no aws_flow_log records this VPC\'s traffic; add one with traffic_type = "ALL"' });
    }
    for (const log of stack.resources('aws_flow_log')) {
      const traffic = log.attrs['traffic_type'];
      if (!isExpression(traffic) && traffic !== 'ALL') findings.push({ address: log.address, message: `traffic_type = ${q(traffic)}: set "ALL" so accepted and rejected traffic are both recorded` });
      const destinationType = log.attrs['log_destination_type'] ?? 'cloud-watch-logs';
      if (destinationType === 'cloud-watch-logs' && missing(log.attrs['iam_role_arn'])) {
        findings.push({ address: log.address, message: 'delivers to CloudWatch Logs without iam_role_arn; give it a role that may write to its log group only' });
      }
    }
    return findings;
  },
};

export const DEFAULT_SECURITY_GROUP_CLOSED: PolicyRule = {
  id: 'VPCT-AWS-016',
  title: 'Default security group allows nothing',
  rationale: 'AWS creates every VPC with a default group that admits its members and all egress; anything launched without a group would get it (CIS AWS 5.4).',
  severity: Severity.MEDIUM,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const vpc of stack.resources('aws_vpc')) {
      const managed = stack.attachedTo('aws_default_security_group', 'vpc_id', vpc);
      if (managed.length === 0) {
        findings.push({ address: vpc.address, message: 'the default security group is not managed: AWS leaves it open to its members and to all egress; add an aws_default_security_group with no rules' });
      }
    }
    for (const sg of stack.resources('aws_default_security_group')) {
      for (const direction of ['ingress', 'egress']) {
        const n = blocks(sg.attrs[direction]).length;
        if (n > 0) findings.push({ address: sg.address, message: `${direction} has ${n} rule(s): the default security group must have none` });
      }
    }
    return findings;
  },
};

export const LOG_GROUPS_ENCRYPTED: PolicyRule = {
  id: 'VPCT-AWS-017',
  title: 'Log groups encrypted with a customer key and expiring; EKS control-plane logs in one of them',
  rationale: 'Flow and control-plane logs hold addresses, users and API calls; they must be encrypted with a key the platform controls and not kept forever.',
  severity: Severity.MEDIUM,
  check(stack) {
    const findings: RuleFinding[] = [];
    const groups = stack.resources('aws_cloudwatch_log_group');
    for (const g of groups) {
      if (missing(g.attrs['kms_key_id'])) findings.push({ address: g.address, message: 'kms_key_id is unset: the group is encrypted with a CloudWatch-owned key; give the platform key' });
      const days = g.attrs['retention_in_days'];
      if (!isExpression(days) && !(Number(days) > 0)) findings.push({ address: g.address, message: `retention_in_days is ${days === undefined ? 'unset' : q(days)}: logs are kept forever; set a retention` });
    }
    for (const c of stack.resources('aws_eks_cluster')) {
      const name = c.attrs['name'];
      if (stringList(c.attrs['enabled_cluster_log_types']).length === 0 || typeof name !== 'string' || isExpression(name)) continue;
      const expected = `/aws/eks/${name}/cluster`;
      if (!groups.some((g) => g.attrs['name'] === expected)) {
        findings.push({ address: c.address, message: `control-plane logging is on but the stack has no log group ${q(expected)}: EKS would create it unencrypted and never expiring; create it explicitly` });
      }
    }
    return findings;
  },
};

export const EBS_CUSTOMER_KEY: PolicyRule = {
  id: 'VPCT-AWS-018',
  title: 'EBS volumes encrypted with a customer KMS key',
  rationale: 'The AWS managed aws/ebs key cannot be restricted or audited per platform; node and bastion volumes hold weights, data and credentials.',
  severity: Severity.MEDIUM,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const lt of stack.resources('aws_launch_template')) {
      for (const m of blocks(lt.attrs['block_device_mappings'])) {
        if (missing(first(m['ebs'])['kms_key_id'])) findings.push({ address: lt.address, message: `block_device_mappings ${q(m['device_name'] ?? '?')}: ebs.kms_key_id is unset (the aws/ebs key); give the platform key` });
      }
    }
    for (const inst of stack.resources('aws_instance')) {
      if (missing(first(inst.attrs['root_block_device'])['kms_key_id'])) findings.push({ address: inst.address, message: 'root_block_device.kms_key_id is unset (the aws/ebs key); give the platform key' });
    }
    for (const vol of stack.resources('aws_ebs_volume')) {
      if (missing(vol.attrs['kms_key_id'])) findings.push({ address: vol.address, message: 'kms_key_id is unset (the aws/ebs key); give the platform key' });
    }
    return findings;
  },
};

/** The statements of a key's policy (its `policy` or an `aws_kms_key_policy` for it), or why there are none. */
function keyPolicy(stack: StackModel, key: Block): { statements: readonly Statement[] } | { problem: string } {
  const attached = stack.attachedTo('aws_kms_key_policy', 'key_id', key);
  const value = key.attrs['policy'] ?? attached[0]?.attrs['policy'];
  if (value === undefined) return { problem: 'has no key policy (neither policy nor an aws_kms_key_policy): AWS applies its default policy; write the policy down' };
  const doc = stack.policyDocument(value);
  if (doc.kind === 'unknown') return { problem: `key policy cannot be read: ${doc.reason}` };
  return { statements: doc.statements };
}

const ROOT_PRINCIPAL = /^AWS:arn:[^:]+:iam::[^:]+:root$/;
const LOGS_PRINCIPAL = /^Service:logs\..+\.amazonaws\.com$/;
const AUTO_SCALING_ROLE = /^AWS:arn:[^:]+:iam::[^:]+:role\/aws-service-role\/autoscaling\.amazonaws\.com\/AWSServiceRoleForAutoScaling$/;
const LOGS_CONTEXT = 'kms:EncryptionContext:aws:logs:arn';

const allows = (statements: readonly Statement[], principal: RegExp): Statement[] => statements.filter((s) => s.effect === 'Allow' && (s.principals ?? []).some((p) => principal.test(p)));

export const KMS_KEY_POLICY_EXPLICIT: PolicyRule = {
  id: 'VPCT-AWS-019',
  title: 'KMS keys have explicit key policies: account root administers, services use them as little as they need',
  rationale: 'A written key policy shows who can use a key; CloudWatch Logs is limited to this account\'s log groups and Auto Scaling is named where it creates volumes.',
  severity: Severity.MEDIUM,
  check(stack) {
    const findings: RuleFinding[] = [];
    const policies = new Map<Block, readonly Statement[]>();
    for (const key of stack.resources('aws_kms_key')) {
      const p = keyPolicy(stack, key);
      if ('problem' in p) {
        findings.push({ address: key.address, message: p.problem });
        continue;
      }
      policies.set(key, p.statements);
      if (!allows(p.statements, ROOT_PRINCIPAL).some((s) => (s.actions ?? []).includes('kms:*'))) {
        findings.push({ address: key.address, message: 'key policy does not let the account root administer the key (kms:* for arn:…:iam::ACCOUNT:root): the key could become unmanageable' });
      }
      allows(p.statements, LOGS_PRINCIPAL).forEach((s) => {
        if (!s.conditions.some((c) => c.variable === LOGS_CONTEXT)) {
          findings.push({ address: key.address, message: `key policy lets CloudWatch Logs use the key${s.sid !== undefined ? ` (Sid ${q(s.sid)})` : ''} without a ${LOGS_CONTEXT} condition: any account's log group could use it` });
        }
      });
    }
    for (const g of stack.resources('aws_cloudwatch_log_group')) {
      for (const key of stack.referencesOfType(g.attrs['kms_key_id'], 'aws_kms_key')) {
        const statements = policies.get(key);
        if (statements !== undefined && allows(statements, LOGS_PRINCIPAL).length === 0) {
          findings.push({ address: g.address, message: `${key.address}'s key policy does not let CloudWatch Logs (logs.REGION.amazonaws.com) use it: the log group cannot be created` });
        }
      }
    }
    const nodeTemplates = new Set(stack.resources('aws_eks_node_group').flatMap((ng) => stack.referencesOfType(ng.attrs['launch_template'], 'aws_launch_template')));
    for (const lt of nodeTemplates) {
      for (const key of stack.referencesOfType(lt.attrs['block_device_mappings'], 'aws_kms_key')) {
        const statements = policies.get(key);
        if (statements !== undefined && allows(statements, AUTO_SCALING_ROLE).length === 0) {
          findings.push({ address: lt.address, message: `${key.address}'s key policy does not let the EC2 Auto Scaling service-linked role (AWSServiceRoleForAutoScaling) use it: node groups cannot launch` });
        }
      }
    }
    return findings;
  },
};

export const EKS_NO_BOOTSTRAP_ADMIN: PolicyRule = {
  id: 'VPCT-AWS-020',
  title: 'No hidden EKS cluster admin',
  rationale: 'The cluster creator\'s bootstrap admin appears in no access entry and cannot be removed without replacing the cluster; admins must be explicit access entries.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const c of stack.resources('aws_eks_cluster')) {
      const access = first(c.attrs['access_config']);
      const bootstrap = access['bootstrap_cluster_creator_admin_permissions'];
      if (!isExpression(bootstrap) && bootstrap !== false && bootstrap !== 'false') {
        findings.push({
          address: c.address,
          message: `access_config.bootstrap_cluster_creator_admin_permissions is ${bootstrap === undefined ? 'unset (defaults to true)' : q(bootstrap)}: whoever creates the cluster becomes a hidden admin; set it to false and grant admins with access entries`,
        });
      }
      const mode = access['authentication_mode'];
      if (mode === undefined || mode === 'CONFIG_MAP') {
        findings.push({ address: c.address, message: `access_config.authentication_mode is ${mode === undefined ? 'unset (CONFIG_MAP)' : q(mode)}: admins live in the aws-auth ConfigMap, outside the stack; set "API"` });
      }
    }
    return findings;
  },
};

const CNI_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/AmazonEKS_CNI_Policy$/;

/** IAM roles EC2 instances assume (node and instance roles). */
function ec2Roles(stack: StackModel): Set<Block> {
  return new Set(
    stack.resources('aws_iam_role').filter((r) => {
      const doc = stack.policyDocument(r.attrs['assume_role_policy']);
      return doc.kind === 'statements' && doc.statements.some((s) => (s.principals ?? []).includes('Service:ec2.amazonaws.com'));
    }),
  );
}

export const CNI_NOT_ON_NODE_ROLES: PolicyRule = {
  id: 'VPCT-AWS-021',
  title: 'The VPC CNI\'s permissions are not on node roles',
  rationale: 'AmazonEKS_CNI_Policy on a node role lets every pod that reaches the node credentials manage network interfaces; the CNI gets its own IRSA role.',
  severity: Severity.MEDIUM,
  check(stack) {
    const roles = ec2Roles(stack);
    return stack
      .resources('aws_iam_role_policy_attachment')
      .filter((a) => stringList(a.attrs['policy_arn']).some((arn) => CNI_POLICY.test(arn)) && stack.referencesOfType(a.attrs['role'], 'aws_iam_role').some((r) => roles.has(r)))
      .map((a) => ({ address: a.address, message: 'attaches AmazonEKS_CNI_Policy to a node role: give the VPC CNI its own IRSA role (aws_eks_addon vpc-cni with service_account_role_arn)' }));
  },
};

const isGpuNodeGroup = (ng: Block): boolean =>
  String(ng.attrs['ami_type'] ?? '').includes('NVIDIA') || blocks(ng.attrs['taint']).some((t) => t['key'] === 'nvidia.com/gpu');

export const GPU_NODE_ROLES_SEPARATE: PolicyRule = {
  id: 'VPCT-AWS-022',
  title: 'GPU node groups do not share the system node group\'s role',
  rationale: 'GPU nodes run user training code; with the system pool\'s role a compromised job would act as the nodes running the controller.',
  severity: Severity.MEDIUM,
  check(stack) {
    const groups = stack.resources('aws_eks_node_group');
    const roleOf = (ng: Block): string => String(ng.attrs['node_role_arn'] ?? '');
    const systemRoles = new Set(groups.filter((ng) => !isGpuNodeGroup(ng)).map(roleOf));
    return groups
      .filter((ng) => isGpuNodeGroup(ng) && roleOf(ng) !== '' && systemRoles.has(roleOf(ng)))
      .map((ng) => ({ address: ng.address, message: `node_role_arn ${q(roleOf(ng))} is also a system node group's role: give GPU pools a role of their own` }));
  },
};

/** The VPC an instance is in, through its subnet. */
function vpcOfInstance(stack: StackModel, inst: Block): Block | undefined {
  const subnet = stack.referencesOfType(inst.attrs['subnet_id'], 'aws_subnet')[0];
  return subnet === undefined ? undefined : stack.referencesOfType(subnet.attrs['vpc_id'], 'aws_vpc')[0];
}

export const SSM_ENDPOINTS_FOR_INSTANCES: PolicyRule = {
  id: 'VPCT-AWS-023',
  title: 'Instances are reached through Session Manager over VPC endpoints',
  rationale: 'With ssm, ssmmessages and ec2messages endpoints a bastion needs no path to the internet and no inbound rule.',
  severity: Severity.LOW,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const inst of stack.resources('aws_instance')) {
      const vpc = vpcOfInstance(stack, inst);
      if (vpc === undefined) continue;
      const have = endpointsOf(stack, vpc, 'Interface');
      const lacking = SSM_ENDPOINT_SERVICES.filter((s) => !have.has(s));
      if (lacking.length > 0) findings.push({ address: inst.address, message: `${vpc.address} has no interface endpoint for ${lacking.join(', ')}: Session Manager would need the internet; add them` });
    }
    return findings;
  },
};

export const NO_EGRESS_ENDPOINTS: PolicyRule = {
  id: 'VPCT-AWS-024',
  title: 'A VPC without egress has an endpoint for every AWS service the platform uses',
  rationale: 'Without an internet or NAT gateway nodes reach AWS only through VPC endpoints; a missing one breaks node joins, image pulls or credentials.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    const hasDatabase = stack.resources('aws_db_instance').some((db) => isTrue(db.attrs['manage_master_user_password']));
    for (const vpc of stack.resources('aws_vpc')) {
      const gateway = stack.attachedTo('aws_internet_gateway', 'vpc_id', vpc).length > 0 || stack.attachedTo('aws_internet_gateway_attachment', 'vpc_id', vpc).length > 0;
      const nat = stack.resources('aws_nat_gateway').some((n) => stack.referencesOfType(n.attrs['subnet_id'], 'aws_subnet').some((s) => stack.references(s.attrs['vpc_id']).includes(vpc)));
      if (gateway || nat) continue;
      const have = endpointsOf(stack, vpc, 'Interface');
      const needed = [...NO_EGRESS_ENDPOINT_SERVICES, ...(hasDatabase ? DATABASE_ENDPOINT_SERVICES : [])];
      const lacking = needed.filter((s) => !have.has(s));
      if (!endpointsOf(stack, vpc, 'Gateway').has('s3')) lacking.unshift('s3 (gateway)');
      if (lacking.length > 0) findings.push({ address: vpc.address, message: `has no internet or NAT gateway (no egress) but no VPC endpoint for ${lacking.join(', ')}: nodes cannot reach those services; add an endpoint for each` });
    }
    return findings;
  },
};

/** The hardening rules, in id order. */
export const AWS_HARDENING_POLICY_RULES: readonly PolicyRule[] = [
  VPC_FLOW_LOGS,
  DEFAULT_SECURITY_GROUP_CLOSED,
  LOG_GROUPS_ENCRYPTED,
  EBS_CUSTOMER_KEY,
  KMS_KEY_POLICY_EXPLICIT,
  EKS_NO_BOOTSTRAP_ADMIN,
  CNI_NOT_ON_NODE_ROLES,
  GPU_NODE_ROLES_SEPARATE,
  SSM_ENDPOINTS_FOR_INSTANCES,
  NO_EGRESS_ENDPOINTS,
];
