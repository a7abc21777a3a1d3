/**
 * `vpctune validate` and `vpctune synth` on Azure configs, through the CLI's entry point (the source, not dist/):
 * a GPU shape Azure does not sell exits 2 naming what Azure sells, and every Azure example synthesizes with no
 * policy findings.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../stacks/cli/main';

const REPO = path.resolve(__dirname, '..', '..');

async function vpctune(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

const EXAMPLES = fs.readdirSync(path.join(REPO, 'stacks', 'examples')).filter((f) => /^azure-.*\.ya?ml$/.test(f)).sort();
const cwd = process.cwd();
beforeAll(() => process.chdir(REPO));
afterAll(() => process.chdir(cwd));

describe('vpctune on Azure configs', () => {
  test('GIVEN an Azure config asking for a single A100 40 GB and a 2-GPU H100 WHEN validated THEN exit 2, each pool named with what Azure sells instead', async () => {
    // GIVEN
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-azure-cli-'));
    const file = path.join(dir, 'azure-unsold.yaml');
    fs.writeFileSync(
      file,
      [
        'name: azure-unsold',
        'cloud: azure',
        'region: eastus',
        'network: { cidr: 10.70.0.0/16 }',
        'gpuPools:',
        '  - { name: a100, gpu: A100-40GB, gpusPerNode: 1, maxNodes: 1 }',
        '  - { name: h100, gpu: H100, gpusPerNode: 2, maxNodes: 1 }',
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
        '  gpuPools[0].gpusPerNode: azure does not sell A100-40GB with 1 GPU per node (Azure sells the A100 40 GB only as the 8-GPU Standard_ND96asr_v4); azure offers: A100-40GB x8; A100-80GB x1, x2, x4, x8; H100 x8\n' +
        '  gpuPools[1].gpusPerNode: azure does not sell H100 with 2 GPUs per node (Azure NC H100 v5 sizes (1 or 2 GPUs) carry the 94 GB H100 NVL, not the 80 GB H100; the H100 is sold as the 8-GPU Standard_ND96isr_H100_v5); azure offers: A100-40GB x8; A100-80GB x1, x2, x4, x8; H100 x8\n',
    );
  });

  test('there are Azure examples to synthesize', () => {
    expect(EXAMPLES).toEqual(['azure-a100.yaml', 'azure-all-gpus.yaml']);
  });

  test.each(EXAMPLES)('GIVEN example %s WHEN synthesized by the CLI THEN exit 0, its stack written, and no policy findings', async (example) => {
    // GIVEN
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-azure-cli-'));
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
