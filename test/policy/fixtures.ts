/**
 * A minimal stack, in the shape cdktf synthesizes, that passes every policy rule. Tests break one thing at a time.
 */
import { SynthesizedStack } from '../../constructs/policy';

const meta = (path: string): { '//': { metadata: { path: string; uniqueId: string } } } => ({
  '//': { metadata: { path: `acme/${path}`, uniqueId: path.replace(/\//g, '_') } },
});

/** The platform key's policy: the account root administers it, CloudWatch Logs (this account's groups) and Auto Scaling use it. */
const PLATFORM_KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'AccountRootAdministers', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
    {
      Effect: 'Allow',
      Principal: { Service: 'logs.us-east-1.amazonaws.com' },
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:us-east-1:111122223333:log-group:*' } },
    },
    {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      Resource: '*',
    },
  ],
};

export function cleanStack(): SynthesizedStack {
  return {
    provider: { aws: [{ region: 'us-east-1' }] },
    data: {
      aws_iam_policy_document: {
        node_assume: {
          statement: [{ effect: 'Allow', actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['ec2.amazonaws.com'] }] }],
        },
        bucket_tls: {
          statement: [
            {
              sid: 'DenyInsecureTransport',
              effect: 'Deny',
              actions: ['s3:*'],
              resources: ['${aws_s3_bucket.artifacts.arn}', '${aws_s3_bucket.artifacts.arn}/*'],
              principals: [{ type: '*', identifiers: ['*'] }],
              condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
            },
          ],
        },
        trainer: {
          statement: [{ effect: 'Allow', actions: ['s3:GetObject', 's3:PutObject'], resources: ['${aws_s3_bucket.artifacts.arn}/jobs/*'] }],
        },
      },
    },
    resource: {
      aws_vpc: { main: { ...meta('network/vpc'), cidr_block: '10.42.0.0/16' } },
      aws_subnet: {
        public_a: { ...meta('network/public-a'), vpc_id: '${aws_vpc.main.id}', cidr_block: '10.42.0.0/24', map_public_ip_on_launch: true },
        private_a: { ...meta('network/private-a'), vpc_id: '${aws_vpc.main.id}', cidr_block: '10.42.16.0/20', map_public_ip_on_launch: false },
        private_b: { ...meta('network/private-b'), vpc_id: '${aws_vpc.main.id}', cidr_block: '10.42.32.0/20' },
      },
      aws_eip: { nat: { domain: 'vpc' } },
      aws_nat_gateway: { a: { allocation_id: '${aws_eip.nat.id}', subnet_id: '${aws_subnet.public_a.id}' } },
      aws_kms_key: { platform: { ...meta('kms'), enable_key_rotation: true } },
      aws_kms_key_policy: { platform: { key_id: '${aws_kms_key.platform.id}', policy: JSON.stringify(PLATFORM_KEY_POLICY) } },
      aws_default_security_group: { main: { vpc_id: '${aws_vpc.main.id}' } },
      aws_cloudwatch_log_group: { flow: { name: '/acme/vpc-flow-logs', kms_key_id: '${aws_kms_key.platform.arn}', retention_in_days: 90 } },
      aws_flow_log: {
        main: { vpc_id: '${aws_vpc.main.id}', traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs', log_destination: '${aws_cloudwatch_log_group.flow.arn}', iam_role_arn: '${aws_iam_role.flow_logs.arn}' },
      },
      aws_eks_cluster: {
        main: {
          ...meta('cluster/eks'),
          name: 'acme',
          role_arn: '${aws_iam_role.cluster.arn}',
          vpc_config: {
            subnet_ids: ['${aws_subnet.private_a.id}', '${aws_subnet.private_b.id}'],
            endpoint_private_access: true,
            endpoint_public_access: false,
          },
          encryption_config: { resources: ['secrets'], provider: { key_arn: '${aws_kms_key.platform.arn}' } },
          access_config: { authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: false },
        },
      },
      aws_launch_template: {
        gpu: {
          ...meta('pools/a10g/lt'),
          metadata_options: { http_tokens: 'required', http_put_response_hop_limit: 2, http_endpoint: 'enabled' },
          block_device_mappings: [{ device_name: '/dev/xvda', ebs: { volume_size: 200, volume_type: 'gp3', encrypted: true, kms_key_id: '${aws_kms_key.platform.arn}' } }],
        },
      },
      aws_eks_node_group: {
        gpu: {
          ...meta('pools/a10g/ng'),
          cluster_name: '${aws_eks_cluster.main.name}',
          subnet_ids: ['${aws_subnet.private_a.id}', '${aws_subnet.private_b.id}'],
          launch_template: { id: '${aws_launch_template.gpu.id}', version: '${aws_launch_template.gpu.latest_version}' },
          scaling_config: { min_size: 0, max_size: 4, desired_size: 0 },
        },
      },
      aws_s3_bucket: { artifacts: { ...meta('store/bucket'), bucket_prefix: 'acme-ft-' } },
      aws_s3_bucket_server_side_encryption_configuration: {
        artifacts: {
          bucket: '${aws_s3_bucket.artifacts.id}',
          rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: '${aws_kms_key.platform.arn}' }, bucket_key_enabled: true }],
        },
      },
      aws_s3_bucket_public_access_block: {
        artifacts: { bucket: '${aws_s3_bucket.artifacts.id}', block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true },
      },
      aws_s3_bucket_policy: { artifacts: { bucket: '${aws_s3_bucket.artifacts.id}', policy: '${data.aws_iam_policy_document.bucket_tls.json}' } },
      aws_ecr_repository: {
        trainer: { ...meta('registry/trainer'), name: 'acme/trainer', image_tag_mutability: 'IMMUTABLE', encryption_configuration: [{ encryption_type: 'KMS', kms_key: '${aws_kms_key.platform.arn}' }] },
      },
      aws_iam_role: {
        cluster: { name: 'acme-cluster', assume_role_policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"eks.amazonaws.com"},"Action":"sts:AssumeRole"}]}' },
        node: { name: 'acme-node', assume_role_policy: '${data.aws_iam_policy_document.node_assume.json}' },
        flow_logs: { name: 'acme-flow-logs', assume_role_policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole"}]}' },
      },
      aws_iam_role_policy_attachment: {
        node_worker: { role: '${aws_iam_role.node.name}', policy_arn: 'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy' },
      },
      aws_iam_policy: {
        trainer: { name: 'acme-trainer', policy: '${data.aws_iam_policy_document.trainer.json}' },
        ecr_pull: {
          name: 'acme-ecr-pull',
          policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' }] }),
        },
      },
    },
  };
}

/** A copy of the clean stack changed by `edit`. */
export function stackWith(edit: (s: SynthesizedStack & { resource: NonNullable<SynthesizedStack['resource']>; data: NonNullable<SynthesizedStack['data']> }) => void): SynthesizedStack {
  const s = cleanStack() as SynthesizedStack & { resource: NonNullable<SynthesizedStack['resource']>; data: NonNullable<SynthesizedStack['data']> };
  edit(s);
  return s;
}
