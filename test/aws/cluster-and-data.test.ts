import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { ArtifactStore, bucketPolicy, Cluster, EncryptionKey, ImageRegistry, KeyUser, WorkloadIdentity } from '../../constructs/aws';
import { ServiceAccount } from '../../constructs/platform';
import { resources, synthWith } from './helpers';

const subnets = (scope: import('constructs').Construct) => [0, 1, 2].map((i) => new Subnet(scope, `s${i}`, { vpcId: 'vpc-1', cidrBlock: `10.0.${i}.0/24` }));

const platformKey = (scope: import('constructs').Construct) =>
  new EncryptionKey(scope, 'platform-key', { alias: 'acme-platform', description: 'logs and volumes', users: [KeyUser.CLOUDWATCH_LOGS, KeyUser.EC2_AUTO_SCALING] });

describe('Cluster', () => {
  test('GIVEN defaults WHEN synthesized THEN private endpoint, KMS-encrypted secrets, all control-plane logs, access entries API mode', () => {
    const s = synthWith((scope) => new Cluster(scope, 'c', { name: 'acme', region: 'us-east-1', kubernetesVersion: '1.34', subnets: subnets(scope), platformKey: platformKey(scope), adminRoleArn: 'arn:aws:iam::123456789012:role/admin' }));
    const [eks] = resources(s, 'aws_eks_cluster');
    expect(eks).toMatchObject({
      name: 'acme',
      version: '1.34',
      vpc_config: { endpoint_private_access: true, endpoint_public_access: false },
      encryption_config: { resources: ['secrets'] },
      enabled_cluster_log_types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
      access_config: { authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: false },
    });
    expect((eks?.encryption_config as { provider: { key_arn: string } }).provider.key_arn).toMatch(/^\$\{aws_kms_key\.c_secrets-key_[A-F0-9]+\.arn\}$/);
    expect(resources(s, 'aws_kms_key')[0]).toMatchObject({ enable_key_rotation: true });
    expect(resources(s, 'aws_eks_access_policy_association')[0]).toMatchObject({
      policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
      access_scope: { type: 'cluster' },
    });
    expect(resources(s, 'aws_iam_openid_connect_provider')[0]).toMatchObject({ client_id_list: ['sts.amazonaws.com'] });
    expect(resources(s, 'aws_eks_node_group')[0]).toMatchObject({ node_group_name: 'system', ami_type: 'AL2023_x86_64_STANDARD', instance_types: ['m6i.large'] });
  });

  test('GIVEN a public endpoint with CIDRs WHEN synthesized THEN public access is limited to them', () => {
    const s = synthWith((scope) => new Cluster(scope, 'c', { name: 'acme', region: 'us-gov-west-1', kubernetesVersion: '1.34', subnets: subnets(scope), platformKey: platformKey(scope), publicEndpoint: true, publicAccessCidrs: ['203.0.113.0/24'] }));
    expect(resources(s, 'aws_eks_cluster')[0]).toMatchObject({ vpc_config: { endpoint_public_access: true, public_access_cidrs: ['203.0.113.0/24'] } });
    expect(resources(s, 'aws_iam_role_policy_attachment').map((a) => a.policy_arn)).toContain('arn:aws-us-gov:iam::aws:policy/AmazonEKSClusterPolicy');
  });

  test('GIVEN a public endpoint open to the internet WHEN constructed THEN refused', () => {
    expect(() => synthWith((scope) => new Cluster(scope, 'c', { name: 'acme', region: 'us-east-1', kubernetesVersion: '1.34', subnets: subnets(scope), platformKey: platformKey(scope), publicEndpoint: true }))).toThrow(
      'Cluster acme: publicEndpoint is true but publicAccessCidrs is empty; list the CIDRs allowed to reach the API',
    );
    expect(() =>
      synthWith((scope) => new Cluster(scope, 'c', { name: 'acme', region: 'us-east-1', kubernetesVersion: '1.34', subnets: subnets(scope), platformKey: platformKey(scope), publicEndpoint: true, publicAccessCidrs: ['0.0.0.0/0'] })),
    ).toThrow('Cluster acme: publicAccessCidrs contains 0.0.0.0/0; list your VPN or office CIDRs instead');
  });
});

describe('ArtifactStore', () => {
  test('GIVEN defaults WHEN synthesized THEN SSE-KMS, versioning, public access blocked, TLS-only, lifecycle', () => {
    const s = synthWith((scope) => new ArtifactStore(scope, 'a', { name: 'acme' }));
    expect(resources(s, 'aws_s3_bucket')[0]).toMatchObject({ bucket_prefix: 'acme-artifacts-', force_destroy: false });
    expect(resources(s, 'aws_s3_bucket_server_side_encryption_configuration')[0]).toMatchObject({
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms' }, bucket_key_enabled: true }],
    });
    expect(resources(s, 'aws_s3_bucket_public_access_block')[0]).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(resources(s, 'aws_s3_bucket_versioning')[0]).toMatchObject({ versioning_configuration: { status: 'Enabled' } });
    const policy = JSON.parse(resources(s, 'aws_s3_bucket_policy')[0]?.policy as string) as { Statement: { Effect: string; Condition: unknown }[] };
    expect(policy.Statement[0]).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    const rules = (resources(s, 'aws_s3_bucket_lifecycle_configuration')[0]?.rule as { id: string }[]).map((r) => r.id);
    expect(rules).toEqual(['expire-job-artifacts', 'expire-noncurrent-versions', 'abort-incomplete-uploads']);
  });

  test('GIVEN zero retention days WHEN constructed THEN refused', () => {
    expect(() => synthWith((scope) => new ArtifactStore(scope, 'a', { name: 'acme', jobArtifactRetentionDays: 0 }))).toThrow(
      'ArtifactStore acme: jobArtifactRetentionDays 0 must be a whole number of days, at least 1',
    );
  });
});

describe('ImageRegistry', () => {
  test('GIVEN defaults WHEN synthesized THEN three immutable, scanned, KMS-encrypted repositories', () => {
    const s = synthWith((scope) => new ImageRegistry(scope, 'r', { name: 'acme' }));
    const repos = resources(s, 'aws_ecr_repository');
    expect(repos.map((r) => r.name).sort()).toEqual(['acme/controller', 'acme/server', 'acme/trainer']);
    for (const r of repos) {
      expect(r).toMatchObject({ image_tag_mutability: 'IMMUTABLE', image_scanning_configuration: { scan_on_push: true }, encryption_configuration: [{ encryption_type: 'KMS' }] });
    }
  });
});

describe('WorkloadIdentity', () => {
  test('GIVEN the platform service accounts WHEN synthesized THEN each role trusts exactly its service account', () => {
    const s = synthWith((scope) => {
      const oidc = new IamOpenidConnectProvider(scope, 'oidc', { url: 'https://oidc.eks.us-east-1.amazonaws.com/id/ABC', clientIdList: ['sts.amazonaws.com'] });
      new WorkloadIdentity(scope, 'w', { name: 'acme', oidcProvider: oidc, oidcIssuerUrl: 'https://oidc.eks.us-east-1.amazonaws.com/id/ABC', bucketArn: 'arn:aws:s3:::b', bucketKeyArn: 'arn:aws:kms:us-east-1:1:key/k' });
    });
    // (the trainer-job role, trusted by the controller's role only, is checked in trainer-job-identity.test.ts)
    const roles = resources(s, 'aws_iam_role').filter((r) => r.name !== 'acme-vpctune-trainer-job');
    expect(roles.map((r) => r.name).sort()).toEqual(['acme-vpctune-controller', 'acme-vpctune-server', 'acme-vpctune-trainer']);
    for (const role of roles) {
      const sa = String(role.name).replace('acme-', '');
      const trust = JSON.parse(String(role.assume_role_policy).replace(/\$\{[^}]*\}/g, "ISSUER")) as { Statement: { Action: string; Condition: { StringEquals: Record<string, string> } }[] };
      expect(trust.Statement).toHaveLength(1);
      expect(trust.Statement[0]?.Action).toBe('sts:AssumeRoleWithWebIdentity');
      expect(Object.values(trust.Statement[0]?.Condition.StringEquals ?? {})).toEqual([`system:serviceaccount:vpctune:${sa}`, 'sts.amazonaws.com']);
    }
  });

  test('bucket policies are scoped to prefixes and never grant * on *', () => {
    const server = JSON.parse(bucketPolicy(ServiceAccount.SERVER, 'arn:aws:s3:::b', 'arn:k')) as { Statement: { Sid: string; Action: string | string[]; Resource: string | string[] }[] };
    expect(server.Statement.map((s) => s.Sid)).toEqual(['List', 'Read', 'Key']);
    expect(server.Statement[1]?.Resource).toEqual(['arn:aws:s3:::b/models/*', 'arn:aws:s3:::b/adapters/*']);
    const trainer = JSON.parse(bucketPolicy(ServiceAccount.TRAINER, 'arn:aws:s3:::b', 'arn:k')) as { Statement: { Sid: string; Resource: string | string[] }[] };
    expect(trainer.Statement.find((s) => s.Sid === 'Write')?.Resource).toEqual(['arn:aws:s3:::b/jobs/*', 'arn:aws:s3:::b/adapters/*', 'arn:aws:s3:::b/models/*']);
    for (const sa of Object.values(ServiceAccount)) {
      for (const st of (JSON.parse(bucketPolicy(sa, 'arn:aws:s3:::b', 'arn:k')) as { Statement: { Action: string | string[]; Resource: string | string[] }[] }).Statement) {
        expect([st.Action].flat()).not.toContain('*');
        expect([st.Resource].flat()).not.toContain('*');
      }
    }
  });
});
