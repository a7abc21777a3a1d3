/**
 * The synthesized AWS stacks against real Terraform: validate + offline plan for every AWS example (against the
 * provider mirror on this machine), and apply → no-change re-plan → destroy of a full stack against the moto
 * AWS emulator on 127.0.0.1. Emulator-only overrides are applied by the harness to a copy of the JSON.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp } from '../../stacks/build-app';
import { startMotoServer } from '../harness/moto-server';
import { planOffline, runEmulatorLifecycle } from '../harness/terraform-runner';

const REPO = path.resolve(__dirname, '..', '..');
const TODAY = { today: '2026-11-22' };

function synthStackDir(config: string): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-tf-'));
  const app = buildApp([path.join(REPO, config)], out, TODAY);
  app.synth();
  return path.join(out, 'stacks', app.node.children[0]?.node.id as string);
}

describe('AWS stacks with Terraform', () => {
  // (counts include the per-job trainer role, its bucket policy and the controller's right to assume it; the trainer's
  // own role has no bucket policy)
  test.each([
    ['stacks/examples/aws-all-gpus.yaml', 151],
    ['stacks/examples/aws-small.json', 111],
    ['stacks/examples/design-sketch.yaml', 107],
    ['stacks/examples/aws-no-egress.yaml', 103],
  ])('GIVEN %s WHEN validated and planned offline THEN valid and every resource is a create', async (config, count) => {
    const result = await planOffline(synthStackDir(config));
    expect(result.validate.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.validate.valid).toBe(true);
    const actions = new Set(result.plan?.changes.flatMap((c) => c.actions));
    expect([...actions]).toEqual(['create']);
    expect(result.plan?.changes.length).toBe(count);
  }, 180_000);

  test('GIVEN a full stack WHEN applied to the moto emulator THEN re-plan is empty and destroy leaves nothing', async () => {
    const moto = await startMotoServer();
    try {
      const result = await runEmulatorLifecycle(synthStackDir('test/fixtures/configs/emulator-full.yaml'), { endpoint: moto.endpoint });
      const types = new Set(result.appliedResources.map((a) => a.split('.')[0]));
      for (const t of ['aws_vpc', 'aws_nat_gateway', 'aws_vpc_endpoint', 'aws_eks_cluster', 'aws_eks_node_group', 'aws_iam_openid_connect_provider', 'aws_s3_bucket_policy', 'aws_ecr_repository', 'aws_kms_key', 'aws_launch_template', 'aws_db_instance', 'aws_db_parameter_group', 'aws_db_subnet_group', 'aws_flow_log', 'aws_cloudwatch_log_group', 'aws_default_security_group', 'aws_kms_key_policy']) {
        expect(types).toContain(t);
      }
      expect(result.appliedResources.filter((a) => a.startsWith('aws_eks_node_group.'))).toHaveLength(3);
      expect(result.replan.hasChanges).toBe(false);
      expect(result.remainingAfterDestroy).toEqual([]);
      // Emulator-only changes were made by the harness, to its copy: endpoints, ignore_changes, no ASG tags.
      const addresses = result.overrides.map((o) => o.address);
      expect(addresses).toContain('provider.aws');
      expect(addresses.filter((a) => a.startsWith('aws_autoscaling_group_tag.'))).toHaveLength(14);
      // moto creates no EKS cluster security group: the database's ingress from the nodes names a stand-in
      expect(addresses.filter((a) => a.startsWith('aws_security_group.emulator_cluster_sg_'))).toHaveLength(1);
      expect(result.overrides.filter((o) => o.address.startsWith('aws_db_parameter_group.')).map((o) => o.change)).toEqual(['lifecycle.ignore_changes += parameter']);
      expect(result.overrides.filter((o) => o.address.startsWith('aws_eks_node_group.') && o.change.startsWith('lifecycle')).map((o) => o.change)).toEqual(
        Array(3).fill('lifecycle.ignore_changes += remote_access, update_config'),
      );
      // moto has no EKS add-on API: the VPC CNI add-on is left out and the node groups stop waiting for it
      expect(result.overrides.filter((o) => o.address.startsWith('aws_eks_addon.')).map((o) => o.change)).toEqual(['removed (emulator has no such object)']);
      expect(result.overrides.filter((o) => o.change === 'depends_on -= aws_eks_addon')).toHaveLength(3);
      process.stdout.write(`moto lifecycle timings (s): ${JSON.stringify(result.timings)}\n`);
    } finally {
      await moto.stop();
    }
  }, 480_000);

  test('GIVEN a stack with network.egress none WHEN applied to the moto emulator THEN no internet path, re-plan is empty and destroy leaves nothing', async () => {
    const moto = await startMotoServer();
    try {
      const result = await runEmulatorLifecycle(synthStackDir('test/fixtures/configs/emulator-no-egress.yaml'), { endpoint: moto.endpoint });
      const types = new Set(result.appliedResources.map((a) => a.split('.')[0]));
      for (const t of ['aws_internet_gateway', 'aws_nat_gateway', 'aws_eip', 'aws_route']) expect(types).not.toContain(t);
      for (const t of ['aws_vpc_endpoint', 'aws_flow_log', 'aws_default_security_group', 'aws_eks_cluster', 'aws_db_instance']) expect(types).toContain(t);
      // the S3 gateway and 11 interface endpoints (the no-egress services and Secrets Manager for the database)
      expect(result.appliedResources.filter((a) => a.startsWith('aws_vpc_endpoint.'))).toHaveLength(12);
      expect(result.replan.hasChanges).toBe(false);
      expect(result.remainingAfterDestroy).toEqual([]);
      process.stdout.write(`moto lifecycle (egress none) timings (s): ${JSON.stringify(result.timings)}\n`);
    } finally {
      await moto.stop();
    }
  }, 480_000);
});
