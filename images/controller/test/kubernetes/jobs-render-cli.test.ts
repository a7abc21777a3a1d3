/**
 * `vpctune jobs render`: the executor's objects for a create-job request as YAML, schema-checked; bad input exits 2
 * naming the field, the value and what is allowed. Also: the real CLI (tsx, no jest module loader) prints the same, and
 * loads the ESM-only @kubernetes/client-node with a real dynamic import() to talk to the in-process apiserver.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { main } from '../../../../stacks/cli/main';
import { objectNames } from '../../src/executor/kubernetes/names';
import { FakeApiServer } from './fake-apiserver';
import { loadSchemaChecker, type SchemaChecker } from './k8s-schema';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'kubernetes');
const AWS = path.join(FIXTURES, 'platform-aws.yaml');

let schema: SchemaChecker;
let tmp: string;
beforeAll(async () => {
  schema = await loadSchemaChecker();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-render-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function render(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['jobs', ...args], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

function requestFile(name: string, body: unknown): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
  return file;
}

type Doc = { kind: string; metadata: { name: string }; spec?: Record<string, unknown>; data?: Record<string, string> };
function docs(stdout: string): Doc[] {
  return parseAllDocuments(stdout).map((d) => d.toJS() as Doc).filter((d) => d !== null);
}

test('a LoRA request on the AWS platform: a suspended Job on the smallest pool and its spec ConfigMap', async () => {
  // WHEN the request the API would take is rendered
  const r = await render(['render', '--config', AWS, '--request', path.join(FIXTURES, 'lora-8b.json'), '--job-id', 'ftjob-AbC123', '--project', 'team-a', '--bucket', 's3://acme-artifacts-1', '--image', 'registry.example/acme-ft/trainer:0.1.0']);
  // THEN it exits 0 with schema-valid objects: the Job first, then the ConfigMap
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const objects = docs(r.stdout);
  expect(objects.map((d) => d.kind)).toEqual(['Job', 'ConfigMap']);
  for (const o of objects) expect(schema.problems(o)).toEqual([]);
  expect(r.stdout.split('\n').slice(0, 2)).toEqual([
    '# vpctune jobs render: fine-tuning job ftjob-AbC123 (project team-a) on platform acme-ft (aws us-east-1)',
    '# placement: meta-llama/Llama-3.1-8B-Instruct LoRA rank 16 needs 1 A10G GPU: pool a10g (the smallest pool that holds it), 1 GPU on one node.',
  ]);
  expect(objects[0]?.metadata.name).toBe(objectNames('ftjob-AbC123', 1).job);
  // AND the spec is the supervisor's run request with bucket URIs, as the trainer reads it, including where the
  // trainer publishes the servable adapter (adapters/<fine-tuned model>/) and the model names it serves under
  expect(JSON.parse(objects[1]?.data?.['spec.json'] ?? '')).toEqual({
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    fine_tuned_model: 'meta-llama/Llama-3.1-8B-Instruct:support-bot:eaa3a7c1',
    publish_dir: 's3://acme-artifacts-1/adapters/meta-llama/Llama-3.1-8B-Instruct:support-bot:eaa3a7c1/',
    base_model: 's3://acme-artifacts-1/models/meta-llama/Llama-3.1-8B-Instruct/',
    training_file: 's3://acme-artifacts-1/files/file-train123',
    validation_file: 's3://acme-artifacts-1/files/file-valid456',
    method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 3, batch_size: 'auto', learning_rate_multiplier: 'auto' } } },
    adapter: { type: 'lora', r: 16, alpha: 32, dropout: 0.05, target_modules: 'all-linear' },
    seed: 7,
    output_dir: 's3://acme-artifacts-1/jobs/ftjob-AbC123/output/',
    checkpoint_steps: 100,
  });
});

test('a request too big for one node renders an Indexed Job and a headless Service; adapter.pool picks the pool', async () => {
  const big = await render(['render', '--config', AWS, '--request', path.join(FIXTURES, 'full-70b.json'), '--job-id', 'ftjob-Big', '--active-deadline-seconds', '86400']);
  expect(big.code).toBe(0);
  const objects = docs(big.stdout);
  expect(objects.map((d) => d.kind)).toEqual(['Job', 'ConfigMap', 'Service']);
  for (const o of objects) expect(schema.problems(o)).toEqual([]);
  expect(objects[0]?.spec).toMatchObject({ completionMode: 'Indexed', completions: 3, parallelism: 3, activeDeadlineSeconds: 86400 });

  const pinned = await render(['render', '--config', AWS, '--request', path.join(FIXTURES, 'lora-8b-on-h100.json'), '--job-id', 'ftjob-Pin']);
  expect(pinned.code).toBe(0);
  expect(pinned.stdout).toContain('# placement: llama-3.1-8b QLoRA rank 8 needs 1 H100 GPU: pool h100 (named in the request), 1 GPU on one node.');
  const spec = JSON.parse(docs(pinned.stdout)[1]?.data?.['spec.json'] ?? '');
  expect(spec.adapter).toEqual({ type: 'qlora', r: 8, alpha: 16, dropout: 0.05, target_modules: 'all-linear' });
});

test.each([
  ['an unknown pool', { model: 'llama-3.1-8b', training_file: 'file-1', adapter: { pool: 'h200' } }, [], `adapter.pool: Invalid 'adapter.pool': "h200" is not a GPU pool of this platform; allowed: a10g, l40s-x4, h100.`],
  ['a pool that is not a string', { model: 'llama-3.1-8b', training_file: 'file-1', adapter: { pool: 3 } }, [], `adapter.pool: Invalid 'adapter.pool': 3; allowed: the name of one of the platform's GPU pools (lowercase letters, digits and dashes).`],
  ['a bad adapter type (the API\'s own validation)', { model: 'llama-3.1-8b', training_file: 'file-1', adapter: { type: 'lorax' } }, [], `adapter.type: Invalid 'adapter.type': "lorax"; allowed: lora, qlora, full.`],
  ['a missing training file', { model: 'llama-3.1-8b' }, [], "training_file: Missing required parameter: 'training_file'."],
  ['a model no pool holds', { model: 'llama-3.1-70b', training_file: 'file-1', adapter: { type: 'lora' } }, [], "model: Invalid 'model': no GPU pool of this platform can hold llama-3.1-70b LoRA rank 16 (pools: a10g: 1x A10G 24 GiB per node, at most 4 nodes; l40s-x4: 4x L40S 48 GiB per node, at most 2 nodes; h100: 8x H100 80 GiB per node, at most 4 nodes); add a pool with more GPU memory or use qlora."],
])('%s exits 2 naming the field', async (name, body, _extra, message) => {
  const file = requestFile(`${name.replace(/\W+/g, '-')}.json`, body);
  const r = await render(['render', '--config', AWS, '--request', file]);
  expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `vpctune jobs render: --request ${file}: ${message}\n`]);
});

test('bad arguments, config and request files exit 2 with what is allowed', async () => {
  const lora = path.join(FIXTURES, 'lora-8b.json');
  const notJson = requestFile('not-json.json', '{"model": ');
  const broken = path.join(REPO, 'test', 'fixtures', 'configs', 'broken', '01-pool-min-gt-max.yaml');
  const cases: [readonly string[], string][] = [
    [['render', '--request', lora], 'vpctune jobs render: --config is required\n'],
    [['list'], "vpctune jobs: unknown subcommand 'list'; allowed: render\n"],
    [['render', '--config', AWS, '--request', lora, '--pool', 'x'], 'vpctune jobs render: unknown option --pool; allowed: --config, --request, --job-id, --project, --attempt, --bucket, --image, --storage-endpoint, --active-deadline-seconds\n'],
    [['render', '--config', AWS, '--request', lora, '--bucket', 'gs://x'], 'vpctune jobs render: bucket "gs://x" is not a bucket URI for cloud aws; allowed: s3://BUCKET[/PREFIX]\n'],
    [['render', '--config', AWS, '--request', lora, '--project', 'Team A'], `vpctune jobs render: --project "Team A": allowed: 1-63 lowercase letters, digits, '-' or '_', starting with a letter or digit\n`],
    [['render', '--config', AWS, '--request', lora, '--attempt', '0'], 'vpctune jobs render: --attempt 0: expected an integer from 1 to 1000\n'],
    [['render', '--config', AWS, '--request', notJson], `vpctune jobs render: --request ${notJson}: is not valid JSON (Unexpected end of JSON input)\n`],
    [['render', '--config', broken, '--request', lora], `${broken}: 1 error\n  gpuPools[0].minNodes: minNodes 5 can't be greater than maxNodes 2\n`],
  ];
  for (const [args, stderr] of cases) {
    const r = await render(args);
    expect([args, r.code, r.stdout, r.stderr]).toEqual([args, 2, '', stderr]);
  }
});

test('the real CLI prints the same objects, and real Node loads @kubernetes/client-node (ESM) with import()', async () => {
  // GIVEN the in-process rendering of a request
  const args = ['render', '--config', AWS, '--request', path.join(FIXTURES, 'lora-8b.json'), '--job-id', 'ftjob-Cli'];
  const inProcess = await render(args);
  // WHEN the installed command renders it (tsx, Node's own module loader)
  const cli = spawnSync(process.execPath, [path.join(REPO, 'bin', 'vpctune.cjs'), 'jobs', ...args], { cwd: REPO, encoding: 'utf8' });
  // THEN the output is the same
  expect([cli.status, cli.stderr]).toEqual([0, '']);
  expect(cli.stdout).toBe(inProcess.stdout);

  // AND outside jest, KubeApi.connect loads the ES module with a real dynamic import and lists Jobs from the server
  const server = new FakeApiServer();
  await server.start();
  try {
    server.put('jobs', { metadata: { name: 'j1', namespace: 'vpctune', labels: { 'vpctune.dev/job-id': 'ftjob-Cli' } }, spec: { template: { spec: { containers: [] } } } });
    const kubeconfig = path.join(tmp, 'kubeconfig.json');
    fs.writeFileSync(kubeconfig, JSON.stringify(server.kubeconfig('vpctune')));
    const script = `require('tsx/cjs');
const { KubeApi } = require(${JSON.stringify(path.join(REPO, 'images/controller/src/executor/kubernetes/kube-api.ts'))});
KubeApi.connect({ kubeconfigFile: ${JSON.stringify(kubeconfig)} })
  .then((api) => api.listJobs('vpctune', 'vpctune.dev/job-id=ftjob-Cli'))
  .then((jobs) => console.log('jobs:', jobs.map((j) => j.metadata.name).join(',')), (e) => { console.error(String(e)); process.exitCode = 1; });`;
    const child = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const { spawn } = require('node:child_process') as typeof import('node:child_process');
      const p = spawn(process.execPath, ['-e', script], { cwd: REPO });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    expect([child.status, child.stdout, child.stderr]).toEqual([0, 'jobs: j1\n', '']);
  } finally {
    await server.stop();
  }
});
