/** The one `vpctune` parser: help, version, flag forms, unknown flags, exit codes; synth's layout. `platform`: cli-platform.test.ts. */
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

const cwd = process.cwd();
beforeAll(() => process.chdir(REPO));
afterAll(() => process.chdir(cwd));

describe('vpctune: one parser for every command', () => {
  test.each([
    ['validate'], ['synth'], ['platform'], ['platform', 'values'], ['platform', 'render'], ['estimate'], ['up'], ['serve'], ['demo'],
    ['keys'], ['keys', 'create'], ['keys', 'list'], ['keys', 'revoke'], ['models'], ['models', 'import'], ['models', 'list'], ['jobs'], ['jobs', 'render'],
  ])('GIVEN %j --help THEN exit 0 with its flags, their defaults and one example', async (...words) => {
    // WHEN
    const r = await vpctune(...words, '--help');
    // THEN
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: vpctune ${words.join(' ')} `));
    expect(r.stdout).toMatch(/\nExample:\n {2}\$ vpctune \S+/);
    expect(r.stderr).toBe('');
  });

  test('GIVEN up --help THEN defaults are shown, the data directory per user and its variable', async () => {
    const r = await vpctune('up', '-h');
    expect(r.stdout).toContain('(default: 8321)');
    expect(r.stdout).toMatch(/env:\s+VPCTUNE_DATA_DIR/);
    expect(r.stdout).toMatch(/default:\s+"\/\S+\/vpctune\/local"/);
  });

  test('GIVEN --version THEN the package version, exit 0', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(await vpctune('--version')).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  test.each([
    [['validate', '--conf', 'x.yaml'], 'vpctune validate: unknown option --conf; allowed: --config, --today, --policy\n'],
    [['keys', 'list', '--projct', 'a'], 'vpctune keys list: unknown option --projct; allowed: --data-dir, --database-url, --project\n'],
    [['estimate', '--frobnicate'], 'vpctune estimate: unknown option --frobnicate; allowed: --model, --model-config, --method, --tokens, --training-file, --epochs, --cloud, --gpu, --context-length, --micro-batch, --lora-rank, --no-gradient-checkpointing, --efficiency, --json\n'],
    [['nope'], "vpctune: unknown command 'nope'; allowed: validate, synth, platform, estimate, up, serve, demo, keys, models, jobs\n"],
    [['keys', 'rotate'], "vpctune keys: unknown subcommand 'rotate'; allowed: create, list, revoke\n"],
    [['up', '--local', '--port', 'x'], 'vpctune up: --port x: expected an integer from 0 to 65535\n'],
    [['validate', '--config'], 'vpctune validate: option --config needs a value\n'],
    [['validate', '--config', 'a.yaml', 'stray'], "vpctune validate: unexpected argument 'stray'\n"],
    [['up'], 'vpctune up: only --local is available here; cloud platforms are deployed with vpctune synth and terraform\n'],
  ])('GIVEN %j THEN exit 2 saying what is allowed', async (args, message) => {
    expect(await vpctune(...args)).toEqual({ code: 2, stdout: '', stderr: message });
  });

  test('GIVEN --flag=value or --flag value THEN the same result', async () => {
    const a = await vpctune('validate', '--config=stacks/examples/aws-all-gpus.yaml', '--today=2026-11-22');
    const b = await vpctune('validate', '--config', 'stacks/examples/aws-all-gpus.yaml', '--today', '2026-11-22');
    expect(a).toEqual(b);
    expect(a.code).toBe(0);
  });
});

describe('vpctune synth: the cdktf layout', () => {
  test('GIVEN a config named vpctune-demo WHEN synthesized THEN its stack is vpctune-demo and every manifest path exists', async () => {
    // GIVEN
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-synth-layout-'));
    // WHEN
    const r = await vpctune('synth', '--config', 'stacks/examples/aws-all-gpus.yaml', '--out', out, '--today', '2026-11-22', '--skip-policy');
    // THEN
    expect(r.code).toBe(0);
    expect(fs.readdirSync(path.join(out, 'stacks'))).toEqual(['vpctune-demo', 'vpctune-demo-in-cluster']);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { stacks: Record<string, { stackMetadataPath: string; synthesizedStackPath: string; dependencies: string[] }> };
    expect(Object.keys(manifest.stacks)).toEqual(['vpctune-demo', 'vpctune-demo-in-cluster']);
    expect(manifest.stacks['vpctune-demo-in-cluster']?.dependencies).toEqual(['vpctune-demo']);
    expect(r.stdout.split('\n')[2]).toBe(`in-cluster stacks (apply after their platform stack): ${path.join(out, 'stacks', 'vpctune-demo-in-cluster', 'cdk.tf.json')}`);
    const stack = manifest.stacks['vpctune-demo'] as { stackMetadataPath: string; synthesizedStackPath: string };
    const metadata = JSON.parse(fs.readFileSync(path.join(out, stack.stackMetadataPath), 'utf8')) as { metadata: { stackName: string } };
    expect(metadata.metadata.stackName).toBe('vpctune-demo');
    expect(fs.existsSync(path.join(out, stack.synthesizedStackPath))).toBe(true);
  });

  test('GIVEN two configs with one name WHEN synthesized THEN exit 2 and nothing is written', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-synth-refused-'));
    const r = await vpctune('synth', '--config', 'stacks/examples/design-sketch.yaml', '--config', 'stacks/examples/design-sketch.yaml', '--out', out, '--today', '2026-11-22');
    expect([r.code, r.stderr]).toEqual([2, 'vpctune synth: two configs are named acme-ft; stack vpctune-acme-ft would be defined twice\n']);
    expect(fs.readdirSync(out)).toEqual([]);
  });
});
