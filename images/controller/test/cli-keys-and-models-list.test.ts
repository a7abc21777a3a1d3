/**
 * `vpctune keys list` and `vpctune models list`: on the store directly (no controller owns the data directory) and
 * through a running controller's admin API. Never the key; a key used only for reads shows when it was last used.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { toFile } from 'openai';
import { runKeys } from '../src/cli/keys-command';
import { runModels } from '../src/cli/models-command';
import { createApiKey } from '../src/platform/api-keys';
import { openStore } from '../src/store/open-store';
import { sftJsonl } from './helpers/training-data';
import { BASE_MODEL, startTestPlatform, waitFor, type TestPlatform } from './helpers/test-platform';

const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ';
const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function capture() {
  let stdout = '';
  let stderr = '';
  return { io: { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } }, out: () => stdout, err: () => stderr };
}

/** The table's lines, each cell separated by two or more spaces. */
const cells = (table: string) => table.trimEnd().split('\n').map((l) => l.split(/ {2,}/));

describe('through a running controller (its admin API)', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(() => t.close());

  test('GIVEN a key used only for reads, an unused key and a revoked key WHEN keys list runs THEN id, project, created, last used, revoked; never a key', async () => {
    // GIVEN keyA lists models (a read, never audited), keyB is never used, a third key is revoked
    const before = Math.floor(Date.now() / 1000);
    await t.client(t.keyA).models.list();
    const gone = await createApiKey(t.platform.store, 'gamma', before);
    await t.platform.store.revokeApiKey(gone.id, before);
    const ids = new Map((await t.platform.store.listApiKeys()).map((k) => [k.projectId, k.id]));
    // WHEN
    const c = capture();
    expect(await runKeys({ kind: 'list' }, { dataDir: t.dataDir }, c.io)).toBe(0);
    // THEN one row per key (oldest first; these were made in the same second, so by project here); keyA's last use is now, the others never
    const rows = cells(c.out());
    expect(rows[0]).toEqual(['ID', 'PROJECT', 'CREATED', 'LAST USED', 'REVOKED']);
    const byProject = rows.slice(1).sort((x, y) => (x[1] ?? '').localeCompare(y[1] ?? ''));
    expect(byProject.map((r) => [r[0], r[1], r[3], r[4]])).toEqual([
      [ids.get('alpha'), 'alpha', expect.stringMatching(new RegExp(`^${ISO}$`)), '-'],
      [ids.get('beta'), 'beta', '-', '-'],
      [gone.id, 'gamma', '-', iso(before)],
    ]);
    const lastUsed = Date.parse(byProject[0]?.[3] ?? '') / 1000;
    expect(lastUsed).toBeGreaterThanOrEqual(before);
    expect(lastUsed).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    for (const key of [t.keyA, t.keyB, gone.key]) expect(c.out()).not.toContain(key);
    for (const k of await t.platform.store.listApiKeys()) expect(c.out()).not.toContain(k.hash);
    expect(c.err()).toBe(`3 keys in ${t.dataDir}\n`);
  });

  test('GIVEN --project WHEN keys list runs THEN only that project', async () => {
    const c = capture();
    expect(await runKeys({ kind: 'list', project: 'beta' }, { dataDir: t.dataDir }, c.io)).toBe(0);
    expect(cells(c.out()).map((r) => r[1])).toEqual(['PROJECT', 'beta']);
    expect(c.err()).toBe(`1 key of project beta in ${t.dataDir}\n`);
  });

  test('GIVEN a job of project alpha succeeded WHEN models list runs per project THEN the base model for everyone and alpha\'s fine-tuned model for alpha only', async () => {
    // GIVEN
    const client = t.client(t.keyA);
    const file = await client.files.create({ file: await toFile(Buffer.from(sftJsonl(10)), 't.jsonl'), purpose: 'fine-tune' });
    const job = await client.fineTuning.jobs.create({ model: BASE_MODEL, training_file: file.id });
    const done = await waitFor('job end', async () => {
      const j = await client.fineTuning.jobs.retrieve(job.id);
      return j.status === 'succeeded' || j.status === 'failed' ? j : undefined;
    }, 30_000, 100);
    expect(done.status).toBe('succeeded');
    // WHEN
    const alpha = capture();
    const beta = capture();
    expect(await runModels({ kind: 'list', project: 'alpha' }, { dataDir: t.dataDir }, alpha.io)).toBe(0);
    expect(await runModels({ kind: 'list', project: 'beta' }, { dataDir: t.dataDir }, beta.io)).toBe(0);
    // THEN
    expect(cells(alpha.out()).map((r) => [r[0], r[1], r[2], r[4]])).toEqual([
      ['ID', 'KIND', 'PROJECT', 'JOB'],
      [BASE_MODEL, 'base', '(all)', '-'],
      [done.fine_tuned_model, 'fine_tuned', 'alpha', job.id],
    ]);
    expect(cells(beta.out()).map((r) => [r[0], r[1], r[2], r[4]])).toEqual([
      ['ID', 'KIND', 'PROJECT', 'JOB'],
      [BASE_MODEL, 'base', '(all)', '-'],
    ]);
    expect([alpha.err(), beta.err()]).toEqual([`2 models in ${t.dataDir}\n`, `1 model in ${t.dataDir}\n`]);
  }, 60_000);
});

describe('on the store directly (no controller running)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-list-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  test('GIVEN keys and models in a stopped platform\'s store WHEN keys list and models list run THEN both tables come from the store', async () => {
    // GIVEN a used key, a revoked key and a base model, written while no controller runs
    const store = await openStore({ dataDir });
    const used = await createApiKey(store, 'acme', 1795000000);
    await store.recordApiKeyUse(used.id, 1795000600, 1795000541);
    const gone = await createApiKey(store, 'acme', 1795000100);
    await store.revokeApiKey(gone.id, 1795000700);
    await store.upsertModel({ id: 'acme/base-1b', projectId: null, createdAt: 1795000050, kind: 'base', storagePrefix: 'models/acme/base-1b/', jobId: null });
    await store.close();
    expect(fs.existsSync(path.join(dataDir, 'controller.json'))).toBe(false);
    // WHEN
    const keys = capture();
    const models = capture();
    expect(await runKeys({ kind: 'list' }, { dataDir }, keys.io)).toBe(0);
    expect(await runModels({ kind: 'list', project: 'acme' }, { dataDir }, models.io)).toBe(0);
    // THEN
    expect(cells(keys.out())).toEqual([
      ['ID', 'PROJECT', 'CREATED', 'LAST USED', 'REVOKED'],
      [used.id, 'acme', '2026-11-18T11:06:40Z', '2026-11-18T11:16:40Z', '-'],
      [gone.id, 'acme', '2026-11-18T11:08:20Z', '-', '2026-11-18T11:18:20Z'],
    ]);
    expect(keys.out()).not.toContain(used.key);
    expect(keys.out()).not.toContain(gone.key);
    expect(cells(models.out())).toEqual([
      ['ID', 'KIND', 'PROJECT', 'CREATED', 'JOB'],
      ['acme/base-1b', 'base', '(all)', '2026-11-18T11:07:30Z', '-'],
    ]);
    expect([keys.err(), models.err()]).toEqual([`2 keys in ${dataDir}\n`, `1 model in ${dataDir}\n`]);
  });
});
