/**
 * Upgrading a store written by an earlier controller: pending migrations apply once, and every row already stored
 * reads back unchanged (new columns are null).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MIGRATIONS } from '../src/store/migrations';
import { SqliteDriver } from '../src/store/sqlite-driver';
import { SqlStore } from '../src/store/sql-store';

test('Given a database with only the first schema and a job in it, when the store opens, then migration 2 applies once and the job is intact with no run-time estimate', async () => {
  // GIVEN a database the first release wrote: schema version 1 and one running job
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-migrate-'));
  const file = path.join(dir, 'controller.db');
  const old = new SqliteDriver(file);
  await old.run('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
  for (const statement of MIGRATIONS[0] ?? []) await old.run(statement);
  await old.run('INSERT INTO schema_migrations (version, applied_at) VALUES (1, 0)');
  await old.run(
    `INSERT INTO jobs (id, project_id, created_ms, status, model, training_file, validation_file, suffix, seed, metadata, method, adapter,
       fine_tuned_model, finished_at, trained_tokens, error, result_files, estimated_finish, resolved_hyperparameters, run_ref, attempt,
       events_cursor, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ['ftjob-old', 'p1', 1000, 'running', 'vpctune/tiny-chat', 'file-a', null, 'v1', 7, '{"team":"ml"}', '{"type":"supervised"}',
      '{"type":"lora","r":16}', null, null, null, null, '[]', 1795000000, null, 'pid:42', 1, 3, 1795000000],
  );
  await old.close();

  // WHEN the current controller opens it (twice: a restart must not migrate again)
  const driver = new SqliteDriver(file);
  const store = await SqlStore.open(driver);
  await SqlStore.open(driver);

  // THEN both versions are recorded once, and the job reads back as it was, with estimatedRunSeconds null
  expect(await driver.query('SELECT version FROM schema_migrations ORDER BY version')).toEqual([{ version: 1 }, { version: 2 }]);
  expect(MIGRATIONS).toHaveLength(2);
  expect(await store.getJobById('ftjob-old')).toMatchObject({
    id: 'ftjob-old', projectId: 'p1', status: 'running', suffix: 'v1', seed: 7, metadata: { team: 'ml' }, estimatedFinish: 1795000000,
    runRef: 'pid:42', attempt: 1, eventsCursor: 3, startedAt: 1795000000, estimatedRunSeconds: null,
  });
  await driver.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
