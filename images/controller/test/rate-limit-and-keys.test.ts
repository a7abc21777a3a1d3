/** Per-key rate limit (429 with Retry-After) and `vpctune keys create/revoke` against a running platform. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as path from 'node:path';
import { hashApiKey } from '../src/domain/ids';
import { errorOf } from './helpers/api-error-assert';
import { REPO } from './helpers/cli-process';
import { startTestPlatform, type TestPlatform } from './helpers/test-platform';

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
