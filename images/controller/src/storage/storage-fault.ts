/**
 * Storage faults: a full disk, a read-only or failing volume, a quota. Named as such everywhere a client sees them
 * (503 `storage_unavailable` from the API, `storage_unavailable` as a job's error code, /readyz's reason), without
 * the server's paths.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { storageProbeKey } from '../../../../constructs/platform/bucket-keys';
import { ApiError } from '../domain/api-error';
import type { BlobStorage } from './blob-storage';

/** errno codes that mean the storage itself is at fault, and how messages name them. */
export const STORAGE_FAULT_CODES: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EIO: 'i/o error',
};

/** The same faults as Python and SQLite word them (a trainer's traceback, the store's errors). */
const FAULT_TEXT: readonly (readonly [RegExp, string])[] = [
  [/No space left on device|\[Errno 28\]|database or disk is full|SQLITE_FULL/i, 'ENOSPC'],
  [/Disk quota exceeded|\[Errno 122\]/i, 'EDQUOT'],
  [/Read-only file system|\[Errno 30\]|SQLITE_READONLY/i, 'EROFS'],
  [/Input\/output error|\[Errno 5\]|disk I\/O error|SQLITE_IOERR/i, 'EIO'],
];

/** `no space left on device (ENOSPC)` for an errno code that is a storage fault. */
function described(code: string): string {
  return `${STORAGE_FAULT_CODES[code]} (${code})`;
}

/** The storage fault an error stands for (`no space left on device (ENOSPC)`), or undefined when it is not one. */
export function storageFaultOf(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && STORAGE_FAULT_CODES[code] !== undefined) return described(code);
  return err instanceof Error ? storageFaultIn(err.message) : undefined;
}

/** The storage fault a text (a trainer's log tail, an error message) reports, or undefined. */
export function storageFaultIn(text: string): string | undefined {
  const hit = FAULT_TEXT.find(([re]) => re.test(text));
  return hit === undefined ? undefined : described(hit[1]);
}

/** The API's answer to a storage fault: 503 `storage_unavailable`; undefined for any other error. */
export function storageApiError(err: unknown): ApiError | undefined {
  const fault = storageFaultOf(err);
  if (fault === undefined) return undefined;
  return new ApiError(503, 'server_error', 'storage_unavailable', `Storage is unavailable: ${fault}. Nothing was stored; retry once storage is writable again.`);
}

/** A storage fault met by a job (its trainer's or the controller's writes): the job's error. */
export function storageJobError(fault: string): { readonly code: 'storage_unavailable'; readonly message: string; readonly param: null } {
  return { code: 'storage_unavailable', message: `The trainer could not write to storage: ${fault}. Free space or make storage writable, then create the job again.`, param: null };
}

/**
 * Readiness: storage can be WRITTEN, not just read (a full or read-only volume still answers lookups). Writes and
 * deletes a small probe object; throws an Error whose message is the reason /readyz gives.
 */
export async function probeStorageWritable(storage: BlobStorage): Promise<void> {
  const key = storageProbeKey(randomBytes(8).toString('hex'));
  try {
    await storage.put(key, Readable.from([Buffer.from('ok\n')]));
    await storage.delete(key);
  } catch (err) {
    const fault = storageFaultOf(err);
    throw new Error(`storage is not writable: ${fault ?? (err instanceof Error ? err.message : String(err))}`);
  }
}
