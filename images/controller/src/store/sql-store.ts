import type { JobRecord, JobStatus } from '../domain/job';
import type { ApiKeyRecord, AuditRecord, CheckpointRecord, FileRecord, JobEventRecord, ModelRecord, Page } from '../domain/records';
import { migrate } from './migrations';
import { JOB_COLUMNS, jobValues, patchSql, toApiKey, toAudit, toCheckpoint, toEvent, toFile, toJob, toModel } from './row-mappers';
import type { SqlDriver, SqlExecutor, SqlRow, SqlValue } from './sql-driver';
import type { FileListQuery, JobCounts, JobListQuery, JobTransition, NewEvent, PageQuery, Store } from './store';

function page<T>(rows: readonly SqlRow[], limit: number, map: (r: SqlRow) => T): Page<T> {
  return { data: rows.slice(0, limit).map(map), hasMore: rows.length > limit };
}

/** The one Store implementation over SQLite or PostgreSQL (see SqlDriver). */
export class SqlStore implements Store {
  readonly kind: 'sqlite' | 'postgres';

  private constructor(private readonly db: SqlDriver) {
    this.kind = db.dialect;
  }

  static async open(db: SqlDriver): Promise<SqlStore> {
    await migrate(db);
    return new SqlStore(db);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  // --- keys ---
  async insertApiKey(k: ApiKeyRecord): Promise<void> {
    await this.db.run('INSERT INTO api_keys (id, project_id, hash, hint, created_at, revoked_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      k.id, k.projectId, k.hash, k.hint, k.createdAt, k.revokedAt, k.lastUsedAt,
    ]);
  }

  async findApiKeyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const rows = await this.db.query('SELECT * FROM api_keys WHERE hash = ?', [hash]);
    return rows[0] === undefined ? undefined : toApiKey(rows[0]);
  }

  async revokeApiKey(id: string, atSeconds: number): Promise<boolean> {
    return (await this.db.run('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [atSeconds, id])) > 0;
  }

  async listApiKeys(projectId?: string): Promise<readonly ApiKeyRecord[]> {
    const rows = await this.db.query(`SELECT * FROM api_keys${projectId === undefined ? '' : ' WHERE project_id = ?'} ORDER BY created_at, id`, projectId === undefined ? [] : [projectId]);
    return rows.map(toApiKey);
  }

  async recordApiKeyUse(id: string, atSeconds: number, sinceSeconds: number): Promise<boolean> {
    return (await this.db.run('UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)', [atSeconds, id, sinceSeconds])) > 0;
  }

  // --- files ---
  async insertFile(f: FileRecord): Promise<void> {
    await this.db.run('INSERT INTO files (id, project_id, created_ms, bytes, filename, purpose, storage_key) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      f.id, f.projectId, f.createdMs, f.bytes, f.filename, f.purpose, f.storageKey,
    ]);
  }

  async getFile(projectId: string, id: string): Promise<FileRecord | undefined> {
    const rows = await this.db.query('SELECT * FROM files WHERE id = ? AND project_id = ?', [id, projectId]);
    return rows[0] === undefined ? undefined : toFile(rows[0]);
  }

  async listFiles(projectId: string, q: FileListQuery): Promise<Page<FileRecord>> {
    const where = ['project_id = ?'];
    const params: SqlValue[] = [projectId];
    if (q.purpose !== undefined) {
      where.push('purpose = ?');
      params.push(q.purpose);
    }
    if (q.after !== undefined) {
      const anchor = await this.getFile(projectId, q.after);
      if (anchor === undefined) return { data: [], hasMore: false };
      where.push(q.order === 'desc' ? '(created_ms, id) < (?, ?)' : '(created_ms, id) > (?, ?)');
      params.push(anchor.createdMs, anchor.id);
    }
    const dir = q.order === 'desc' ? 'DESC' : 'ASC';
    const rows = await this.db.query(`SELECT * FROM files WHERE ${where.join(' AND ')} ORDER BY created_ms ${dir}, id ${dir} LIMIT ?`, [...params, q.limit + 1]);
    return page(rows, q.limit, toFile);
  }

  async deleteFile(projectId: string, id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM files WHERE id = ? AND project_id = ?', [id, projectId])) > 0;
  }

  // --- jobs ---
  async insertJob(job: JobRecord, events: readonly NewEvent[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run(`INSERT INTO jobs (${JOB_COLUMNS.join(', ')}) VALUES (${JOB_COLUMNS.map(() => '?').join(', ')})`, jobValues(job));
      for (const [key, value] of Object.entries(job.metadata ?? {})) {
        await tx.run('INSERT INTO job_metadata (job_id, project_id, meta_key, meta_value, created_ms) VALUES (?, ?, ?, ?, ?)', [job.id, job.projectId, key, value, job.createdMs]);
      }
      await this.appendEvents(tx, job.id, events);
    });
  }

  async getJob(projectId: string, id: string): Promise<JobRecord | undefined> {
    const rows = await this.db.query('SELECT * FROM jobs WHERE id = ? AND project_id = ?', [id, projectId]);
    return rows[0] === undefined ? undefined : toJob(rows[0]);
  }

  async getJobById(id: string): Promise<JobRecord | undefined> {
    const rows = await this.db.query('SELECT * FROM jobs WHERE id = ?', [id]);
    return rows[0] === undefined ? undefined : toJob(rows[0]);
  }

  async listJobs(projectId: string, q: JobListQuery): Promise<Page<JobRecord>> {
    const where = ['j.project_id = ?'];
    const params: SqlValue[] = [projectId];
    if (q.after !== undefined) {
      const anchor = await this.db.query('SELECT created_ms, id FROM jobs WHERE id = ? AND project_id = ?', [q.after, projectId]);
      if (anchor[0] === undefined) return { data: [], hasMore: false };
      where.push('(j.created_ms, j.id) < (?, ?)');
      params.push(anchor[0]['created_ms'] ?? 0, q.after);
    }
    for (const [key, value] of Object.entries(q.metadata ?? {})) {
      where.push('EXISTS (SELECT 1 FROM job_metadata m WHERE m.job_id = j.id AND m.meta_key = ? AND m.meta_value = ?)');
      params.push(key, value);
    }
    const rows = await this.db.query(`SELECT j.* FROM jobs j WHERE ${where.join(' AND ')} ORDER BY j.project_id DESC, j.created_ms DESC, j.id DESC LIMIT ?`, [...params, q.limit + 1]);
    return page(rows, q.limit, toJob);
  }

  async listJobsByStatus(statuses: readonly JobStatus[]): Promise<readonly JobRecord[]> {
    if (statuses.length === 0) return [];
    const rows = await this.db.query(`SELECT * FROM jobs WHERE status IN (${statuses.map(() => '?').join(', ')}) ORDER BY created_ms, id`, [...statuses]);
    return rows.map(toJob);
  }

  async transitionJob(id: string, change: JobTransition): Promise<JobRecord | undefined> {
    return this.db.transaction(async (tx) => {
      const { set, values } = patchSql(change.patch);
      const where = ['id = ?'];
      const params: SqlValue[] = [id];
      if (change.from !== undefined) {
        where.push(`status IN (${change.from.map(() => '?').join(', ')})`);
        params.push(...change.from);
      }
      const changed = await tx.run(`UPDATE jobs SET ${set === '' ? 'id = id' : set} WHERE ${where.join(' AND ')}`, [...values, ...params]);
      if (changed === 0) return undefined;
      await this.appendEvents(tx, id, change.events ?? []);
      for (const c of change.checkpoints ?? []) {
        const exists = await tx.query('SELECT id FROM job_checkpoints WHERE job_id = ? AND step = ?', [c.jobId, c.step]);
        if (exists.length > 0) continue;
        await tx.run('INSERT INTO job_checkpoints (id, job_id, step, created_at, storage_key, metrics) VALUES (?, ?, ?, ?, ?, ?)', [
          c.id, c.jobId, c.step, c.createdAt, c.storageKey, JSON.stringify(c.metrics),
        ]);
      }
      const rows = await tx.query('SELECT * FROM jobs WHERE id = ?', [id]);
      return rows[0] === undefined ? undefined : toJob(rows[0]);
    });
  }

  /** Appends events after the job's last; the counter row lock orders concurrent appends on PostgreSQL. */
  private async appendEvents(tx: SqlExecutor, jobId: string, events: readonly NewEvent[]): Promise<void> {
    if (events.length === 0) return;
    await tx.run('UPDATE jobs SET event_seq = event_seq + ? WHERE id = ?', [events.length, jobId]);
    const rows = await tx.query('SELECT event_seq FROM jobs WHERE id = ?', [jobId]);
    let seq = Number(rows[0]?.['event_seq'] ?? events.length) - events.length;
    for (const e of events) {
      seq += 1;
      await tx.run('INSERT INTO job_events (id, job_id, seq, created_at, level, type, message, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        e.id, jobId, seq, e.createdAt, e.level, e.type, e.message, e.data === null ? null : JSON.stringify(e.data),
      ]);
    }
  }

  async listEvents(jobId: string, q: PageQuery): Promise<Page<JobEventRecord>> {
    const params: SqlValue[] = [jobId];
    let cursor = '';
    if (q.after !== undefined) {
      const anchor = await this.db.query('SELECT seq FROM job_events WHERE id = ? AND job_id = ?', [q.after, jobId]);
      if (anchor[0] === undefined) return { data: [], hasMore: false };
      cursor = ' AND seq < ?';
      params.push(anchor[0]['seq'] ?? 0);
    }
    const rows = await this.db.query(`SELECT * FROM job_events WHERE job_id = ?${cursor} ORDER BY job_id DESC, seq DESC LIMIT ?`, [...params, q.limit + 1]);
    return page(rows, q.limit, toEvent);
  }

  async listCheckpoints(jobId: string, q: PageQuery): Promise<Page<CheckpointRecord>> {
    const params: SqlValue[] = [jobId];
    let cursor = '';
    if (q.after !== undefined) {
      const anchor = await this.db.query('SELECT step FROM job_checkpoints WHERE id = ? AND job_id = ?', [q.after, jobId]);
      if (anchor[0] === undefined) return { data: [], hasMore: false };
      cursor = ' AND step < ?';
      params.push(anchor[0]['step'] ?? 0);
    }
    const rows = await this.db.query(`SELECT * FROM job_checkpoints WHERE job_id = ?${cursor} ORDER BY job_id DESC, step DESC LIMIT ?`, [...params, q.limit + 1]);
    return page(rows, q.limit, toCheckpoint);
  }

  async countJobsByStatus(): Promise<JobCounts> {
    const rows = await this.db.query('SELECT status, paused_at IS NOT NULL AS paused, COUNT(*) AS n FROM jobs GROUP BY status, paused_at IS NOT NULL');
    const byStatus: Partial<Record<JobStatus, number>> = {};
    let pausedQueued = 0;
    for (const r of rows) {
      const status = String(r['status']) as JobStatus;
      byStatus[status] = (byStatus[status] ?? 0) + Number(r['n']);
      if (status === 'queued' && Number(r['paused']) === 1) pausedQueued += Number(r['n']);
    }
    return { byStatus, pausedQueued };
  }

  // --- models ---
  async upsertModel(m: ModelRecord): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM models WHERE id = ?', [m.id]);
      await tx.run('INSERT INTO models (id, project_id, created_at, kind, storage_prefix, job_id) VALUES (?, ?, ?, ?, ?, ?)', [m.id, m.projectId, m.createdAt, m.kind, m.storagePrefix, m.jobId]);
    });
  }

  async getModel(projectId: string | null, id: string): Promise<ModelRecord | undefined> {
    const rows = await this.db.query('SELECT * FROM models WHERE id = ? AND (project_id IS NULL OR project_id = ?)', [id, projectId]);
    return rows[0] === undefined ? undefined : toModel(rows[0]);
  }

  async deleteModel(projectId: string, id: string): Promise<boolean> {
    return (await this.db.run("DELETE FROM models WHERE id = ? AND project_id = ? AND kind = 'fine_tuned'", [id, projectId])) > 0;
  }

  async listModels(projectId: string): Promise<readonly ModelRecord[]> {
    const rows = await this.db.query('SELECT * FROM models WHERE project_id IS NULL OR project_id = ? ORDER BY created_at, id', [projectId]);
    return rows.map(toModel);
  }

  // --- audit ---
  async insertAudit(a: AuditRecord): Promise<void> {
    await this.db.run('INSERT INTO audit_log (id, at_ms, project_id, key_id, method, path, status, target) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
      a.id, a.atMs, a.projectId, a.keyId, a.method, a.path, a.status, a.target,
    ]);
  }

  async listAudit(limit: number): Promise<readonly AuditRecord[]> {
    return (await this.db.query('SELECT * FROM audit_log ORDER BY at_ms DESC, id DESC LIMIT ?', [limit])).map(toAudit);
  }
}
