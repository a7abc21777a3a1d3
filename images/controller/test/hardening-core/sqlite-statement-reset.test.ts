/**
 * A failed SQLite statement does not poison the next use of the same (cached) prepared statement: after a constraint
 * error, the next valid insert of the same shape succeeds, for another tenant too, inside and outside transactions.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FileRecord } from '../../src/domain/records';
import { openStore } from '../../src/store/open-store';
import { SqliteDriver } from '../../src/store/sqlite-driver';
import type { Store } from '../../src/store/store';

const dirs: string[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-sqlite-reset-'));
  dirs.push(d);
  return d;
}

function file(id: string, projectId: string): FileRecord {
  return { id, projectId, createdMs: 1_700_000_000_000, bytes: 10, filename: 'train.jsonl', purpose: 'fine-tune', storageKey: `files/${id}` };
}

test('GIVEN a failed insert WHEN the same statement runs again with valid values THEN it succeeds (driver)', async () => {
  // GIVEN a table with one row and a duplicate insert that fails on the primary key
  const db = new SqliteDriver(path.join(tmp(), 'x.db'));
  closers.push(() => db.close());
  await db.run('CREATE TABLE t (id TEXT PRIMARY KEY, p TEXT NOT NULL)');
  await db.run('INSERT INTO t (id, p) VALUES (?, ?)', ['a', 'x']);
  await expect(db.run('INSERT INTO t (id, p) VALUES (?, ?)', ['a', 'y'])).rejects.toThrow('UNIQUE constraint failed: t.id');
  await expect(db.run('INSERT INTO t (id, p) VALUES (?, ?)', ['c', null])).rejects.toThrow('NOT NULL constraint failed: t.p');
  // WHEN the same statement runs with valid values, directly and in a transaction after a failure inside one
  await db.run('INSERT INTO t (id, p) VALUES (?, ?)', ['b', 'z']);
  await expect(db.transaction((tx) => tx.run('INSERT INTO t (id, p) VALUES (?, ?)', ['b', 'again']))).rejects.toThrow('UNIQUE constraint failed: t.id');
  await db.transaction((tx) => tx.run('INSERT INTO t (id, p) VALUES (?, ?)', ['d', 'w']));
  // THEN every valid row is there and nothing of the failed ones
  expect(await db.query('SELECT id, p FROM t ORDER BY id')).toEqual([{ id: 'a', p: 'x' }, { id: 'b', p: 'z' }, { id: 'd', p: 'w' }]);
});

test('GIVEN tenant alpha hit a constraint error WHEN tenant beta inserts THEN beta succeeds (store)', async () => {
  // GIVEN the embedded store and a failed insert by project alpha (the id is taken)
  const store: Store = await openStore({ dataDir: tmp(), exclusive: true });
  closers.push(() => store.close());
  await store.insertFile(file('file-one', 'alpha'));
  await expect(store.insertFile(file('file-one', 'alpha'))).rejects.toThrow(/UNIQUE constraint failed/);
  // WHEN project beta inserts a valid file right after
  await store.insertFile(file('file-two', 'beta'));
  // THEN it is stored and readable, and alpha's first file is intact
  expect(await store.getFile('beta', 'file-two')).toEqual(file('file-two', 'beta'));
  expect(await store.getFile('alpha', 'file-one')).toEqual(file('file-one', 'alpha'));
});
