import type { JobPatch, JobRecord, JobStatus } from '../domain/job';
import type { ApiKeyRecord, AuditRecord, CheckpointRecord, FileRecord, FilePurpose, JobEventRecord, ModelRecord, Page } from '../domain/records';

/** Cursor query: the page after the item with id `after` (newest first), at most `limit` items. */
export interface PageQuery {
  readonly after?: string;
  readonly limit: number;
}

export interface JobListQuery extends PageQuery {
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface FileListQuery extends PageQuery {
  readonly purpose?: FilePurpose;
  readonly order: 'asc' | 'desc';
}

/** Event to append; the store gives it its place in the job's sequence. */
export type NewEvent = Omit<JobEventRecord, 'jobId'>;

/** A job state change: applied only if the job is in one of `from` (when given), with its events, in one transaction. */
export interface JobTransition {
  readonly from?: readonly JobStatus[];
  readonly patch: JobPatch;
  readonly events?: readonly NewEvent[];
  readonly checkpoints?: readonly CheckpointRecord[];
}

export interface KeyStore {
  insertApiKey(key: ApiKeyRecord): Promise<void>;
  findApiKeyByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  /** Returns false if no such key (or already revoked). */
  revokeApiKey(id: string, atSeconds: number): Promise<boolean>;
  /** Every key (revoked too), oldest first, of one project or of all. */
  listApiKeys(projectId?: string): Promise<readonly ApiKeyRecord[]>;
  /**
   * Records that the key authenticated at `atSeconds`, unless a use at or after `sinceSeconds` is already recorded (then
   * concurrent requests and several controllers change the row once). Returns whether the row changed.
   */
  recordApiKeyUse(id: string, atSeconds: number, sinceSeconds: number): Promise<boolean>;
}

export interface FileStore {
  insertFile(file: FileRecord): Promise<void>;
  getFile(projectId: string, id: string): Promise<FileRecord | undefined>;
  listFiles(projectId: string, query: FileListQuery): Promise<Page<FileRecord>>;
  deleteFile(projectId: string, id: string): Promise<boolean>;
}

export interface JobStore {
  /** Inserts the job and its first events in one transaction. */
  insertJob(job: JobRecord, events: readonly NewEvent[]): Promise<void>;
  getJob(projectId: string, id: string): Promise<JobRecord | undefined>;
  /** Controller-internal lookup across projects. */
  getJobById(id: string): Promise<JobRecord | undefined>;
  listJobs(projectId: string, query: JobListQuery): Promise<Page<JobRecord>>;
  /** Oldest first; used by the scheduler and on restart. */
  listJobsByStatus(statuses: readonly JobStatus[]): Promise<readonly JobRecord[]>;
  /** Applies the change atomically; returns the updated job, or undefined if it was not in `from`. */
  transitionJob(id: string, change: JobTransition): Promise<JobRecord | undefined>;
  listEvents(jobId: string, query: PageQuery): Promise<Page<JobEventRecord>>;
  listCheckpoints(jobId: string, query: PageQuery): Promise<Page<CheckpointRecord>>;
  countJobsByStatus(): Promise<JobCounts>;
}

export interface ModelStore {
  upsertModel(model: ModelRecord): Promise<void>;
  /** A base model, or a fine-tuned model of this project. */
  getModel(projectId: string | null, id: string): Promise<ModelRecord | undefined>;
  listModels(projectId: string): Promise<readonly ModelRecord[]>;
  /** Removes a fine-tuned model of this project (never a base model); false when there is none. */
  deleteModel(projectId: string, id: string): Promise<boolean>;
}

export interface AuditStore {
  insertAudit(entry: AuditRecord): Promise<void>;
  /** Newest first. */
  listAudit(limit: number): Promise<readonly AuditRecord[]>;
}

/** The controller's durable state. Implementations: SQLite (embedded default) and PostgreSQL, one schema. */
export interface Store extends KeyStore, FileStore, JobStore, ModelStore, AuditStore {
  readonly kind: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

/** Jobs per status, and how many of the queued ones are paused (a paused job keeps status `queued`). */
export interface JobCounts {
  readonly byStatus: Readonly<Partial<Record<JobStatus, number>>>;
  readonly pausedQueued: number;
}
