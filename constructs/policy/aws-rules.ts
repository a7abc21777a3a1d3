/**
 * vpctune's policy rules over a synthesized AWS stack, in the spirit of checkov/tfsec CIS checks.
 *
 * Unknown values: a value that is an expression the model cannot resolve (a variable, a function call) is known
 * only at apply time. Rules that forbid something ("no public IPs", "no wildcard IAM") do not fire on it; rules that
 * require something to be present ("encrypted", "TLS-only policy") fire only when the requirement is visibly
 * missing or visibly wrong, except the TLS-only bucket policy, which must be readable to be proven.
 */
import { Block, blocks, isExpression, isTrue, Statement, stringList } from './stack-model';
import { NO_WILDCARD_IAM } from './aws-iam-rules';
import { PolicyRule, RuleFinding, Severity } from './types';

export { NO_WILDCARD_IAM };

const q = (v: unknown): string => JSON.stringify(v);

// ---------------------------------------------------------------------------------------------------------------
// VPCT-AWS-001 node subnets never map public IPs

/** Where nodes are placed: (resource type, attribute naming subnets). */
const NODE_PLACEMENTS: ReadonlyArray<readonly [string, string]> = [
  ['aws_eks_node_group', 'subnet_ids'],
  ['aws_eks_fargate_profile', 'subnet_ids'],
  ['aws_autoscaling_group', 'vpc_zone_identifier'],
  ['aws_launch_template', 'network_interfaces'],
];

export const NODE_SUBNETS_PRIVATE: PolicyRule = {
  id: 'VPCT-AWS-001',
  title: 'Node subnets never map public IPs',
  rationale: 'A node with a public IP is reachable from the internet and bypasses the NAT egress path; public subnets exist only for NAT gateways.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    const hostedBy = new Map<Block, string[]>();
    for (const [type, attr] of NODE_PLACEMENTS) {
      for (const consumer of stack.resources(type)) {
        for (const subnet of stack.referencesOfType(consumer.attrs[attr], 'aws_subnet')) {
          const list = hostedBy.get(subnet) ?? [];
          if (!list.includes(consumer.address)) list.push(consumer.address);
          hostedBy.set(subnet, list);
        }
      }
    }
    for (const subnet of stack.resources('aws_subnet')) {
      const consumers = hostedBy.get(subnet);
      if (consumers === undefined || !isTrue(subnet.attrs['map_public_ip_on_launch'])) continue;
      findings.push({
        address: subnet.address,
        message:
          `map_public_ip_on_launch = true on a subnet that hosts nodes (${consumers.sort().join(', ')}); ` +
          'nodes belong in private subnets, public subnets are for NAT gateways only',
      });
    }
    for (const lt of stack.resources('aws_launch_template')) {
      blocks(lt.attrs['network_interfaces']).forEach((ni, i) => {
        if (isTrue(ni['associate_public_ip_address'])) {
          findings.push({ address: lt.address, message: `network_interfaces[${i}].associate_public_ip_address = true gives nodes public IPs` });
        }
      });
    }
    return findings;
  },
};

// ---------------------------------------------------------------------------------------------------------------
// VPCT-AWS-002 EKS endpoint private unless configured

const OPEN_CIDRS = ['0.0.0.0/0', '::/0'];

export const EKS_ENDPOINT_PRIVATE: PolicyRule = {
  id: 'VPCT-AWS-002',
  title: 'EKS API endpoint private unless the config allows a public one',
  rationale: 'A public Kubernetes API endpoint exposes the control plane to credential stuffing and API exploits; when allowed it must be limited to known CIDRs.',
  severity: Severity.HIGH,
  check(stack, options) {
    const findings: RuleFinding[] = [];
    for (const cluster of stack.resources('aws_eks_cluster')) {
      const vpc = blocks(cluster.attrs['vpc_config'])[0] ?? {};
      const publicValue = vpc['endpoint_public_access'];
      const privateValue = vpc['endpoint_private_access'];
      if (!isExpression(privateValue) && !isTrue(privateValue)) {
        findings.push({
          address: cluster.address,
          message:
            privateValue === undefined
              ? 'endpoint_private_access is unset (defaults to false): nodes and operators in the VPC cannot reach the API privately'
              : `endpoint_private_access = ${q(privateValue)}: nodes and operators in the VPC cannot reach the API privately`,
        });
      }
      if (isExpression(publicValue)) continue;
      const isPublic = publicValue === undefined || isTrue(publicValue);
      if (!isPublic) continue;
      const stated = publicValue === undefined ? 'endpoint_public_access is unset (defaults to true)' : 'endpoint_public_access = true';
      if (!options.allowPublicEndpoint) {
        findings.push({
          address: cluster.address,
          message: `${stated}: the API endpoint is public but the platform config does not allow it (kubernetes.publicEndpoint: false)`,
        });
        continue;
      }
      const cidrsValue = vpc['public_access_cidrs'];
      if (isExpression(cidrsValue)) continue;
      const cidrs = stringList(cidrsValue);
      if (cidrs.length === 0) {
        findings.push({ address: cluster.address, message: 'public API endpoint with public_access_cidrs unset (defaults to 0.0.0.0/0); list the CIDRs allowed to reach it' });
      } else {
        const open = cidrs.filter((c) => OPEN_CIDRS.includes(c.trim()));
        if (open.length > 0) {
          findings.push({ address: cluster.address, message: `public API endpoint open to ${open.join(', ')} (public_access_cidrs = ${q(cidrs)}); list the CIDRs allowed to reach it` });
        }
      }
    }
    return findings;
  },
};

// ---------------------------------------------------------------------------------------------------------------
// VPCT-AWS-003..006 encryption at rest

export const EKS_SECRETS_ENCRYPTED: PolicyRule = {
  id: 'VPCT-AWS-003',
  title: 'EKS secrets envelope-encrypted with a KMS key',
  rationale: 'Kubernetes secrets (registry and API credentials) are stored in etcd; envelope encryption with a customer KMS key limits who can read them at rest.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const cluster of stack.resources('aws_eks_cluster')) {
      const configs = blocks(cluster.attrs['encryption_config']);
      if (configs.length === 0) {
        findings.push({ address: cluster.address, message: 'no encryption_config: Kubernetes secrets are not envelope-encrypted with a KMS key' });
        continue;
      }
      const forSecrets = configs.find((c) => isExpression(c['resources']) || stringList(c['resources']).includes('secrets'));
      if (forSecrets === undefined) {
        findings.push({ address: cluster.address, message: `encryption_config.resources = ${q(configs.flatMap((c) => stringList(c['resources'])))} does not include "secrets"` });
        continue;
      }
      const keyArn = blocks(forSecrets['provider'])[0]?.['key_arn'];
      if (typeof keyArn !== 'string' || keyArn.trim() === '') {
        findings.push({ address: cluster.address, message: 'encryption_config for "secrets" has no provider.key_arn' });
      }
    }
    return findings;
  },
};

const KMS_SSE_ALGORITHMS = ['aws:kms', 'aws:kms:dsse'];

function sseAlgorithms(configBlock: Record<string, unknown>): unknown[] {
  return blocks(configBlock['rule']).flatMap((r) => blocks(r['apply_server_side_encryption_by_default']).map((d) => d['sse_algorithm']));
}

export const S3_SSE_KMS: PolicyRule = {
  id: 'VPCT-AWS-004',
  title: 'S3 buckets encrypted with SSE-KMS',
  rationale: 'Training data, checkpoints and adapters are customer IP; SSE-KMS ties object access to a KMS key policy and leaves an audit trail of decrypts.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const bucket of stack.resources('aws_s3_bucket')) {
      const configs = stack.attachedTo('aws_s3_bucket_server_side_encryption_configuration', 'bucket', bucket, 'bucket');
      const algorithms = [...configs.flatMap((c) => sseAlgorithms(c.attrs)), ...blocks(bucket.attrs['server_side_encryption_configuration']).flatMap(sseAlgorithms)];
      if (algorithms.length === 0) {
        findings.push({ address: bucket.address, message: 'no aws_s3_bucket_server_side_encryption_configuration with a default rule: objects are not encrypted with SSE-KMS' });
        continue;
      }
      const weak = algorithms.filter((a) => !isExpression(a) && !KMS_SSE_ALGORITHMS.includes(String(a)));
      if (weak.length > 0) {
        findings.push({ address: configs[0]?.address ?? bucket.address, message: `default encryption sse_algorithm = ${q(weak[0])}, not "aws:kms" (SSE-KMS)` });
      }
    }
    return findings;
  },
};

export const ECR_KMS: PolicyRule = {
  id: 'VPCT-AWS-005',
  title: 'ECR repositories encrypted with KMS',
  rationale: 'Images carry model-serving and training code; KMS encryption keeps them under the account key policy instead of the default AES256 service key.',
  severity: Severity.MEDIUM,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const repo of stack.resources('aws_ecr_repository')) {
      const config = blocks(repo.attrs['encryption_configuration'])[0];
      const type = config?.['encryption_type'];
      if (isExpression(type)) continue;
      if (config === undefined || type === undefined) {
        findings.push({ address: repo.address, message: 'encryption_configuration unset: images are encrypted with AES256, not KMS' });
      } else if (type !== 'KMS') {
        findings.push({ address: repo.address, message: `encryption_configuration.encryption_type = ${q(type)}, not "KMS"` });
      }
    }
    return findings;
  },
};

export const EBS_ENCRYPTED: PolicyRule = {
  id: 'VPCT-AWS-006',
  title: 'EBS volumes encrypted',
  rationale: 'Node root volumes hold model weights, datasets and container layers; they must be encrypted whatever the AMI or the account default says.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const lt of stack.resources('aws_launch_template')) {
      const mappings = blocks(lt.attrs['block_device_mappings']);
      if (mappings.length === 0) {
        findings.push({
          address: lt.address,
          message: 'no block_device_mappings: root volume encryption depends on the AMI and the account default; set ebs.encrypted = true',
        });
      }
      for (const m of mappings) {
        const encrypted = blocks(m['ebs'])[0]?.['encrypted'];
        if (isExpression(encrypted) || isTrue(encrypted)) continue;
        findings.push({ address: lt.address, message: `block_device_mappings ${q(m['device_name'] ?? '?')}: ebs.encrypted is ${encrypted === undefined ? 'unset' : q(encrypted)}, not true` });
      }
    }
    for (const vol of stack.resources('aws_ebs_volume')) {
      const encrypted = vol.attrs['encrypted'];
      if (!isExpression(encrypted) && !isTrue(encrypted)) {
        findings.push({ address: vol.address, message: `encrypted is ${encrypted === undefined ? 'unset' : q(encrypted)}, not true` });
      }
    }
    for (const inst of stack.resources('aws_instance')) {
      const encrypted = blocks(inst.attrs['root_block_device'])[0]?.['encrypted'];
      if (!isExpression(encrypted) && !isTrue(encrypted)) {
        findings.push({ address: inst.address, message: `root_block_device.encrypted is ${encrypted === undefined ? 'unset' : q(encrypted)}, not true` });
      }
    }
    return findings;
  },
};

// ---------------------------------------------------------------------------------------------------------------
// VPCT-AWS-007 IMDSv2 required

export const IMDSV2_REQUIRED: PolicyRule = {
  id: 'VPCT-AWS-007',
  title: 'IMDSv2 required on every launch template and instance',
  rationale: 'IMDSv1 lets any SSRF in a pod read the node role credentials; session tokens (IMDSv2) block that.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const b of [...stack.resources('aws_launch_template'), ...stack.resources('aws_instance')]) {
      const tokens = blocks(b.attrs['metadata_options'])[0]?.['http_tokens'];
      if (isExpression(tokens) || tokens === 'required') continue;
      findings.push({
        address: b.address,
        message: tokens === undefined ? 'metadata_options.http_tokens unset: IMDSv1 is allowed; set http_tokens = "required"' : `metadata_options.http_tokens = ${q(tokens)}: IMDSv1 is allowed; set "required"`,
      });
    }
    return findings;
  },
};

// ---------------------------------------------------------------------------------------------------------------
// VPCT-AWS-008..009 S3 public access and TLS

const PUBLIC_ACCESS_FLAGS = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];

export const S3_PUBLIC_ACCESS_BLOCKED: PolicyRule = {
  id: 'VPCT-AWS-008',
  title: 'S3 public access fully blocked',
  rationale: 'All four public access block flags stop a later ACL or policy change from publishing training data or weights.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const bucket of stack.resources('aws_s3_bucket')) {
      const pabs = stack.attachedTo('aws_s3_bucket_public_access_block', 'bucket', bucket, 'bucket');
      if (pabs.length === 0) {
        findings.push({ address: bucket.address, message: 'no aws_s3_bucket_public_access_block: public ACLs and policies are not blocked' });
        continue;
      }
      const best = pabs
        .map((p) => ({ p, missing: PUBLIC_ACCESS_FLAGS.filter((f) => !isTrue(p.attrs[f]) && !isExpression(p.attrs[f])) }))
        .sort((a, b) => a.missing.length - b.missing.length)[0]!;
      if (best.missing.length > 0) {
        findings.push({ address: best.p.address, message: `public access block does not set ${best.missing.join(', ')} to true` });
      }
    }
    return findings;
  },
};

const ALL_PRINCIPALS = ['*:*', 'AWS:*'];

function deniesInsecureTransport(s: Statement): boolean {
  if (s.effect !== 'Deny') return false;
  if (!(s.actions ?? []).some((a) => a === '*' || a === 's3:*')) return false;
  if (!(s.principals ?? []).some((p) => ALL_PRINCIPALS.includes(p))) return false;
  return s.conditions.some((c) => /^Bool(IfExists)?$/.test(c.test) && c.variable === 'aws:SecureTransport' && c.values.map((v) => v.toLowerCase()).includes('false'));
}

export const S3_TLS_ONLY: PolicyRule = {
  id: 'VPCT-AWS-009',
  title: 'S3 buckets deny requests over plain HTTP',
  rationale: 'A bucket policy denying aws:SecureTransport = false keeps data and credentials off unencrypted connections (CIS AWS 2.1.1).',
  severity: Severity.MEDIUM,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const bucket of stack.resources('aws_s3_bucket')) {
      const policies = stack.attachedTo('aws_s3_bucket_policy', 'bucket', bucket, 'bucket');
      if (policies.length === 0) {
        findings.push({ address: bucket.address, message: 'no aws_s3_bucket_policy: requests over plain HTTP are not denied' });
        continue;
      }
      const unread: string[] = [];
      let proven = false;
      for (const p of policies) {
        const doc = stack.policyDocument(p.attrs['policy']);
        if (doc.kind === 'unknown') unread.push(`${p.address}: ${doc.reason}`);
        else if (doc.statements.some(deniesInsecureTransport)) proven = true;
      }
      if (proven) continue;
      findings.push({
        address: policies[0]!.address,
        message:
          unread.length > 0
            ? `bucket policy cannot be read statically (${unread.join('; ')}); write it as data.aws_iam_policy_document or literal JSON so the TLS-only statement can be checked`
            : 'bucket policy has no statement denying s3:* to every principal when aws:SecureTransport = false: requests over plain HTTP are allowed',
      });
    }
    return findings;
  },
};

/** The base AWS rules (ids VPCT-AWS-001..010). */
export const AWS_POLICY_RULES: readonly PolicyRule[] = [
  NODE_SUBNETS_PRIVATE,
  EKS_ENDPOINT_PRIVATE,
  EKS_SECRETS_ENCRYPTED,
  S3_SSE_KMS,
  ECR_KMS,
  EBS_ENCRYPTED,
  IMDSV2_REQUIRED,
  S3_PUBLIC_ACCESS_BLOCKED,
  S3_TLS_ONLY,
  NO_WILDCARD_IAM,
];
