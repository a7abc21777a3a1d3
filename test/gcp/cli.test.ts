/**
 * `vpctune validate` and `vpctune synth` on GCP configs, through the CLI's entry point (the source, not dist/):
 * an unsold GPU exits 2 naming what GCP sells, and every GCP example synthesizes with no policy findings.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../stacks/cli/main';
import { REPO } from './helpers';

async function vpctune(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

const EXAMPLES = fs.readdirSync(path.join(REPO, 'stacks', 'examples')).filter((f) => /^gcp-.*\.ya?ml$/.test(f)).sort();
const cwd = process.cwd();
beforeAll(() => process.chdir(REPO));
afterAll(() => process.chdir(cwd));

describe('vpctune on GCP configs', () => {
  test('GIVEN a GCP config asking for A10G and L40S WHEN validated THEN exit 2, each pool named with what GCP sells instead', async () => {
    // GIVEN
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-gcp-cli-'));
    const file = path.join(dir, 'gcp-unsold.yaml');
    fs.writeFileSync(
      file,
      [
        'name: gcp-unsold',
        'cloud: gcp',
        'region: us-central1',
        'gcp: { project: acme-ml-prod }',
        'network: { cidr: 10.60.0.0/16 }',
        'gpuPools:',
        '  - { name: a10g, gpu: A10G, gpusPerNode: 1, maxNodes: 1 }',
        '  - { name: l40s, gpu: L40S, gpusPerNode: 1, maxNodes: 1 }',
        '',
      ].join('\n'),
    );
    // WHEN
    const r = await vpctune('validate', '--config', file, '--today', '2026-11-22');
    // THEN
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `${file}: 2 errors\n` +
        '  gpuPools[0].gpu: gcp does not sell A10G (GCP does not offer the A10G (an AWS-specific part); its 24 GB option is the L4 (G2 machine types)); gcp offers: A100-40GB x1, x2, x4, x8, x16; A100-80GB x1, x2, x4, x8; H100 x1, x2, x4, x8\n' +
        '  gpuPools[1].gpu: gcp does not sell L40S (GCP does not offer the L40S); gcp offers: A100-40GB x1, x2, x4, x8, x16; A100-80GB x1, x2, x4, x8; H100 x1, x2, x4, x8\n',
    );
  });

  test('there are GCP examples to synthesize', () => {
    expect(EXAMPLES).toEqual(['gcp-a100.yaml', 'gcp-all-gpus.yaml']);
  });

  test.each(EXAMPLES)('GIVEN example %s WHEN synthesized by the CLI THEN exit 0, its stack written, and no policy findings', async (example) => {
    // GIVEN
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-gcp-cli-'));
    // WHEN
    const r = await vpctune('synth', '--config', `stacks/examples/${example}`, '--out', out, '--today', '2026-11-22');
    // THEN
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const stackFile = lines[0] as string;
    expect(stackFile).toMatch(new RegExp(`^${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/stacks/vpctune-[a-z0-9-]+/cdk\\.tf\\.json$`));
    expect(fs.existsSync(stackFile)).toBe(true);
    expect(lines).toContainEqual(expect.stringMatching(/^synthesized \d+ stacks? in \d+ ms$/));
    // The platform stack's policy line says no findings, and no stack has any.
    expect(lines).toContain(`${path.basename(path.dirname(stackFile))}: policy: no findings`);
    expect(lines.filter((l) => /: policy: /.test(l) && !/: policy: no findings$/.test(l))).toEqual([]);
  });
});
