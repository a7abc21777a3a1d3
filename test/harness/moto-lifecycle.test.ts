import { synthSmallStack, tempOutdir } from './fixtures/small-stacks';
import { MotoServer, startMotoServer } from './moto-server';
import { runEmulatorLifecycle } from './terraform-runner';

describe('apply, re-plan, destroy against the moto emulator', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMotoServer();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  test('a small stack applies, re-plans with no changes and destroys to an empty state', async () => {
    // GIVEN
    const stackDir = synthSmallStack(tempOutdir('moto'));
    // WHEN
    const result = await runEmulatorLifecycle(stackDir, { endpoint: moto.endpoint });
    // THEN
    expect(result.appliedResources).toEqual([
      'aws_iam_role.role',
      'aws_iam_role_policy.role-read',
      'aws_kms_key.key',
      'aws_s3_bucket.bucket',
      'aws_s3_bucket_server_side_encryption_configuration.bucket-sse',
    ]);
    expect(result.replan.hasChanges).toBe(false);
    expect(result.replan.changes).toEqual([]);
    expect(result.remainingAfterDestroy).toEqual([]);
    expect(result.overrides).toContainEqual({ address: 'provider.aws', change: `endpoints = {iam, kms, s3, sts} -> ${moto.endpoint}` });
    process.stdout.write(`moto lifecycle timings (s): ${JSON.stringify(result.timings)}\n`);
  }, 300_000);
});
