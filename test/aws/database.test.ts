/**
 * The AWS platform database (RDS for PostgreSQL), the cluster autoscaler's IRSA role, and the policy rules that guard
 * the database: synthesized properties, exact messages for bad input, and rules firing on broken stacks.
 */
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { App } from 'cdktf';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AwsPlatform, CLUSTER_AUTOSCALER_SERVICE_ACCOUNT, Database, EncryptionKey } from '../../constructs/aws';
import { parseConfig, PlatformConfigInput, validateConfig } from '../../constructs/config';
import { evaluatePolicies, SynthesizedStack } from '../../constructs/policy';
import { AwsPlatformStack } from '../../stacks/aws-platform-stack';
import { resources, synthWith } from './helpers';

const TODAY = { today: '2026-11-22' };
const BASE: PlatformConfigInput = {
  name: 'acme-ft',
  cloud: 'aws' as PlatformConfigInput['cloud'],
  region: 'us-east-1',
  network: { cidr: '10.42.0.0/16' },
  kubernetes: { version: '1.34' },
  gpuPools: [{ name: 'a10g', gpu: 'A10G' as never, gpusPerNode: 1, maxNodes: 2 }],
};
const config = (extra: Partial<PlatformConfigInput> = {}) => parseConfig({ ...BASE, ...extra }, TODAY);
const platformKey = (scope: import('constructs').Construct) => new EncryptionKey(scope, 'platform-key', { alias: 'acme-platform', description: 'platform' });
const subnets = (scope: import('constructs').Construct, n = 3) => [...Array(n).keys()].map((i) => new Subnet(scope, `s${i}`, { vpcId: 'vpc-1', cidrBlock: `10.0.${i}.0/24` }));

function stackJson(extra: Partial<PlatformConfigInput> = {}): SynthesizedStack & { output: Record<string, { value: string }> } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-db-'));
  const app = new App({ outdir });
  new AwsPlatformStack(app, 'platform', { config: config(extra) });
  app.synth();
  return JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'platform', 'cdk.tf.json'), 'utf8'));
}

const databaseFindings = (stack: SynthesizedStack) => evaluatePolicies(stack).filter((f) => /^VPCT-AWS-01[1-4]$/.test(f.ruleId)).map((f) => `${f.ruleId} ${f.message}`);

describe('Database', () => {
  test('GIVEN defaults WHEN synthesized THEN private, encrypted with the platform key, TLS forced, backed up, protected, password in Secrets Manager', () => {
    // WHEN
    const s = synthWith((scope) => new Database(scope, 'db', { name: 'acme', vpcId: 'vpc-1', subnets: subnets(scope), clientSecurityGroupId: 'sg-nodes', key: platformKey(scope) }));
    // THEN
    const [db] = resources(s, 'aws_db_instance');
    expect(db).toMatchObject({
      identifier: 'acme-controller',
      engine: 'postgres',
      engine_version: '17',
      instance_class: 'db.t4g.small',
      allocated_storage: 20,
      storage_type: 'gp3',
      storage_encrypted: true,
      publicly_accessible: false,
      manage_master_user_password: true,
      username: 'vpctune',
      db_name: 'vpctune',
      backup_retention_period: 7,
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: 'acme-controller-final',
      port: 5432,
    });
    expect(db?.['kms_key_id']).toMatch(/^\$\{aws_kms_key\.platform-key_[A-F0-9]+\.arn\}$/);
    expect(db?.['depends_on']).toEqual([expect.stringMatching(/^aws_kms_key_policy\.platform-key_policy_[A-F0-9]+$/)]);
    expect(db?.['master_user_secret_kms_key_id']).toBe(db?.['kms_key_id']);
    expect(db?.['password']).toBeUndefined();
    expect(resources(s, 'aws_db_parameter_group')).toEqual([expect.objectContaining({ family: 'postgres17', parameter: [{ name: 'rds.force_ssl', value: '1' }] })]);
    expect((resources(s, 'aws_db_subnet_group')[0]?.['subnet_ids'] as string[]).length).toBe(3);
    const [sg] = resources(s, 'aws_security_group');
    expect(sg?.['ingress']).toEqual([
      { description: 'PostgreSQL from the cluster nodes', from_port: 5432, to_port: 5432, protocol: 'tcp', security_groups: ['sg-nodes'], cidr_blocks: null, ipv6_cidr_blocks: null, prefix_list_ids: null, self: null },
    ]);
    expect(sg?.['egress']).toEqual([]);
  });

  test('GIVEN forceDestroy WHEN synthesized THEN no deletion protection, no final snapshot, and the disposable tag', () => {
    const s = synthWith((scope) => new Database(scope, 'db', { name: 'acme', vpcId: 'vpc-1', subnets: subnets(scope), clientSecurityGroupId: 'sg-nodes', key: platformKey(scope), forceDestroy: true }));
    const [db] = resources(s, 'aws_db_instance');
    expect(db).toMatchObject({ deletion_protection: false, skip_final_snapshot: true, tags: { 'vpctune.dev/force-destroy': 'true' } });
    expect(db?.['final_snapshot_identifier']).toBeUndefined();
  });

  test.each([
    [{ instanceClass: 'm6i.large' }, 'Database acme: instanceClass m6i.large is not an RDS instance class; allowed: db.FAMILY.SIZE, e.g. db.t4g.small'],
    [{ storageGiB: 10 }, 'Database acme: storageGiB 10 is outside 20 to 65536'],
    [{ backupRetentionDays: 0 }, 'Database acme: backupRetentionDays 0 is outside 1 to 35 (0 would turn automated backups off)'],
  ])('GIVEN %j WHEN constructed THEN refused with the field, the value and what is allowed', (bad, message) => {
    expect(() => synthWith((scope) => new Database(scope, 'db', { name: 'acme', vpcId: 'vpc-1', subnets: subnets(scope), clientSecurityGroupId: 'sg', key: platformKey(scope), ...bad }))).toThrow(message);
  });

  test('GIVEN one subnet WHEN constructed THEN refused (RDS needs two zones)', () => {
    expect(() => synthWith((scope) => new Database(scope, 'db', { name: 'acme', vpcId: 'vpc-1', subnets: subnets(scope, 1), clientSecurityGroupId: 'sg', key: platformKey(scope) }))).toThrow(
      'Database acme: 1 subnet(s) given; RDS needs subnets in at least 2 availability zones',
    );
  });
});

describe('the platform database from the config', () => {
  test('GIVEN no database section WHEN the stack is synthesized THEN the defaults, the cluster security group as the only client, and the outputs', () => {
    // WHEN
    const s = stackJson({ database: { instanceClass: 'db.m7g.large', storageGiB: 100 } });
    // THEN
    const [db] = Object.values(s.resource!['aws_db_instance']!) as Record<string, unknown>[];
    expect(db).toMatchObject({ instance_class: 'db.m7g.large', allocated_storage: 100, deletion_protection: true });
    const sg = Object.values(s.resource!['aws_security_group']!).find((g) => (g as { name: string }).name === 'acme-ft-database') as { ingress: { security_groups: string[] }[] };
    expect(sg.ingress[0]?.security_groups).toEqual([expect.stringMatching(/^\$\{aws_eks_cluster\.platform_cluster_[A-F0-9]+\.vpc_config\[0\]\.cluster_security_group_id\}$/)]);
    expect(s.output['database_endpoint']?.value).toMatch(/^\$\{aws_db_instance\.platform_database_instance_[A-F0-9]+\.endpoint\}$/);
    expect(s.output['database_secret_arn']?.value).toMatch(/^\$\{aws_db_instance\.platform_database_instance_[A-F0-9]+\.master_user_secret\[0\]\.secret_arn\}$/);
    expect(s.output['cluster_autoscaler_role_arn']?.value).toMatch(/^\$\{aws_iam_role\.platform_cluster-autoscaler-identity_role_[A-F0-9]+\.arn\}$/);
    expect(databaseFindings(s)).toEqual([]);
  });

  test('GIVEN database.external WHEN synthesized THEN no database and no database outputs', () => {
    const s = stackJson({ database: { external: true } });
    expect(s.resource!['aws_db_instance']).toBeUndefined();
    expect(Object.keys(s.output).filter((k) => k.startsWith('database'))).toEqual([]);
  });

  test('GIVEN storage.forceDestroy WHEN synthesized THEN the database may be destroyed and the rules accept it', () => {
    const s = stackJson({ storage: { forceDestroy: true } });
    expect(Object.values(s.resource!['aws_db_instance']!)[0]).toMatchObject({ deletion_protection: false, skip_final_snapshot: true });
    expect(databaseFindings(s)).toEqual([]);
  });

  test('GIVEN one availability zone and a managed database WHEN built THEN refused naming the fields', () => {
    expect(() => stackJson({ network: { cidr: '10.42.0.0/16', availabilityZones: ['us-east-1a'] } })).toThrow(
      'AwsPlatform acme-ft: database needs private subnets in at least 2 availability zones (RDS) but network.availabilityZones has 1; add a zone or set database.external: true',
    );
    expect(() => stackJson({ network: { cidr: '10.42.0.0/16', availabilityZones: ['us-east-1a'] }, database: { external: true } })).not.toThrow();
  });

  test('GIVEN bad database values WHEN validated THEN each names the field, the value and what is allowed', () => {
    const r = validateConfig({ ...BASE, database: { instanceClass: 'large', storageGiB: 5, size: 1 } }, TODAY);
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'database.size: unknown field; allowed here: external, instanceClass, storageGiB',
      'database.instanceClass: "large" is not an RDS instance class on AWS; allowed: db.FAMILY.SIZE, e.g. db.t4g.small',
      'database.storageGiB: 5 GiB is not a storage size on AWS; allowed: 20 to 65536 (gp3)',
    ]);
  });
});

describe('cluster autoscaler identity', () => {
  test('GIVEN the platform WHEN synthesized THEN the role trusts kube-system/cluster-autoscaler only and scales only node groups tagged for the cluster', () => {
    const s = synthWith((scope) => new AwsPlatform(scope, 'p', { config: config() }));
    // Terraform expressions (issuer host, cluster name and ARN) stand in as <expr>: the JSON around them is ours
    const plain = (doc: unknown): string => String(doc).replace(/\$\{[^}]*\}/g, '<expr>');
    const role = resources(s, 'aws_iam_role').find((r) => r['name'] === 'acme-ft-cluster-autoscaler') as { assume_role_policy: string };
    const trust = JSON.parse(plain(role.assume_role_policy)) as { Statement: { Condition: { StringEquals: Record<string, string> } }[] };
    expect(trust.Statement[0]!.Condition.StringEquals).toEqual({ '<expr>:sub': `system:serviceaccount:${CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.namespace}:${CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.name}`, '<expr>:aud': 'sts.amazonaws.com' });
    const raw = (resources(s, 'aws_iam_role_policy').find((p) => p['name'] === 'cluster-autoscaler') as { policy: string }).policy;
    const policy = JSON.parse(plain(raw)) as { Statement: { Sid: string; Action: string | string[]; Resource: string; Condition?: Record<string, Record<string, string>> }[] };
    const [scale, describeNodegroup, discover] = policy.Statement;
    expect(scale).toEqual({
      Sid: 'ScaleOwnNodeGroups',
      Effect: 'Allow',
      Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:ResourceTag/k8s.io/cluster-autoscaler/<expr>': 'owned', 'aws:ResourceTag/k8s.io/cluster-autoscaler/enabled': 'true' } },
    });
    expect(raw).toMatch(/"aws:ResourceTag\/k8s\.io\/cluster-autoscaler\/\$\{aws_eks_cluster\.p_cluster_[A-F0-9]+\.name\}"/);
    expect(raw).toMatch(/"Resource":"\$\{replace\(aws_eks_cluster\.p_cluster_[A-F0-9]+\.arn, ":cluster\/", ":nodegroup\/"\)\}\/\*"/);
    expect(describeNodegroup).toMatchObject({ Action: 'eks:DescribeNodegroup', Resource: '<expr>/*' });
    expect((discover?.Action as string[]).every((a) => /:(Describe|Get)/.test(a))).toBe(true);
  });
});

describe('database policy rules', () => {
  function broken(change: (db: Record<string, unknown>) => void): SynthesizedStack {
    const s = stackJson();
    change(Object.values(s.resource!['aws_db_instance']!)[0] as Record<string, unknown>);
    return s;
  }

  test.each([
    ['unencrypted', (db: Record<string, unknown>) => delete db['storage_encrypted'], 'VPCT-AWS-011 storage_encrypted is unset (defaults to false), not true'],
    ['the AWS managed key', (db: Record<string, unknown>) => delete db['kms_key_id'], 'VPCT-AWS-011 kms_key_id is unset: storage is encrypted with the AWS managed key aws/rds; give the platform key'],
    ['public', (db: Record<string, unknown>) => (db['publicly_accessible'] = true), 'VPCT-AWS-012 publicly_accessible = true gives the database a public address; set it to false'],
    ['no backups', (db: Record<string, unknown>) => (db['backup_retention_period'] = 0), 'VPCT-AWS-013 backup_retention_period is 0: automated backups need 1 to 35 days'],
    ['backups unset', (db: Record<string, unknown>) => delete db['backup_retention_period'], 'VPCT-AWS-013 backup_retention_period is unset: automated backups need 1 to 35 days'],
    [
      'no deletion protection',
      (db: Record<string, unknown>) => (db['deletion_protection'] = false),
      'VPCT-AWS-014 deletion_protection is false: set it to true, or tag the instance vpctune.dev/force-destroy = "true" when the platform is disposable (storage.forceDestroy)',
    ],
  ])('GIVEN a database that is %s WHEN checked THEN exactly its rule fires', (_what, change, finding) => {
    // GIVEN
    const stack = broken(change);
    // WHEN / THEN
    expect(databaseFindings(stack)).toEqual([finding]);
  });
});
