import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AWS_PROVIDER_ADDRESS, boundAwsProviderVersion, cliConfigText, findProviderMirror, terraformEnv, TerraformSetupError } from './terraform-env';

describe('terraformEnv', () => {
  test('finds terraform and the AWS provider mirror for the version @cdktf/provider-aws binds', () => {
    // WHEN
    const tf = terraformEnv();
    // THEN
    expect(boundAwsProviderVersion()).toBe('5.100.0');
    expect(tf.mirror.version).toBe('5.100.0');
    expect(tf.platform).toMatch(/^[a-z]+_[a-z0-9]+$/);
    expect(tf.mirror.pluginPath).toContain(path.join(tf.mirror.root, AWS_PROVIDER_ADDRESS, '5.100.0', tf.platform, 'terraform-provider-aws_'));
    expect(fs.statSync(tf.mirror.pluginPath).isFile()).toBe(true);
  });

  test('writes a CLI config that installs the AWS provider from the mirror only, and a hermetic environment', () => {
    // WHEN
    const tf = terraformEnv();
    // THEN
    const text = fs.readFileSync(tf.cliConfigFile, 'utf8');
    expect(text).toBe(cliConfigText(tf.mirror.root));
    expect(text).toContain(`path    = ${JSON.stringify(tf.mirror.root)}`);
    expect(text).toContain('include = ["registry.terraform.io/hashicorp/aws"]');
    expect(text).toContain('exclude = ["registry.terraform.io/hashicorp/aws"]');
    expect(text).toContain('disable_checkpoint = true');
    expect(tf.env).toMatchObject({ TF_CLI_CONFIG_FILE: tf.cliConfigFile, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' });
    expect(Object.keys(tf.env).filter((k) => k.startsWith('AWS_') && k !== 'AWS_EC2_METADATA_DISABLED')).toEqual([]);
  });

  test('a machine without the mirror gets an error naming what was looked for and how to point at it', () => {
    // GIVEN roots that hold no provider
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-no-mirror-'));
    // WHEN / THEN
    expect(findProviderMirror('5.100.0', 'linux_amd64', { candidateRoots: [empty], searchRoots: [empty] })).toBeUndefined();
    expect(() => terraformEnv({ providerVersion: '0.0.1', candidateRoots: [empty], searchRoots: [empty] })).toThrow(TerraformSetupError);
    expect(() => terraformEnv({ providerVersion: '0.0.1', candidateRoots: [empty], searchRoots: [empty] })).toThrow(
      /no offline mirror of the AWS provider 0\.0\.1 for [a-z0-9_]+ found: .*set VPCTUNE_TF_MIRROR to the mirror root/,
    );
  });

  test('the disk search finds a mirror below a search root when no candidate root holds it', () => {
    // GIVEN a fake mirror three levels down
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-fake-mirror-'));
    const root = path.join(base, 'a', 'b', 'plugins');
    const dir = path.join(root, AWS_PROVIDER_ADDRESS, '9.9.9', 'linux_amd64');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'terraform-provider-aws_v9.9.9_x5'), '');
    // WHEN
    const found = findProviderMirror('9.9.9', 'linux_amd64', { candidateRoots: [], searchRoots: [base] });
    // THEN
    expect(found).toEqual({ root, version: '9.9.9', platform: 'linux_amd64', pluginPath: path.join(dir, 'terraform-provider-aws_v9.9.9_x5') });
  });

  test('VPCTUNE_TF_MIRROR that holds no provider is refused with the path it expected', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-bad-mirror-'));
    process.env['VPCTUNE_TF_MIRROR'] = empty;
    try {
      expect(() => findProviderMirror('5.100.0', 'linux_amd64')).toThrow(
        `VPCTUNE_TF_MIRROR=${empty} holds no registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/terraform-provider-aws_*`,
      );
    } finally {
      delete process.env['VPCTUNE_TF_MIRROR'];
    }
  });

  test('a missing terraform binary is a TerraformSetupError saying how to fix it', () => {
    process.env['VPCTUNE_TERRAFORM'] = '/nonexistent/terraform';
    try {
      expect(() => terraformEnv()).toThrow(/terraform is not runnable \(\/nonexistent\/terraform: .*\); install Terraform >= 1\.5 on PATH or set VPCTUNE_TERRAFORM/);
    } finally {
      delete process.env['VPCTUNE_TERRAFORM'];
    }
  });
});
