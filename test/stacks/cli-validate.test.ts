/**
 * `vpctune validate`: loads only the config schema (no controller, no cdktf, no provider bindings) unless --policy;
 * with --policy it synthesizes the stack and exits 3 when a policy rule fires, 0 when none does.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TerraformResource, type App } from 'cdktf';
import * as buildApp from '../../stacks/build-app';
import { main } from '../../stacks/cli/main';

const REPO = path.resolve(__dirname, '..', '..');
const CONFIG = 'stacks/examples/aws-all-gpus.yaml';

async function vpctune(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

const cwd = process.cwd();
beforeAll(() => process.chdir(REPO));
afterAll(() => process.chdir(cwd));
afterEach(() => jest.restoreAllMocks());

test('GIVEN the compiled CLI WHEN vpctune validate runs THEN it loads no controller module, no cdktf and no provider binding', () => {
  // GIVEN a preload that writes every module the process loaded when it exits (dist/ is built by `npm run build`)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-loaded-'));
  const hook = path.join(dir, 'record-loaded.cjs');
  const out = path.join(dir, 'loaded.txt');
  fs.writeFileSync(hook, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, Object.keys(require.cache).join('\\n')));\n`);
  // WHEN
  const r = spawnSync(process.execPath, ['--require', hook, path.join(REPO, 'bin', 'vpctune.cjs'), 'validate', '--config', CONFIG], { cwd: REPO, encoding: 'utf8' });
  // THEN it validated, through the compiled validate command and the config schema
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^stacks\/examples\/aws-all-gpus\.yaml: valid \(aws us-east-1, Kubernetes \d+\.\d+, pools: a10g=g5\.2xlarge, /);
  const loaded = fs.readFileSync(out, 'utf8').split('\n').map((f) => path.relative(REPO, f));
  expect(loaded).toEqual(expect.arrayContaining([path.join('dist', 'stacks', 'cli', 'validate-command.js'), path.join('dist', 'constructs', 'config', 'index.js')]));
  // AND nothing of the controller, cdktf or the providers
  expect(loaded.filter((f) => f.includes(`images${path.sep}controller${path.sep}`))).toEqual([]);
  expect(loaded.filter((f) => /node_modules\/(@cdktf\/provider-|cdktf\/)/.test(f))).toEqual([]);
  expect(loaded.filter((f) => /(build-app|platform-stack|policy-pass)\.js$/.test(f))).toEqual([]);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('GIVEN a clean config WHEN validate --policy runs THEN the policy finds nothing, exit 0', async () => {
  // WHEN
  const r = await vpctune('validate', '--config', CONFIG, '--policy', '--today', '2026-12-01');
  // THEN
  expect(r.stderr).toBe('');
  expect(r.stdout.trimEnd().split('\n').slice(1)).toEqual(['vpctune-demo: policy: no findings']);
  expect(r.code).toBe(0);
});

test('GIVEN a config whose stack breaks a policy rule WHEN validate --policy runs THEN each finding is printed, exit 3', async () => {
  // GIVEN the same config, but its stack leaves public ACLs unblocked on the artifacts bucket. (No config the schema
  // accepts makes the constructs break a rule: they are compliant by construction. So the built stack is changed
  // before synthesis, as a construct regression would change it.)
  const realAppFor = buildApp.appFor;
  jest.spyOn(buildApp, 'appFor').mockImplementation((configs, outdir): App => {
    const app = realAppFor(configs, outdir);
    const blocks = app.node.findAll().filter((c): c is TerraformResource => c instanceof TerraformResource && c.terraformResourceType === 'aws_s3_bucket_public_access_block');
    expect(blocks).toHaveLength(1);
    blocks[0]?.addOverride('block_public_acls', false);
    return app;
  });
  // WHEN
  const r = await vpctune('validate', '--config', CONFIG, '--policy', '--today', '2026-12-01');
  // THEN
  expect(r.stderr).toBe('');
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^stacks\/examples\/aws-all-gpus\.yaml: valid /);
  expect(lines.slice(1)).toEqual([
    expect.stringMatching(/^vpctune-demo: VPCT-AWS-008 high aws_s3_bucket_public_access_block\.\S+ \(.+\): public access block does not set block_public_acls to true$/),
    'policy: 1 finding(s): 1 high',
  ]);
  expect(r.code).toBe(3);
});
