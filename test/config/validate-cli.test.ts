import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');
const BROKEN = path.join(REPO, 'test', 'fixtures', 'configs', 'broken');
const expected = JSON.parse(fs.readFileSync(path.join(BROKEN, 'expected.json'), 'utf8')) as Record<string, { exitCode: number; errors: string[] }>;

function vpctune(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO, 'bin', 'vpctune.cjs'), ...args], { cwd: REPO, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('vpctune validate', () => {
  test('the fixture set has at least 12 broken configs, each with its expected errors', () => {
    const files = fs.readdirSync(BROKEN).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(12);
    expect(Object.keys(expected).sort()).toEqual(files.sort());
  });

  test.each(Object.keys(expected))('GIVEN broken config %s WHEN validated THEN exit 2 listing every error with its field path', (file) => {
    const r = vpctune('validate', '--config', path.join('test', 'fixtures', 'configs', 'broken', file), '--today', '2026-11-22');
    const want = expected[file] as { exitCode: number; errors: string[] };
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe(`test/fixtures/configs/broken/${file}: ${want.errors.length} error${want.errors.length === 1 ? '' : 's'}`);
    expect(lines.slice(1).map((l) => l.trim())).toEqual(want.errors);
    for (const e of want.errors) expect(e).toMatch(/^(\(file\)|[a-zA-Z]+(\[\d+\])?(\.[a-zA-Z]+(\[\d+\])?)*): /);
  });

  test('GIVEN the bundled examples WHEN validated THEN exit 0 naming the resolved instance types', () => {
    const r = vpctune('validate', '--config', 'stacks/examples/aws-all-gpus.yaml', '--today', '2026-11-22');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'stacks/examples/aws-all-gpus.yaml: valid (aws us-east-1, Kubernetes 1.34, pools: a10g=g5.2xlarge, l40s=g6e.12xlarge, a100-40=p4d.24xlarge, a100-80=p4de.24xlarge, h100=p5.48xlarge)\n',
    );
  });

  test('GIVEN no --config WHEN validate runs THEN exit 2 with usage', () => {
    const r = vpctune('validate');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('vpctune validate: --config FILE is required\n');
  });

  test('GIVEN an unknown option WHEN validate runs THEN exit 2 naming the allowed options', () => {
    const r = vpctune('validate', '--conf', 'x.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('vpctune validate: unknown option --conf; allowed: --config, --today, --policy\n');
  });

  test('GIVEN a missing file WHEN validated THEN exit 2 naming the file', () => {
    const r = vpctune('validate', '--config', 'nope.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('nope.yaml: 1 error\n  (file): cannot be read: ENOENT\n');
  });

  test('the CLI itself lists its commands', () => {
    const out = execFileSync(process.execPath, [path.join(REPO, 'bin', 'vpctune.cjs'), '--help'], { encoding: 'utf8' });
    expect(out).toMatch(/^ {2}validate +check a platform config; exit 2 listing every error/m);
  });
});
