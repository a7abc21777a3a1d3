import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');
const vpctune = (...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(REPO, 'bin', 'vpctune.cjs'), ...args], { cwd: REPO, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};

describe('vpctune synth', () => {
  test('GIVEN two AWS configs WHEN synthesized THEN the cdktf layout is written and the policy rules find nothing', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-cli-synth-'));
    const r = vpctune('synth', '--config', 'stacks/examples/aws-all-gpus.yaml', '--config', 'stacks/examples/design-sketch.yaml', '--out', out, '--today', '2026-11-22');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual([path.join(out, 'stacks', 'vpctune-demo', 'cdk.tf.json'), path.join(out, 'stacks', 'vpctune-acme-ft', 'cdk.tf.json')]);
    expect(lines[2]).toMatch(/^synthesized 2 stacks in \d+ ms$/);
    expect(lines[3]).toBe(`in-cluster stacks (apply after their platform stack): ${path.join(out, 'stacks', 'vpctune-demo-in-cluster', 'cdk.tf.json')} ${path.join(out, 'stacks', 'vpctune-acme-ft-in-cluster', 'cdk.tf.json')}`);
    expect(lines.slice(4)).toEqual(['vpctune-demo: policy: no findings', 'vpctune-acme-ft: policy: no findings']);
    const stack = JSON.parse(fs.readFileSync(path.join(out, 'stacks', 'vpctune-acme-ft', 'cdk.tf.json'), 'utf8')) as { terraform: { required_providers: { aws: { version: string } } } };
    expect(stack.terraform.required_providers.aws.version).toBe('5.100.0');
    expect(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')).toContain('vpctune-acme-ft');
  });

  test('GIVEN a broken config WHEN synthesized THEN exit 2 with every error and nothing written', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-cli-synth-'));
    const r = vpctune('synth', '--config', 'test/fixtures/configs/broken/01-pool-min-gt-max.yaml', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("test/fixtures/configs/broken/01-pool-min-gt-max.yaml: 1 error\n  gpuPools[0].minNodes: minNodes 5 can't be greater than maxNodes 2\n");
    expect(fs.readdirSync(out)).toEqual([]);
  });

  test('GIVEN a GCP config WHEN synthesized THEN its stack is written and the policy rules find nothing', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-cli-synth-'));
    const r = vpctune('synth', '--config', 'stacks/examples/gcp-a100.yaml', '--out', out, '--today', '2026-11-22');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').slice(-1)).toEqual(['vpctune-gcp-ft: policy: no findings']);
    const stack = JSON.parse(fs.readFileSync(path.join(out, 'stacks', 'vpctune-gcp-ft', 'cdk.tf.json'), 'utf8')) as { terraform: { required_providers: { google: { version: string } } } };
    expect(stack.terraform.required_providers.google.version).toBe('6.50.0');
  });

  test('GIVEN no --config WHEN synth runs THEN exit 2 with usage', () => {
    const r = vpctune('synth');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('vpctune synth: --config FILE is required (repeat it for several platforms)\n');
  });
});
