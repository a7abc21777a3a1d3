import type { JobPatch, JobRecord, JobStatus } from '../domain/job';
import type { ApiKeyRecord, AuditRecord, CheckpointRecord, FilePurpose, FileRecord, JobEventRecord, ModelKind, ModelRecord } from '../domain/records';
import type { SqlRow, SqlValue } from './sql-driver';

const str = (v: SqlValue | undefined): string => String(v);
const num = (v: SqlValue | undefined): number => Number(v);
const optStr = (v: SqlValue | undefined): string | null => (v === null || v === undefined ? null : String(v));
const optNum = (v: SqlValue | undefined): number | null => (v === null || v === undefined ? null : Number(v));
const json = <T>(v: SqlValue | undefined): T => JSON.parse(String(v)) as T;
const optJson = <T>(v: SqlValue | undefined): T | null => (v === null || v === undefined ? null : (JSON.parse(String(v)) as T));

export function toJob(r: SqlRow): JobRecord {
  return {
    id: str(r['id']),
    projectId: str(r['project_id']),
    createdMs: num(r['created_ms']),
    status: str(r['status']) as JobStatus,
    model: str(r['model']),
    trainingFile: str(r['training_file']),
    validationFile: optStr(r['validation_file']),
    suffix: optStr(r['suffix']),
    seed: num(r['seed']),
    metadata: optJson(r['metadata']),
    method: json(r['method']),
    adapter: json(r['adapter']),
    fineTunedModel: optStr(r['fine_tuned_model']),
    finishedAt: optNum(r['finished_at']),
    trainedTokens: optNum(r['trained_tokens']),
    error: optJson(r['error']),
    resultFiles: json(r['result_files']),
    estimatedFinish: optNum(r['estimated_finish']),
    estimatedRunSeconds: optNum(r['estimated_run_seconds']),
    placement: optJson(r['placement']),
    resolvedHyperparameters: optJson(r['resolved_hyperparameters']),
    runRef: optStr(r['run_ref']),
    attempt: num(r['attempt']),
    eventsCursor: num(r['events_cursor']),
    startedAt: optNum(r['started_at']),
    pausedAt: optNum(r['paused_at']),
  };
}

export const JOB_COLUMNS = [
  'id', 'project_id', 'created_ms', 'status', 'model', 'training_file', 'validation_file', 'suffix', 'seed', 'metadata', 'method',
  'adapter', 'fine_tuned_model', 'finished_at', 'trained_tokens', 'error', 'result_files', 'estimated_finish',
  'resolved_hyperparameters', 'run_ref', 'attempt', 'events_cursor', 'started_at', 'estimated_run_seconds',
  'placement', 'paused_at',
] as const;

export function jobValues(j: JobRecord): SqlValue[] {
  return [
    j.id, j.projectId, j.createdMs, j.status, j.model, j.trainingFile, j.validationFile, j.suffix, j.seed,
    j.metadata === null ? null : JSON.stringify(j.metadata), JSON.stringify(j.method), JSON.stringify(j.adapter), j.fineTunedModel,
    j.finishedAt, j.trainedTokens, j.error === null ? null : JSON.stringify(j.error), JSON.stringify(j.resultFiles), j.estimatedFinish,
    j.resolvedHyperparameters === null ? null : JSON.stringify(j.resolvedHyperparameters), j.runRef, j.attempt, j.eventsCursor, j.startedAt,
    j.estimatedRunSeconds, j.placement === null ? null : JSON.stringify(j.placement), j.pausedAt,
  ];
}

const PATCH_COLUMNS: Readonly<Record<keyof JobPatch, [string, (v: never) => SqlValue]>> = {
  status: ['status', (v: string) => v],
  fineTunedModel: ['fine_tuned_model', (v: string | null) => v],
  finishedAt: ['finished_at', (v: number | null) => v],
  trainedTokens: ['trained_tokens', (v: number | null) => v],
  error: ['error', (v: object | null) => (v === null ? null : JSON.stringify(v))],
  resultFiles: ['result_files', (v: readonly string[]) => JSON.stringify(v)],
  estimatedFinish: ['estimated_finish', (v: number | null) => v],
  estimatedRunSeconds: ['estimated_run_seconds', (v: number | null) => v],
  resolvedHyperparameters: ['resolved_hyperparameters', (v: object | null) => (v === null ? null : JSON.stringify(v))],
  runRef: ['run_ref', (v: string | null) => v],
  attempt: ['attempt', (v: number) => v],
  eventsCursor: ['events_cursor', (v: number) => v],
  startedAt: ['started_at', (v: number | null) => v],
  pausedAt: ['paused_at', (v: number | null) => v],
};

/** `SET a = ?, b = ?` and its values for the fields present in the patch. */
export function patchSql(patch: JobPatch): { readonly set: string; readonly values: SqlValue[] } {
  const parts: string[] = [];
  const values: SqlValue[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const column = PATCH_COLUMNS[field as keyof JobPatch];
    if (column === undefined) throw new Error(`job field ${field} cannot be patched`);
    parts.push(`${column[0]} = ?`);
    values.push(column[1](value as never));
  }
  return { set: parts.join(', '), values };
}

export function toFile(r: SqlRow): FileRecord {
  return {
    id: str(r['id']), projectId: str(r['project_id']), createdMs: num(r['created_ms']), bytes: num(r['bytes']),
    filename: str(r['filename']), purpose: str(r['purpose']) as FilePurpose, storageKey: str(r['storage_key']),
  };
}

export function toEvent(r: SqlRow): JobEventRecord {
  return {
    id: str(r['id']), jobId: str(r['job_id']), createdAt: num(r['created_at']), level: str(r['level']) as JobEventRecord['level'],
    type: str(r['type']) as JobEventRecord['type'], message: str(r['message']), data: optJson(r['data']),
  };
}

export function toCheckpoint(r: SqlRow): CheckpointRecord {
  return { id: str(r['id']), jobId: str(r['job_id']), createdAt: num(r['created_at']), step: num(r['step']), storageKey: str(r['storage_key']), metrics: json(r['metrics']) };
}

export function toModel(r: SqlRow): ModelRecord {
  return {
    id: str(r['id']), projectId: optStr(r['project_id']), createdAt: num(r['created_at']), kind: str(r['kind']) as ModelKind,
    storagePrefix: str(r['storage_prefix']), jobId: optStr(r['job_id']),
  };
}

export function toApiKey(r: SqlRow): ApiKeyRecord {
  return { id: str(r['id']), projectId: str(r['project_id']), hash: str(r['hash']), hint: str(r['hint']), createdAt: num(r['created_at']), revokedAt: optNum(r['revoked_at']), lastUsedAt: optNum(r['last_used_at']) };
}

export function toAudit(r: SqlRow): AuditRecord {
  return {
    id: str(r['id']), atMs: num(r['at_ms']), projectId: optStr(r['project_id']), keyId: optStr(r['key_id']), method: str(r['method']),
    path: str(r['path']), status: num(r['status']), target: optStr(r['target']),
  };
}
