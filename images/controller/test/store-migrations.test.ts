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

test('Given a database with only the first schema and a job in it, when the store opens, then migrations 2 to 4 apply once and the job is intact with no run-time estimate and no placement', async () => {
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

  // THEN every version is recorded once, and the job reads back as it was, with estimatedRunSeconds, placement and pausedAt null
  expect(await driver.query('SELECT version FROM schema_migrations ORDER BY version')).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }]);
  expect(MIGRATIONS).toHaveLength(5);
  expect(await store.getJobById('ftjob-old')).toMatchObject({
    id: 'ftjob-old', projectId: 'p1', status: 'running', suffix: 'v1', seed: 7, metadata: { team: 'ml' }, estimatedFinish: 1795000000,
    runRef: 'pid:42', attempt: 1, eventsCursor: 3, startedAt: 1795000000, estimatedRunSeconds: null, placement: null, pausedAt: null,
  });
  await driver.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('Given a database at schema version 2 with a queued job, when the store opens, then migration 3 adds the placement column, the row is intact, and a new job keeps its placement', async () => {
  // GIVEN a database the previous release wrote: versions 1 and 2 and one queued job with a run-time estimate
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-migrate-'));
  const file = path.join(dir, 'controller.db');
  const old = new SqliteDriver(file);
  await old.run('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
  for (const [i, statements] of MIGRATIONS.slice(0, 2).entries()) {
    for (const statement of statements) await old.run(statement);
    await old.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)', [i + 1]);
  }
  await old.run(
    `INSERT INTO jobs (id, project_id, created_ms, status, model, training_file, seed, method, adapter, result_files, estimated_finish,
       estimated_run_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ['ftjob-v2', 'p1', 2000, 'queued', 'llama-3.1-8b', 'file-b', 3, '{"type":"supervised"}', '{"type":"lora","r":16}', '[]', 1795003600, 3600],
  );
  await old.close();

  // WHEN the current controller opens it and queues a job with a placement
  const driver = new SqliteDriver(file);
  const store = await SqlStore.open(driver);
  const upgraded = await store.getJobById('ftjob-v2');
  const placement = { pool: 'a10g', nodes: 1, gpusPerNode: 1, reason: 'llama-3.1-8b LoRA rank 16 needs 1 A10G GPU: pool a10g (the smallest pool that holds it), 1 GPU on one node.' };
  await store.insertJob({ ...(upgraded as NonNullable<typeof upgraded>), id: 'ftjob-v3', createdMs: 3000, placement }, []);

  // THEN version 3 (and the later ones) are recorded, the old row is intact with no placement, and the new job reads its placement back
  expect(await driver.query('SELECT version FROM schema_migrations ORDER BY version')).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }]);
  expect(upgraded).toMatchObject({ id: 'ftjob-v2', status: 'queued', model: 'llama-3.1-8b', seed: 3, estimatedFinish: 1795003600, estimatedRunSeconds: 3600, placement: null });
  expect((await store.getJobById('ftjob-v3'))?.placement).toEqual(placement);
  await driver.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
