import type { Readable } from 'node:stream';

/**
 * Where files, job outputs and model weights live. Keys follow the bucket layout of ARCHITECTURE.md: `files/<file id>`,
 * `jobs/<job id>/…`, `models/<model id>/…`, `adapters/<fine-tuned model id>/…`. Local directory today; S3, GCS and
 * Azure Blob implement the same contract.
 */
export interface BlobStorage {
  readonly kind: string;
  /** Streams `body` to `key`. Rejects with BlobTooLargeError (and stores nothing) past `maxBytes`. */
  put(key: string, body: Readable, options?: { readonly maxBytes?: number }): Promise<{ readonly bytes: number }>;
  /** Rejects with BlobNotFoundError when absent. */
  get(key: string): Promise<Readable>;
  stat(key: string): Promise<{ readonly bytes: number } | undefined>;
  /** Deletes a key or, when it ends with `/`, everything under that prefix. Absent keys are fine. */
  delete(key: string): Promise<void>;
  /** Copies a local directory under `prefix` (ending with `/`). */
  putDirectory(prefix: string, localDir: string): Promise<void>;
  /** Copies every object under `fromPrefix` to `toPrefix`. */
  copyPrefix(fromPrefix: string, toPrefix: string): Promise<void>;
  /** Keys under a prefix, relative to it. */
  list(prefix: string): Promise<readonly string[]>;
}

/**
 * Storage whose objects are plain local paths, which the local executor hands to the trainer directly.
 * Object stores do not implement it; their executors stage data inside the training pod.
 */
export interface LocalPathStorage extends BlobStorage {
  localPath(key: string): string;
}

export function isLocalPathStorage(s: BlobStorage): s is LocalPathStorage {
  return typeof (s as Partial<LocalPathStorage>).localPath === 'function';
}

export class BlobTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`object larger than ${limit} bytes`);
  }
}

export class BlobNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no object ${key}`);
  }
}
