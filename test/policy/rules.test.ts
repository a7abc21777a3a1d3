import { describeRules, evaluatePolicies, Finding, formatFindings, POLICY_RULES, PolicyOptions, Severity, SynthesizedStack } from '../../constructs/policy';
import { cleanStack, stackWith } from './fixtures';

function lines(stack: SynthesizedStack, options: PolicyOptions = {}): string[] {
  return evaluatePolicies(stack, options).map((f: Finding) => `${f.ruleId} ${f.address}: ${f.message}`);
}

describe('policy rules', () => {
  test('the clean minimal stack passes every rule, also as JSON text', () => {
    expect(evaluatePolicies(cleanStack())).toEqual([]);
    expect(evaluatePolicies(JSON.stringify(cleanStack()))).toEqual([]);
    expect(formatFindings([])).toBe('policy: no findings');
  });

  test('rules have unique ids numbered 001 up per cloud (VPCT-AWS-, VPCT-AZ-, VPCT-GCP-), a one-line rationale and a severity', () => {
    const ids = POLICY_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const cloud of ['AWS', 'AZ', 'GCP']) {
      const own = ids.filter((id) => id.startsWith(`VPCT-${cloud}-`));
      expect(own.length).toBeGreaterThanOrEqual(8);
      expect(own).toEqual(Array.from({ length: own.length }, (_, i) => `VPCT-${cloud}-${String(i + 1).padStart(3, '0')}`));
    }
    for (const r of POLICY_RULES) {
      expect(r.rationale).toMatch(/^[A-Z].{20,200}$/);
      expect(r.rationale).not.toContain('\n');
      expect(Object.values(Severity)).toContain(r.severity);
    }
    expect(describeRules().split('\n')).toHaveLength(POLICY_RULES.length);
  });

  describe('VPCT-AWS-001 node subnets never map public IPs', () => {
    test('a node group in a public subnet fires on the subnet, naming the node group', () => {
      const stack = stackWith((s) => {
        s.resource['aws_eks_node_group']!['gpu']!['subnet_ids'] = ['${aws_subnet.public_a.id}', '${aws_subnet.private_b.id}'];
      });
      expect(lines(stack)).toEqual([
        'VPCT-AWS-001 aws_subnet.public_a: map_public_ip_on_launch = true on a subnet that hosts nodes (aws_eks_node_group.gpu); nodes belong in private subnets, public subnets are for NAT gateways only',
      ]);
    });

    test('references in for-expressions and splats resolve too; a public NAT-only subnet stays allowed', () => {
      const stack = stackWith((s) => {
        s.resource['aws_subnet']!['private_b']!['map_public_ip_on_launch'] = 'true';
        s.resource['aws_eks_node_group']!['gpu']!['subnet_ids'] = '${[for k, v in aws_subnet.private_b : v.id]}';
      });
      expect(lines(stack).map((l) => l.split(':')[0])).toEqual(['VPCT-AWS-001 aws_subnet.private_b']);
    });

    test('a launch template that associates public IPs fires', () => {
      const stack = stackWith((s) => {
        s.resource['aws_launch_template']!['gpu']!['network_interfaces'] = [{ associate_public_ip_address: true, subnet_id: '${aws_subnet.private_a.id}' }];
      });
      expect(lines(stack)).toEqual(['VPCT-AWS-001 aws_launch_template.gpu: network_interfaces[0].associate_public_ip_address = true gives nodes public IPs']);
    });
  });

  describe('VPCT-AWS-002 EKS endpoint private unless configured', () => {
    test('endpoint_public_access = true without allowPublicEndpoint fires', () => {
      const stack = stackWith((s) => {
        (s.resource['aws_eks_cluster']!['main']!['vpc_config'] as Record<string, unknown>)['endpoint_public_access'] = true;
      });
      expect(lines(stack)).toEqual([
        'VPCT-AWS-002 aws_eks_cluster.main: endpoint_public_access = true: the API endpoint is public but the platform config does not allow it (kubernetes.publicEndpoint: false)',
      ]);
    });

    test('unset endpoint flags are read with the provider defaults (public true, private false)', () => {
      const stack = stackWith((s) => {
        s.resource['aws_eks_cluster']!['main']!['vpc_config'] = { subnet_ids: ['${aws_subnet.private_a.id}'] };
      });
      expect(lines(stack)).toEqual([
        'VPCT-AWS-002 aws_eks_cluster.main: endpoint_private_access is unset (defaults to false): nodes and operators in the VPC cannot reach the API privately',
        'VPCT-AWS-002 aws_eks_cluster.main: endpoint_public_access is unset (defaults to true): the API endpoint is public but the platform config does not allow it (kubernetes.publicEndpoint: false)',
      ]);
    });

    test('when the config allows a public endpoint it still needs CIDRs other than 0.0.0.0/0', () => {
      const publicWith = (cidrs?: string[]): SynthesizedStack =>
        stackWith((s) => {
          const vpc = s.resource['aws_eks_cluster']!['main']!['vpc_config'] as Record<string, unknown>;
          vpc['endpoint_public_access'] = true;
          if (cidrs !== undefined) vpc['public_access_cidrs'] = cidrs;
        });
      const allow = { allowPublicEndpoint: true };
      expect(lines(publicWith(), allow)).toEqual([
        'VPCT-AWS-002 aws_eks_cluster.main: public API endpoint with public_access_cidrs unset (defaults to 0.0.0.0/0); list the CIDRs allowed to reach it',
      ]);
      expect(lines(publicWith(['203.0.113.0/24', '0.0.0.0/0']), allow)).toEqual([
        'VPCT-AWS-002 aws_eks_cluster.main: public API endpoint open to 0.0.0.0/0 (public_access_cidrs = ["203.0.113.0/24","0.0.0.0/0"]); list the CIDRs allowed to reach it',
      ]);
      expect(lines(publicWith(['203.0.113.0/24']), allow)).toEqual([]);
    });
  });

  describe('encryption at rest', () => {
    test('VPCT-AWS-003 EKS without encryption_config, without secrets, or without a key fires', () => {
      const without = stackWith((s) => {
        delete s.resource['aws_eks_cluster']!['main']!['encryption_config'];
      });
      expect(lines(without)).toEqual(['VPCT-AWS-003 aws_eks_cluster.main: no encryption_config: Kubernetes secrets are not envelope-encrypted with a KMS key']);
      const noSecrets = stackWith((s) => {
        s.resource['aws_eks_cluster']!['main']!['encryption_config'] = [{ resources: ['configmaps'], provider: [{ key_arn: '${aws_kms_key.platform.arn}' }] }];
      });
      expect(lines(noSecrets)).toEqual(['VPCT-AWS-003 aws_eks_cluster.main: encryption_config.resources = ["configmaps"] does not include "secrets"']);
      const noKey = stackWith((s) => {
        s.resource['aws_eks_cluster']!['main']!['encryption_config'] = { resources: ['secrets'], provider: {} };
      });
      expect(lines(noKey)).toEqual(['VPCT-AWS-003 aws_eks_cluster.main: encryption_config for "secrets" has no provider.key_arn']);
    });

    test('VPCT-AWS-004 S3 without SSE, or with AES256, fires', () => {
      const none = stackWith((s) => {
        delete s.resource['aws_s3_bucket_server_side_encryption_configuration'];
      });
      expect(lines(none)).toEqual([
        'VPCT-AWS-004 aws_s3_bucket.artifacts: no aws_s3_bucket_server_side_encryption_configuration with a default rule: objects are not encrypted with SSE-KMS',
      ]);
      const aes = stackWith((s) => {
        s.resource['aws_s3_bucket_server_side_encryption_configuration']!['artifacts']!['rule'] = [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }];
      });
      expect(lines(aes)).toEqual(['VPCT-AWS-004 aws_s3_bucket_server_side_encryption_configuration.artifacts: default encryption sse_algorithm = "AES256", not "aws:kms" (SSE-KMS)']);
    });

    test('VPCT-AWS-004 an SSE configuration for another bucket does not count; a literal bucket name does', () => {
      const other = stackWith((s) => {
        s.resource['aws_s3_bucket']!['logs'] = { bucket: 'acme-logs' };
        s.resource['aws_s3_bucket_public_access_block']!['logs'] = { bucket: 'acme-logs', block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true };
        s.resource['aws_s3_bucket_policy']!['logs'] = { bucket: '${aws_s3_bucket.logs.bucket}', policy: '${data.aws_iam_policy_document.bucket_tls.json}' };
      });
      expect(lines(other)).toEqual([
        'VPCT-AWS-004 aws_s3_bucket.logs: no aws_s3_bucket_server_side_encryption_configuration with a default rule: objects are not encrypted with SSE-KMS',
      ]);
    });

    test('VPCT-AWS-005 ECR without KMS fires', () => {
      const stack = stackWith((s) => {
        s.resource['aws_ecr_repository']!['server'] = { name: 'acme/server' };
        s.resource['aws_ecr_repository']!['controller'] = { name: 'acme/controller', encryption_configuration: [{ encryption_type: 'AES256' }] };
      });
      expect(lines(stack)).toEqual([
        'VPCT-AWS-005 aws_ecr_repository.controller: encryption_configuration.encryption_type = "AES256", not "KMS"',
        'VPCT-AWS-005 aws_ecr_repository.server: encryption_configuration unset: images are encrypted with AES256, not KMS',
      ]);
    });

    test('VPCT-AWS-006 launch template volumes not encrypted, or no mappings, fire', () => {
      const unencrypted = stackWith((s) => {
        s.resource['aws_launch_template']!['gpu']!['block_device_mappings'] = [{ device_name: '/dev/xvda', ebs: { volume_size: 200, kms_key_id: '${aws_kms_key.platform.arn}' } }];
      });
      expect(lines(unencrypted)).toEqual(['VPCT-AWS-006 aws_launch_template.gpu: block_device_mappings "/dev/xvda": ebs.encrypted is unset, not true']);
      const none = stackWith((s) => {
        delete s.resource['aws_launch_template']!['gpu']!['block_device_mappings'];
      });
      expect(lines(none)).toEqual([
        'VPCT-AWS-006 aws_launch_template.gpu: no block_device_mappings: root volume encryption depends on the AMI and the account default; set ebs.encrypted = true',
      ]);
    });
  });

  describe('VPCT-AWS-007 IMDSv2 required', () => {
    test('optional or unset http_tokens fires on launch templates and instances', () => {
      const stack = stackWith((s) => {
        s.resource['aws_launch_template']!['gpu']!['metadata_options'] = { http_tokens: 'optional' };
        s.resource['aws_instance'] = { bastion: { ami: 'ami-123', instance_type: 't3.micro', subnet_id: '${aws_subnet.private_a.id}', root_block_device: { encrypted: true, kms_key_id: '${aws_kms_key.platform.arn}' } } };
      });
      expect(lines(stack)).toEqual([
        'VPCT-AWS-007 aws_instance.bastion: metadata_options.http_tokens unset: IMDSv1 is allowed; set http_tokens = "required"',
        'VPCT-AWS-007 aws_launch_template.gpu: metadata_options.http_tokens = "optional": IMDSv1 is allowed; set "required"',
        // the fixture's VPC has no SSM endpoints: VPCT-AWS-023 (aws-hardening-rules.ts) also fires on an instance in it
        'VPCT-AWS-023 aws_instance.bastion: aws_vpc.main has no interface endpoint for ec2messages, ssm, ssmmessages: Session Manager would need the internet; add them',
      ]);
    });
  });

  describe('S3 public access and TLS', () => {
    test('VPCT-AWS-008 a missing public access block, or one with flags off, fires', () => {
      const none = stackWith((s) => {
        delete s.resource['aws_s3_bucket_public_access_block'];
      });
      expect(lines(none)).toEqual(['VPCT-AWS-008 aws_s3_bucket.artifacts: no aws_s3_bucket_public_access_block: public ACLs and policies are not blocked']);
      const partial = stackWith((s) => {
        const pab = s.resource['aws_s3_bucket_public_access_block']!['artifacts']!;
        pab['block_public_policy'] = false;
        delete pab['restrict_public_buckets'];
      });
      expect(lines(partial)).toEqual([
        'VPCT-AWS-008 aws_s3_bucket_public_access_block.artifacts: public access block does not set block_public_policy, restrict_public_buckets to true',
      ]);
    });

    test('VPCT-AWS-009 no bucket policy, or one without the TLS deny, fires', () => {
      const none = stackWith((s) => {
        delete s.resource['aws_s3_bucket_policy'];
      });
      expect(lines(none)).toEqual(['VPCT-AWS-009 aws_s3_bucket.artifacts: no aws_s3_bucket_policy: requests over plain HTTP are not denied']);
      const allowOnly = stackWith((s) => {
        s.resource['aws_s3_bucket_policy']!['artifacts']!['policy'] = JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme/*' },
            // A deny on one action only is not TLS-only.
            { Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme/*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
          ],
        });
      });
      expect(lines(allowOnly)).toEqual([
        'VPCT-AWS-009 aws_s3_bucket_policy.artifacts: bucket policy has no statement denying s3:* to every principal when aws:SecureTransport = false: requests over plain HTTP are allowed',
      ]);
    });

    test('VPCT-AWS-009 a literal JSON TLS deny (with references inside, as JSON.stringify over tokens writes) passes; an unreadable expression fires with the reason', () => {
      const literal = stackWith((s) => {
        s.resource['aws_s3_bucket_policy']!['artifacts']!['policy'] = JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 's3:*',
              Resource: ['${aws_s3_bucket.artifacts.arn}', '${aws_s3_bucket.artifacts.arn}/*'],
              Condition: { Bool: { 'aws:SecureTransport': false } },
            },
          ],
        });
      });
      expect(lines(literal)).toEqual([]);
      const expression = stackWith((s) => {
        s.resource['aws_s3_bucket_policy']!['artifacts']!['policy'] = '${var.bucket_policy}';
      });
      expect(lines(expression)).toEqual([
        'VPCT-AWS-009 aws_s3_bucket_policy.artifacts: bucket policy cannot be read statically (aws_s3_bucket_policy.artifacts: the policy is an expression (${var.bucket_policy})); write it as data.aws_iam_policy_document or literal JSON so the TLS-only statement can be checked',
      ]);
    });
  });

  describe('VPCT-AWS-010 no wildcard IAM', () => {
    test('Action * on Resource * fires in inline JSON policies, role inline policies and policy documents', () => {
      const stack = stackWith((s) => {
        s.resource['aws_iam_role_policy'] = {
          admin: { role: '${aws_iam_role.node.name}', policy: JSON.stringify({ Version: '2012-10-17', Statement: { Sid: 'All', Effect: 'Allow', Action: '*', Resource: '*' } }) },
        };
        s.resource['aws_iam_role']!['node']!['inline_policy'] = [
          { name: 'x', policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: '${aws_s3_bucket.artifacts.arn}/*' }, { Effect: 'Allow', Action: ['*'], Resource: ['*'] }] }) },
        ];
        const trainer = s.data['aws_iam_policy_document']!['trainer']!;
        (trainer['statement'] as unknown[]).push({ actions: ['*'], resources: ['*'] });
      });
      expect(lines(stack)).toEqual([
        'VPCT-AWS-010 aws_iam_role.node: inline_policy[0].policy: statement 1 allows Action "*" on Resource "*"',
        'VPCT-AWS-010 aws_iam_role_policy.admin: policy: statement 0 (Sid "All") allows Action "*" on Resource "*"',
        'VPCT-AWS-010 data.aws_iam_policy_document.trainer: statement 1 allows Action "*" on Resource "*"',
      ]);
    });

    test('a Deny with * on *, a wildcard scoped to a resource, and a service wildcard do not fire', () => {
      const stack = stackWith((s) => {
        s.resource['aws_iam_policy']!['ok'] = {
          policy: JSON.stringify({
            Statement: [
              { Effect: 'Deny', Action: '*', Resource: '*' },
              { Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::acme/*' },
              { Effect: 'Allow', Action: 's3:*', Resource: '*' },
            ],
          }),
        };
      });
      expect(lines(stack)).toEqual([]);
    });

    test('attaching AdministratorAccess fires', () => {
      const stack = stackWith((s) => {
        s.resource['aws_iam_role_policy_attachment']!['admin'] = { role: '${aws_iam_role.node.name}', policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' };
      });
      expect(lines(stack)).toEqual(['VPCT-AWS-010 aws_iam_role_policy_attachment.admin: policy_arn attaches AdministratorAccess (Action "*" on Resource "*")']);
    });
  });

  test('findings carry the construct path and severity; the formatter prints one line each and a summary', () => {
    // GIVEN a stack breaking several rules
    const stack = stackWith((s) => {
      s.resource['aws_launch_template']!['gpu']!['metadata_options'] = { http_tokens: 'optional' };
      s.resource['aws_iam_role_policy_attachment']!['admin'] = { role: '${aws_iam_role.node.name}', policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' };
      delete s.resource['aws_ecr_repository']!['trainer']!['encryption_configuration'];
    });
    // WHEN
    const findings = evaluatePolicies(stack);
    // THEN
    expect(findings[0]).toEqual({
      ruleId: 'VPCT-AWS-005',
      severity: Severity.MEDIUM,
      address: 'aws_ecr_repository.trainer',
      message: 'encryption_configuration unset: images are encrypted with AES256, not KMS',
      constructPath: 'acme/registry/trainer',
    });
    expect(formatFindings(findings)).toBe(
      [
        'VPCT-AWS-005 medium aws_ecr_repository.trainer (acme/registry/trainer): encryption_configuration unset: images are encrypted with AES256, not KMS',
        'VPCT-AWS-007 high aws_launch_template.gpu (acme/pools/a10g/lt): metadata_options.http_tokens = "optional": IMDSv1 is allowed; set "required"',
        'VPCT-AWS-010 critical aws_iam_role_policy_attachment.admin: policy_arn attaches AdministratorAccess (Action "*" on Resource "*")',
        'policy: 3 finding(s): 1 critical, 1 high, 1 medium',
      ].join('\n'),
    );
  });
});
