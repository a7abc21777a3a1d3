import type { SqlDriver } from './sql-driver';

/**
 * One schema for SQLite and PostgreSQL: only types and statements both accept. Append migrations; never edit one
 * that has shipped. List endpoints read through the `*_by_project` indexes with row-value cursors.
 */
export const MIGRATIONS: readonly (readonly string[])[] = [
  [
    `CREATE TABLE api_keys (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, hint TEXT NOT NULL,
       created_at BIGINT NOT NULL, revoked_at BIGINT)`,
    `CREATE TABLE files (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, created_ms BIGINT NOT NULL, bytes BIGINT NOT NULL,
       filename TEXT NOT NULL, purpose TEXT NOT NULL, storage_key TEXT NOT NULL)`,
    'CREATE INDEX files_by_project ON files (project_id, created_ms, id)',
    `CREATE TABLE jobs (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, created_ms BIGINT NOT NULL, status TEXT NOT NULL,
       model TEXT NOT NULL, training_file TEXT NOT NULL, validation_file TEXT, suffix TEXT, seed BIGINT NOT NULL, metadata TEXT,
       method TEXT NOT NULL, adapter TEXT NOT NULL, fine_tuned_model TEXT, finished_at BIGINT, trained_tokens BIGINT, error TEXT,
       result_files TEXT NOT NULL, estimated_finish BIGINT, resolved_hyperparameters TEXT, run_ref TEXT,
       attempt INTEGER NOT NULL DEFAULT 0, events_cursor BIGINT NOT NULL DEFAULT 0, started_at BIGINT,
       event_seq BIGINT NOT NULL DEFAULT 0)`,
    'CREATE INDEX jobs_by_project ON jobs (project_id, created_ms, id)',
    'CREATE INDEX jobs_by_status ON jobs (status, created_ms, id)',
    `CREATE TABLE job_metadata (job_id TEXT NOT NULL, project_id TEXT NOT NULL, meta_key TEXT NOT NULL, meta_value TEXT NOT NULL,
       created_ms BIGINT NOT NULL, PRIMARY KEY (job_id, meta_key))`,
    'CREATE INDEX job_metadata_lookup ON job_metadata (project_id, meta_key, meta_value, created_ms)',
    `CREATE TABLE job_events (id TEXT PRIMARY KEY, job_id TEXT NOT NULL, seq BIGINT NOT NULL, created_at BIGINT NOT NULL,
       level TEXT NOT NULL, type TEXT NOT NULL, message TEXT NOT NULL, data TEXT, UNIQUE (job_id, seq))`,
    `CREATE TABLE job_checkpoints (id TEXT PRIMARY KEY, job_id TEXT NOT NULL, step BIGINT NOT NULL, created_at BIGINT NOT NULL,
       storage_key TEXT NOT NULL, metrics TEXT NOT NULL, UNIQUE (job_id, step))`,
    `CREATE TABLE models (id TEXT PRIMARY KEY, project_id TEXT, created_at BIGINT NOT NULL, kind TEXT NOT NULL,
       storage_prefix TEXT NOT NULL, job_id TEXT)`,
    `CREATE TABLE audit_log (id TEXT PRIMARY KEY, at_ms BIGINT NOT NULL, project_id TEXT, key_id TEXT, method TEXT NOT NULL,
       path TEXT NOT NULL, status INTEGER NOT NULL, target TEXT)`,
    'CREATE INDEX audit_by_time ON audit_log (at_ms, id)',
  ],
  ['ALTER TABLE jobs ADD COLUMN estimated_run_seconds BIGINT'],
  // The executor's placement, chosen once when the job is queued (JSON of RunPlacement; null: none).
  ['ALTER TABLE jobs ADD COLUMN placement TEXT'],
  // When each API key last authenticated, seconds; null: never. Written at most once a minute per key (api/auth.ts).
  // Keys used before this column start from their newest audited call.
  [
    'ALTER TABLE api_keys ADD COLUMN last_used_at BIGINT',
    'UPDATE api_keys SET last_used_at = (SELECT MAX(a.at_ms) FROM audit_log a WHERE a.key_id = api_keys.id) / 1000',
  ],
  // When a job was paused, seconds; null: not paused (jobs/job-pause-service.ts).
  ['ALTER TABLE jobs ADD COLUMN paused_at BIGINT'],
];

/** Applies pending migrations in one transaction each; safe to call from several processes at once on PostgreSQL. */
export async function migrate(driver: SqlDriver): Promise<number> {
  await driver.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
  let applied = 0;
  for (let i = 0; i < MIGRATIONS.length; i += 1) {
    const version = i + 1;
    const done = await driver.transaction(async (tx) => {
      if (driver.dialect === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(7405501)');
      const rows = await tx.query('SELECT version FROM schema_migrations WHERE version = ?', [version]);
      if (rows.length > 0) return false;
      for (const statement of MIGRATIONS[i] ?? []) await tx.run(statement);
      await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [version, Date.now()]);
      return true;
    });
    if (done) applied += 1;
  }
  return applied;
}
