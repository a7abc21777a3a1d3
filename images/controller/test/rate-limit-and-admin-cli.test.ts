/** Per-key rate limit (429 with Retry-After); `vpctune keys` and `vpctune models import` against a running platform. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashApiKey } from '../src/domain/ids';
import { createApiKey } from '../src/platform/api-keys';
import { errorOf } from './helpers/api-error-assert';
import { REPO } from './helpers/cli-process';
import { fakeModelDir, startTestPlatform, waitFor, type TestPlatform } from './helpers/test-platform';
import { toFile } from 'openai';
import { sftJsonl } from './helpers/training-data';

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({ api: { rateLimit: { perSecond: 0.5, burst: 3 } } });
});
afterAll(() => t.close());

test('a key over its request rate gets 429 with Retry-After; another key is not affected', async () => {
  // GIVEN a burst of 3 requests and 0.5 requests/s for each key
  const a = t.client(t.keyA);
  for (let i = 0; i < 3; i += 1) await a.models.list();
  // WHEN the same key makes a fourth request at once
  const err = await errorOf(() => a.models.list());
  // THEN it is refused with OpenAI's rate-limit shape and a Retry-After header
  expect(err).toMatchObject({ status: 429, code: 'rate_limit_exceeded', param: null });
  expect(err.message).toMatch(/^Rate limit reached for API key key-\w+: too many requests\. Retry after 2 s\.$/);
  const raw = await fetch(`${t.platform.url}/models`, { headers: { authorization: `Bearer ${t.keyA}` } });
  expect(raw.status).toBe(429);
  expect(raw.headers.get('retry-after')).toBe('2');
  // AND the other project's key still works
  expect((await t.client(t.keyB).models.list()).data.length).toBeGreaterThan(0);
});

const vpctune = async (...args: string[]) => (await promisify(execFile)(process.execPath, [path.join(REPO, 'bin', 'vpctune.cjs'), ...args, '--data-dir', t.dataDir], { encoding: 'utf8' })).stdout;

test('vpctune models import registers base weights that jobs can then fine-tune', async () => {
  // GIVEN a model directory outside the platform
  const dir = fakeModelDir(fs.mkdtempSync(path.join(t.dataDir, 'import-')));
  // WHEN it is imported by the CLI while the controller runs
  expect((await vpctune('models', 'import', '--id', 'acme/base-1b', '--from', dir)).trim()).toBe('registered base model acme/base-1b (through the running controller)');
  // THEN its weights are in storage, every project sees it, and a job can use it
  expect(fs.existsSync(path.join(t.dataDir, 'storage', 'models', 'acme', 'base-1b', 'config.json'))).toBe(true);
  // (a fresh key, and the SDK's own retries honour Retry-After under this platform's tight rate limit)
  const b = t.client((await createApiKey(t.platform.store, 'delta', 0)).key, { maxRetries: 5 });
  expect((await b.models.retrieve('acme/base-1b')).owned_by).toBe('vpctune');
  const file = await b.files.create({ file: await toFile(Buffer.from(sftJsonl(10)), 't.jsonl'), purpose: 'fine-tune' });
  const job = await b.fineTuning.jobs.create({ model: 'acme/base-1b', training_file: file.id });
  const done = await waitFor('job end', async () => {
    const j = await b.fineTuning.jobs.retrieve(job.id);
    return j.status === 'succeeded' || j.status === 'failed' ? j : undefined;
  }, 50_000, 2000);
  expect(done.fine_tuned_model).toMatch(/^acme\/base-1b:ft:[0-9a-f]{8}$/);
}, 60_000);

test('vpctune keys create prints a working key for a project; keys revoke ends it at once', async () => {
  // (asynchronously: the CLI talks to this process's controller through its admin API)
  const cli = async (...args: string[]) => (await promisify(execFile)(process.execPath, [path.join(REPO, 'bin', 'vpctune.cjs'), 'keys', ...args, '--data-dir', t.dataDir], { encoding: 'utf8' })).stdout;
  // GIVEN a key created by the CLI while the controller runs
  const key = (await cli('create', '--project', 'gamma')).trim();
  expect(key).toMatch(/^sk-vpct-[A-Za-z0-9]{40}$/);
  const c = t.client(key);
  expect((await c.fineTuning.jobs.list()).data).toEqual([]);
  // WHEN it is revoked by id
  const record = await t.platform.store.findApiKeyByHash(hashApiKey(key));
  expect(record?.projectId).toBe('gamma');
  expect((await cli('revoke', record?.id ?? '')).trim()).toBe(`revoked ${record?.id}`);
  // THEN the very next request is refused
  expect(await errorOf(() => c.fineTuning.jobs.list())).toMatchObject({ status: 401, code: 'invalid_api_key', message: `API key ${key.slice(0, 12)}…${key.slice(-4)} (${record?.id}) was revoked.` });
}, 60_000);
