import * as fs from 'node:fs';
import * as path from 'node:path';
import { synthInvalidEnumStack, synthSmallStack, tempOutdir } from './fixtures/small-stacks';
import { planOffline, STACK_FILE, TerraformWorkspace } from './terraform-runner';
import { applyOfflineOverrides } from './offline-overrides';
import { TerraformJson } from './stack-json';

describe('offline terraform: validate and plan against the provider mirror', () => {
  test('a small stack (KMS, S3 with SSE-KMS, IAM role and policy) validates and plans five creates', async () => {
    // GIVEN
    const stackDir = synthSmallStack(tempOutdir('offline'));
    // WHEN
    const result = await planOffline(stackDir);
    // THEN
    expect(result.validate.valid).toBe(true);
    expect(result.validate.errorCount).toBe(0);
    expect(result.plan?.hasChanges).toBe(true);
    expect(result.plan?.changes.map((c) => `${c.address} ${c.actions.join('+')}`)).toEqual([
      'aws_iam_role.role create',
      'aws_iam_role_policy.role-read create',
      'aws_kms_key.key create',
      'aws_s3_bucket.bucket create',
      'aws_s3_bucket_server_side_encryption_configuration.bucket-sse create',
    ]);
    expect(result.plan?.outputChanges).toEqual(['bucket_name', 'role_arn']);
    expect(result.overrides).toContainEqual({ address: 'terraform.backend', change: 'local -> local (path = terraform.tfstate)' });
    process.stdout.write(`offline timings (s): ${JSON.stringify(result.timings)}\n`);
  }, 180_000);

  test('a value outside the provider enum fails validate with the provider message and address', async () => {
    // GIVEN a stack tsc accepts (keyUsage is a string) but terraform does not
    const stackDir = synthInvalidEnumStack(tempOutdir('invalid'));
    // WHEN
    const result = await planOffline(stackDir);
    // THEN
    expect(result.validate.valid).toBe(false);
    expect(result.plan).toBeUndefined();
    expect(result.validate.errorCount).toBe(1);
    const [diag] = result.validate.diagnostics;
    expect(diag?.severity).toBe('error');
    expect(diag?.address).toBe('aws_kms_key.key');
    expect(diag?.summary).toMatch(/^expected key_usage to be one of \[.*"ENCRYPT_DECRYPT".*\], got ENCRYPT_ONLY$/);
  }, 180_000);

  test('the workspace is a copy: the synthesized stack and its cdktf backend path are untouched', () => {
    // GIVEN
    const stackDir = synthSmallStack(tempOutdir('copy'));
    const original = fs.readFileSync(path.join(stackDir, STACK_FILE), 'utf8');
    // WHEN
    const ws = TerraformWorkspace.create(stackDir, { transform: applyOfflineOverrides });
    try {
      // THEN the original still names cdktf's absolute local state path; the copy uses the working directory
      const originalJson = JSON.parse(original) as TerraformJson;
      expect(path.isAbsolute(String((originalJson.terraform?.backend?.['local'] as { path: string }).path))).toBe(true);
      expect(ws.json.terraform?.backend).toEqual({ local: { path: 'terraform.tfstate' } });
      expect(JSON.parse(fs.readFileSync(path.join(ws.dir, STACK_FILE), 'utf8'))).toEqual(ws.json);
      expect(fs.readFileSync(path.join(stackDir, STACK_FILE), 'utf8')).toBe(original);
    } finally {
      ws.dispose();
    }
    expect(fs.existsSync(ws.dir)).toBe(false);
  });
});
