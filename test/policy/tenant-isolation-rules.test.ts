/**
 * VPCT-AWS-025: the trainer's service-account role has no bucket access. Silent on a synthesized AWS platform; fires,
 * with its exact message, on copies given the trainer's old bucket policy, an attached managed policy or an inline
 * policy block.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import { AwsPlatform } from '../../constructs/aws';
import { parseConfig, PlatformConfigInput } from '../../constructs/config';
import { evaluatePolicies, SynthesizedStack, TRAINER_IDENTITY_NO_BUCKET_ACCESS } from '../../constructs/policy';

type Json = SynthesizedStack & { resource: Record<string, Record<string, Record<string, unknown>>> };

function synthPlatform(): Json {
  const config = parseConfig(
    { name: 'acme', cloud: 'aws', region: 'us-east-1', network: { cidr: '10.42.0.0/16' }, kubernetes: { version: '1.34' }, gpuPools: [{ name: 'a10g', gpu: 'A10G', gpusPerNode: 1, maxNodes: 2 }] } as PlatformConfigInput,
    { today: '2026-11-22' },
  );
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  new AwsPlatform(stack, 'platform', { config });
  return JSON.parse(Testing.synth(stack)) as Json;
}

const findings = (s: SynthesizedStack): string[] => evaluatePolicies(s).filter((f) => f.ruleId === TRAINER_IDENTITY_NO_BUCKET_ACCESS.id).map((f) => `${f.address}: ${f.message}`);

/** The Terraform address of the role named `name`. */
function roleAddress(s: Json, name: string): string {
  const hit = Object.entries(s.resource['aws_iam_role'] ?? {}).find(([, r]) => r['name'] === name);
  if (hit === undefined) throw new Error(`no role ${name}`);
  return `aws_iam_role.${hit[0]}`;
}

describe('VPCT-AWS-025 trainer identity without bucket access', () => {
  test('GIVEN the AWS platform as built WHEN evaluated THEN there is no finding (the trainer-job role is not the trainer’s IRSA role)', () => {
    // GIVEN
    const s = synthPlatform();
    // WHEN / THEN
    expect(findings(s)).toEqual([]);
  });

  test('GIVEN the trainer’s IRSA role given an S3 policy WHEN evaluated THEN the policy is reported with its actions', () => {
    // GIVEN: the controller's bucket policy copied onto the trainer's role
    const s = synthPlatform();
    const trainer = roleAddress(s, 'acme-vpctune-trainer');
    const controllerPolicy = Object.values(s.resource['aws_iam_role_policy'] ?? {}).find((p) => String(p['role']).includes('vpctune-controller') && p['name'] === 'bucket-access');
    s.resource['aws_iam_role_policy'] = { ...s.resource['aws_iam_role_policy'], broken: { name: 'bucket-access', role: `\${${trainer}.id}`, policy: controllerPolicy?.['policy'] } };
    // WHEN / THEN
    expect(findings(s)).toEqual([
      `aws_iam_role_policy.broken: gives the trainer's role ${trainer} s3:ListBucket, s3:GetObject, s3:GetObjectVersion, s3:PutObject, s3:DeleteObject, s3:AbortMultipartUpload, s3:ListMultipartUploadParts; the trainer's identity holds no bucket access (per-job credentials from the controller)`,
    ]);
  });

  test('GIVEN a managed policy attached and an inline policy block on the trainer’s role WHEN evaluated THEN both are reported', () => {
    // GIVEN
    const s = synthPlatform();
    const trainer = roleAddress(s, 'acme-vpctune-trainer');
    const [, role] = [trainer, s.resource['aws_iam_role']?.[trainer.split('.')[1] as string] as Record<string, unknown>];
    role['inline_policy'] = [{ name: 'x', policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }) }];
    s.resource['aws_iam_role_policy_attachment'] = { ...s.resource['aws_iam_role_policy_attachment'], s3: { role: `\${${trainer}.name}`, policy_arn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' } };
    // WHEN / THEN
    expect(findings(s)).toEqual([
      `${trainer} inline_policy[0]: gives the trainer's role ${trainer} s3:*; the trainer's identity holds no bucket access (per-job credentials from the controller)`,
      `aws_iam_role_policy_attachment.s3: attaches "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" to the trainer's role ${trainer}; the trainer's identity holds no policy (per-job credentials from the controller)`,
    ]);
  });
});
