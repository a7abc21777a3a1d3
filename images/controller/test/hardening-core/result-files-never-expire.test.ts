/**
 * What a user can download (uploaded files, a job's result files, the fine-tuned model's weights) never falls under a
 * prefix the bucket lifecycle expires, on every cloud's synthesized stack; checkpoints and job staging may expire.
 * The keys are the ones a real job run registers (fake trainer, local storage: the same key builders as the clouds).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { toFile } from 'openai';
import { buildApp } from '../../../../stacks/build-app';
import { startTestPlatform, waitFor } from '../helpers/test-platform';
import { sftJsonl } from '../helpers/training-data';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');
const EXAMPLES = ['stacks/examples/aws-small.json', 'stacks/examples/gcp-a100.yaml', 'stacks/examples/azure-a100.yaml'];

type Json = Record<string, any>;

function synth(config: string): Json {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-lifecycle-'));
  try {
    const app = buildApp([path.join(REPO, config)], out, { today: '2026-11-22' });
    app.synth();
    const stack = app.node.children[0]?.node.id as string;
    return JSON.parse(fs.readFileSync(path.join(out, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as Json;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

const GCS_NONCURRENT_ONLY = ['days_since_noncurrent_time', 'num_newer_versions', 'noncurrent_time_before'];

/** Prefixes under which some lifecycle rule deletes live (current) objects; '' means every object. */
function expiringPrefixes(stack: Json): string[] {
  const r = stack['resource'] ?? {};
  const out: string[] = [];
  for (const lc of Object.values<Json>(r['aws_s3_bucket_lifecycle_configuration'] ?? {})) {
    for (const rule of lc['rule'] as Json[]) {
      if (rule['status'] !== 'Enabled' || rule['expiration'] === undefined) continue;
      const f = (rule['filter'] as Json[] | undefined)?.[0] ?? {};
      out.push(f['prefix'] ?? f['and']?.[0]?.['prefix'] ?? '');
    }
  }
  for (const bucket of Object.values<Json>(r['google_storage_bucket'] ?? {})) {
    for (const rule of (bucket['lifecycle_rule'] ?? []) as Json[]) {
      const cond = rule['condition'] as Json;
      const noncurrentOnly = GCS_NONCURRENT_ONLY.some((k) => cond[k] !== undefined) || cond['with_state'] === 'ARCHIVED';
      if (rule['action']['type'] !== 'Delete' || noncurrentOnly) continue;
      out.push(...((cond['matches_prefix'] as string[] | undefined) ?? ['']));
    }
  }
  for (const policy of Object.values<Json>(r['azurerm_storage_management_policy'] ?? {})) {
    for (const rule of policy['rule'] as Json[]) {
      const base = rule['actions']?.['base_blob'] as Json | undefined;
      if (rule['enabled'] === false || base === undefined || !Object.keys(base).some((k) => k.startsWith('delete'))) continue;
      // prefix_match is `<container>/<prefix>`; keys are relative to the one container
      out.push(...((rule['filters']?.['prefix_match'] as string[] | undefined) ?? ['']).map((p) => p.slice(p.indexOf('/') + 1)));
    }
  }
  return out;
}

let downloadable: string[] = [];
let checkpoints: string[] = [];

beforeAll(async () => {
  // A real job run through the API: every key a user can download afterwards, and the checkpoint keys.
  const tp = await startTestPlatform();
  try {
    const c = tp.client(tp.keyA);
    const file = await c.files.create({ file: await toFile(Buffer.from(sftJsonl(12)), 'train.jsonl'), purpose: 'fine-tune' });
    const job = await c.fineTuning.jobs.create({ model: 'vpctune/tiny-chat', training_file: file.id });
    const done = await waitFor('the job to succeed', async () => {
      const j = await c.fineTuning.jobs.retrieve(job.id);
      return j.status === 'succeeded' ? j : undefined;
    });
    const store = tp.platform.store;
    const files = await Promise.all([file.id, ...done.result_files].map(async (id) => (await store.getFile('alpha', id))?.storageKey ?? `missing ${id}`));
    const model = await store.getModel('alpha', done.fine_tuned_model as string);
    downloadable = [...files, model?.storagePrefix ?? 'missing model'];
    checkpoints = (await store.listCheckpoints(job.id, { limit: 100 })).data.map((k) => k.storageKey);
  } finally {
    await tp.close();
  }
}, 120_000);

test('a job run registers result files and checkpoints to check', () => {
  expect(downloadable).toHaveLength(4);
  expect(checkpoints.length).toBeGreaterThan(0);
});

test.each(EXAMPLES)('GIVEN the synthesized stack of %s WHEN its lifecycle rules are read THEN no downloadable key expires, checkpoints do', (example) => {
  // GIVEN the stack's lifecycle rules
  const expiring = expiringPrefixes(synth(example));
  expect(expiring.length).toBeGreaterThan(0);
  // WHEN each key a user can download is matched against them
  const expires = (key: string) => expiring.some((p) => key.startsWith(p));
  // THEN none of them falls under an expiring prefix, while every checkpoint does
  expect(downloadable.filter(expires)).toEqual([]);
  expect(checkpoints.filter((k) => !expires(k))).toEqual([]);
}, 60_000);
