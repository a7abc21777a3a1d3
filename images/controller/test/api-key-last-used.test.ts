/**
 * A key's last use: recorded when it authenticates (reads too), at most once a minute per key, kept in
 * `api_keys.last_used_at` (migration 4, which starts existing keys from their newest audited call).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { authenticate, LAST_USED_RESOLUTION_SECONDS } from '../src/api/auth';
import type { Logger } from '../src/ops/logger';
import { silentLogger } from '../src/ops/logger';
import { createApiKey } from '../src/platform/api-keys';
import { MIGRATIONS } from '../src/store/migrations';
import { SqliteDriver } from '../src/store/sqlite-driver';
import { SqlStore } from '../src/store/sql-store';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tempDb(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-last-used-'));
  dirs.push(dir);
  return path.join(dir, 'controller.db');
}

test('Given a store at schema version 3 with keys and audited calls, when it opens, then migration 4 adds last_used_at from the newest audited call and every key row is intact', async () => {
  // GIVEN a database the previous release wrote: versions 1 to 3, a key with two audited calls, a never-used key, a revoked key
  const file = tempDb();
  const old = new SqliteDriver(file);
  await old.run('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
  for (const [i, statements] of MIGRATIONS.slice(0, 3).entries()) {
    for (const statement of statements) await old.run(statement);
    await old.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)', [i + 1]);
  }
  const insertKey = 'INSERT INTO api_keys (id, project_id, hash, hint, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)';
  await old.run(insertKey, ['key-used', 'acme', 'a'.repeat(64), 'sk-vpct-aaaa…aaaa', 1794000000, null]);
  await old.run(insertKey, ['key-idle', 'acme', 'b'.repeat(64), 'sk-vpct-bbbb…bbbb', 1794000100, null]);
  await old.run(insertKey, ['key-gone', 'zeta', 'c'.repeat(64), 'sk-vpct-cccc…cccc', 1794000200, 1794500000]);
  const insertAudit = 'INSERT INTO audit_log (id, at_ms, project_id, key_id, method, path, status, target) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
  await old.run(insertAudit, ['audit-1', 1795000000000, 'acme', 'key-used', 'POST', '/v1/files', 200, 'file-1']);
  await old.run(insertAudit, ['audit-2', 1795000123456, 'acme', 'key-used', 'POST', '/v1/fine_tuning/jobs', 200, 'ftjob-1']);
  await old.run(insertAudit, ['audit-3', 1795000200000, null, null, 'POST', '/admin/keys', 200, null]);
  await old.close();

  // WHEN the current controller opens it
  const driver = new SqliteDriver(file);
  const store = await SqlStore.open(driver);

  // THEN version 4 is recorded once and the keys read back unchanged, with their last use in seconds
  expect(await driver.query('SELECT version FROM schema_migrations ORDER BY version')).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }]);
  expect(await store.listApiKeys()).toEqual([
    { id: 'key-used', projectId: 'acme', hash: 'a'.repeat(64), hint: 'sk-vpct-aaaa…aaaa', createdAt: 1794000000, revokedAt: null, lastUsedAt: 1795000123 },
    { id: 'key-idle', projectId: 'acme', hash: 'b'.repeat(64), hint: 'sk-vpct-bbbb…bbbb', createdAt: 1794000100, revokedAt: null, lastUsedAt: null },
    { id: 'key-gone', projectId: 'zeta', hash: 'c'.repeat(64), hint: 'sk-vpct-cccc…cccc', createdAt: 1794000200, revokedAt: 1794500000, lastUsedAt: null },
  ]);
  expect((await store.findApiKeyByHash('a'.repeat(64)))?.lastUsedAt).toBe(1795000123);
  await driver.close();
});

test('Given a key, when it authenticates several times within a minute, then its last use is written once, and again once a minute has passed', async () => {
  // GIVEN a fresh key (never used) and a count of the store's writes of last use
  const store = await SqlStore.open(new SqliteDriver(tempDb()));
  const { key, id } = await createApiKey(store, 'acme', 1000);
  const writes = jest.spyOn(store, 'recordApiKeyUse');
  const headers = { authorization: `Bearer ${key}` };

  // WHEN it authenticates at t=2000 (first use), t=2059 (59 s later) and t=2060 (a minute after the recorded use)
  const seen: (number | null)[] = [];
  for (const now of [2000, 2030, 2059, 2060, 2061]) {
    await authenticate(headers, store, now, silentLogger);
    seen.push((await store.listApiKeys('acme'))[0]?.lastUsedAt ?? null);
  }

  // THEN two writes, at 2000 and 2060; the reads in between wrote nothing
  expect(LAST_USED_RESOLUTION_SECONDS).toBe(60);
  expect(writes.mock.calls).toEqual([
    [id, 2000, 1941],
    [id, 2060, 2001],
  ]);
  expect(seen).toEqual([2000, 2000, 2000, 2060, 2060]);
  await store.close();
});

test('Given two controllers that read the same stale last use, when both record the use, then the row changes once', async () => {
  // GIVEN a key last used at 2000, as both controllers read it
  const store = await SqlStore.open(new SqliteDriver(tempDb()));
  const { id } = await createApiKey(store, 'acme', 1000);
  expect(await store.recordApiKeyUse(id, 2000, 1942)).toBe(true);
  // WHEN both record a use a minute later, one second apart
  const first = await store.recordApiKeyUse(id, 2060, 2001);
  const second = await store.recordApiKeyUse(id, 2061, 2002);
  // THEN only the first changed the row
  expect([first, second]).toEqual([true, false]);
  expect((await store.listApiKeys())[0]?.lastUsedAt).toBe(2060);
  await store.close();
});

test('Given a store that fails to record the use, when a key authenticates, then the request is authenticated and the failure is logged', async () => {
  // GIVEN
  const store = await SqlStore.open(new SqliteDriver(tempDb()));
  const { key, id } = await createApiKey(store, 'acme', 1000);
  jest.spyOn(store, 'recordApiKeyUse').mockRejectedValue(new Error('SQLITE_BUSY: database is locked'));
  const warnings: unknown[][] = [];
  const log: Logger = { ...silentLogger, warn: (...args: unknown[]) => void warnings.push(args) };
  // WHEN
  const auth = await authenticate({ authorization: `Bearer ${key}` }, store, 2000, log);
  // THEN
  expect(auth.projectId).toBe('acme');
  expect(warnings).toEqual([['recording the API key use failed', { key_id: id, error: 'Error: SQLITE_BUSY: database is locked' }]]);
  await store.close();
});
