/** Rows other than jobs: files, events, checkpoints, models, API keys, audit entries. */

export const FILE_PURPOSES = ['fine-tune', 'fine-tune-results'] as const;
export type FilePurpose = (typeof FILE_PURPOSES)[number];

export interface FileRecord {
  readonly id: string;
  readonly projectId: string;
  readonly createdMs: number;
  readonly bytes: number;
  readonly filename: string;
  readonly purpose: FilePurpose;
  /** Key in blob storage (`fileKey(id)`, constructs/platform/bucket-keys.ts). */
  readonly storageKey: string;
}

export type EventLevel = 'info' | 'warn' | 'error';
export type EventType = 'message' | 'metrics';

export interface JobEventRecord {
  readonly id: string;
  readonly jobId: string;
  readonly createdAt: number;
  readonly level: EventLevel;
  readonly type: EventType;
  readonly message: string;
  readonly data: Readonly<Record<string, unknown>> | null;
}

export interface CheckpointRecord {
  readonly id: string;
  readonly jobId: string;
  readonly createdAt: number;
  readonly step: number;
  /** Storage key of the checkpoint directory. */
  readonly storageKey: string;
  readonly metrics: Readonly<Record<string, number | null>>;
}

export type ModelKind = 'base' | 'fine_tuned';

export interface ModelRecord {
  readonly id: string;
  /** null for base models, which every project sees. */
  readonly projectId: string | null;
  readonly createdAt: number;
  readonly kind: ModelKind;
  /** Storage prefix of the weights (`modelPrefix(id)`) or the adapter (`adapterPrefix(id)`). */
  readonly storagePrefix: string;
  readonly jobId: string | null;
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly projectId: string;
  /** sha256 of the key, hex. The key itself is never stored. */
  readonly hash: string;
  /** First and last characters, to name the key in messages. */
  readonly hint: string;
  readonly createdAt: number;
  readonly revokedAt: number | null;
  /**
   * When the key last authenticated a request, seconds; null: never. Recorded at most once a minute per key
   * (api/auth.ts), so it may lag the newest request by up to a minute.
   */
  readonly lastUsedAt: number | null;
}

export interface AuditRecord {
  readonly id: string;
  readonly atMs: number;
  readonly projectId: string | null;
  readonly keyId: string | null;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** The id the call created or changed, when there is one. */
  readonly target: string | null;
}

export interface Page<T> {
  readonly data: readonly T[];
  readonly hasMore: boolean;
}
