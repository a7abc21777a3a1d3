/**
 * The platform database and the autoscaler role with real Terraform: `terraform validate`, then apply → empty re-plan
 * → destroy against the moto emulator (RDS with the master password managed in Secrets Manager, KMS, EC2, IAM).
 * A small stack (a VPC with two private subnets, the platform key, a stand-in node security group, the database, the autoscaler identity)
 * keeps the run to what these constructs create; the full platform's lifecycle is test/stacks/aws-stack-terraform.
 */
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { App, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClusterAutoscalerIdentity, Database, EncryptionKey, KeyUser } from '../../constructs/aws';
import { startMotoServer } from '../harness/moto-server';
import { runEmulatorLifecycle } from '../harness/terraform-runner';

function synthDatabaseStack(): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-db-tf-'));
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'database');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  new LocalBackend(stack, { path: 'terraform.tfstate' });
  const vpc = new Vpc(stack, 'vpc', { cidrBlock: '10.51.0.0/16' });
  const subnets = ['a', 'b'].map((zone, i) => new Subnet(stack, `private-${zone}`, { vpcId: vpc.id, availabilityZone: `us-east-1${zone}`, cidrBlock: `10.51.${i}.0/24` }));
  const key = new EncryptionKey(stack, 'platform-key', { alias: 'emu-db-platform', description: 'emu-db platform key', users: [KeyUser.CLOUDWATCH_LOGS] });
  const nodes = new SecurityGroup(stack, 'nodes', { name: 'emu-db-nodes', description: 'the cluster nodes', vpcId: vpc.id });
  const db = new Database(stack, 'db', { name: 'emu-db', vpcId: vpc.id, subnets, clientSecurityGroupId: nodes.id, key, forceDestroy: true });
  const oidc = new IamOpenidConnectProvider(stack, 'oidc', { url: 'https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE', clientIdList: ['sts.amazonaws.com'] });
  const ca = new ClusterAutoscalerIdentity(stack, 'ca', { name: 'emu-db', clusterName: 'emu-db', clusterArn: 'arn:aws:eks:us-east-1:123456789012:cluster/emu-db', oidcProvider: oidc, oidcIssuerUrl: oidc.url });
  new TerraformOutput(stack, 'database_endpoint', { value: db.endpoint });
  new TerraformOutput(stack, 'database_secret_arn', { value: db.secretArn });
  new TerraformOutput(stack, 'cluster_autoscaler_role_arn', { value: ca.arn });
  app.synth();
  return path.join(outdir, 'stacks', 'database');
}

test('GIVEN the database stack WHEN validated, applied to moto, re-planned and destroyed THEN valid, idempotent and nothing is left', async () => {
  // GIVEN
  const dir = synthDatabaseStack();
  const moto = await startMotoServer();
  try {
    // WHEN
    const result = await runEmulatorLifecycle(dir, { endpoint: moto.endpoint });
    // THEN
    expect(result.validate.valid).toBe(true);
    const types = new Set(result.appliedResources.map((a) => a.split('.')[0]));
    for (const t of ['aws_db_instance', 'aws_db_subnet_group', 'aws_db_parameter_group', 'aws_security_group', 'aws_kms_key', 'aws_iam_role', 'aws_iam_role_policy']) expect(types).toContain(t);
    expect(result.replan.hasChanges).toBe(false);
    expect(result.remainingAfterDestroy).toEqual([]);
    // the only emulator-specific change to the database: moto reads parameters back without their source
    expect(result.overrides.filter((o) => o.address.startsWith('aws_db')).map((o) => `${o.address.split('.')[0]}: ${o.change}`)).toEqual(['aws_db_parameter_group: lifecycle.ignore_changes += parameter']);
    process.stdout.write(`database lifecycle timings (s): ${JSON.stringify(result.timings)}\n`);
  } finally {
    await moto.stop();
  }
}, 480_000);
