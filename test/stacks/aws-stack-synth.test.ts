import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp } from '../../stacks/build-app';

const REPO = path.resolve(__dirname, '..', '..');
const TODAY = { today: '2026-11-22' };

function synth(config: string): Record<string, any> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-synth-'));
  const app = buildApp([path.join(REPO, config)], out, TODAY);
  app.synth();
  const stack = app.node.children[0]?.node.id as string;
  return JSON.parse(fs.readFileSync(path.join(out, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as Record<string, any>;
}

describe('AWS platform stack', () => {
  test('GIVEN the all-GPU example WHEN synthesized THEN one node group per pool plus system, with catalog instance types', () => {
    const s = synth('stacks/examples/aws-all-gpus.yaml');
    const groups = Object.values(s.resource.aws_eks_node_group as Record<string, any>).map((g) => [g.node_group_name, g.instance_types[0], g.capacity_type]);
    expect(groups.sort()).toEqual([
      ['gpu-a100-40', 'p4d.24xlarge', 'ON_DEMAND'],
      ['gpu-a100-80', 'p4de.24xlarge', 'ON_DEMAND'],
      ['gpu-a10g', 'g5.2xlarge', 'SPOT'],
      ['gpu-h100', 'p5.48xlarge', 'ON_DEMAND'],
      ['gpu-l40s', 'g6e.12xlarge', 'SPOT'],
      ['system', 'm6i.large', 'ON_DEMAND'],
    ]);
    expect(Object.keys(s.output).sort()).toEqual([
      'bastion_instance_id', 'bucket', 'cluster_autoscaler_role_arn', 'cluster_ca_certificate', 'cluster_endpoint', 'cluster_name', 'cluster_oidc_issuer', 'database_endpoint', 'database_secret_arn', 'gpu_pools',
      'registry_controller', 'registry_server', 'registry_trainer', 'role_vpctune_controller', 'role_vpctune_server', 'role_vpctune_trainer',
    ]);
    expect(s.provider.aws[0]).toEqual({ region: 'us-east-1', default_tags: [{ tags: { 'vpctune.dev/platform': 'vpctune-demo', 'managed-by': 'vpctune', team: 'ml-platform' } }] });
    expect(s.terraform.backend).toEqual({ local: { path: 'terraform.tfstate' } });
    expect(Object.keys(s.resource.aws_placement_group ?? {})).toHaveLength(3);
  });

  test('GIVEN a config with an S3 state bucket WHEN synthesized THEN an S3 backend with lockfile locking and no test-only provider settings', () => {
    const s = synth('stacks/examples/aws-small.json');
    expect(s.terraform.backend).toEqual({ s3: { bucket: 'acme-terraform-state', key: 'vpctune/small-ft.tfstate', region: 'eu-west-1', encrypt: true, use_lockfile: true } });
    const provider = JSON.stringify(s.provider);
    for (const testOnly of ['skip_credentials_validation', 'access_key', 'endpoints', 'skip_requesting_account_id']) expect(provider).not.toContain(testOnly);
    const cluster = Object.values(s.resource.aws_eks_cluster as Record<string, any>)[0];
    expect(cluster.vpc_config.endpoint_public_access).toBe(true);
    expect(cluster.vpc_config.public_access_cidrs).toEqual(['203.0.113.0/24']);
    expect(JSON.stringify(s.resource)).not.toContain('ignore_changes": ["access_config');
  });

  test('GIVEN two configs with the same name WHEN built THEN refused', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-synth-'));
    const f = path.join(REPO, 'stacks/examples/design-sketch.yaml');
    expect(() => buildApp([f, f], out, TODAY)).toThrow('two configs are named acme-ft; stack vpctune-acme-ft would be defined twice');
  });
});
