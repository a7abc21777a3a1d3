import { fileKey, jobPrefix } from '../../../../constructs/platform/bucket-keys';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { BlobTooLargeError } from './blob-storage';

/**
 * Pieces the cloud object stores (S3, GCS, Azure Blob) share: key checks, the root prefix inside a bucket, the
 * streaming byte limit and a small concurrency pool.
 */

/**
 * Rejects keys that are empty, absolute, or have empty, `.` or `..` segments, so a key means the same object in every
 * store (the local directory store would resolve `..` out of its root).
 */
export function checkKey(key: string): string {
  const body = key.endsWith('/') ? key.slice(0, -1) : key;
  if (body === '' || body.startsWith('/') || body.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new Error(`invalid storage key '${key}': use relative keys like '${fileKey('<id>')}' or '${jobPrefix('<id>')}' without empty, '.' or '..' segments`);
  }
  return key;
}

/** `''` or a prefix ending with `/` (`vpctune` → `vpctune/`), the part of every object name that precedes the key. */
export function normalizeRoot(prefix: string | undefined): string {
  const p = (prefix ?? '').replace(/^\/+/, '');
  if (p === '') return '';
  return p.endsWith('/') ? p : `${p}/`;
}

/** A directory-like prefix for listing: `jobs/x` and `jobs/x/` both list what lies under `jobs/x/`. */
export function asDirectory(prefix: string): string {
  checkKey(prefix);
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/**
 * A pass-through that counts bytes and fails with BlobTooLargeError once more than `limit` have gone by. The source
 * is piped into it (its errors reach the counter too); the store uploads what comes out.
 */
export function limitBytes(source: Readable, limit: number | undefined): { readonly stream: Transform; bytes(): number; tooLarge(): boolean } {
  let bytes = 0;
  let over = false;
  const max = limit ?? Number.POSITIVE_INFINITY;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > max) {
        over = true;
        done(new BlobTooLargeError(max));
      } else done(null, chunk);
    },
  });
  source.on('error', (err) => stream.destroy(err));
  stream.on('error', () => source.destroy());
  source.pipe(stream);
  return { stream, bytes: () => bytes, tooLarge: () => over };
}

/**
 * Streams `body` through the byte limit into `upload` (the store's own streaming upload) and reports the size. A body
 * past `maxBytes` rejects with BlobTooLargeError; each store's upload commits nothing unless the stream ends.
 */
export async function putLimited(body: Readable, maxBytes: number | undefined, upload: (stream: Readable) => Promise<unknown>): Promise<{ readonly bytes: number }> {
  const limited = limitBytes(body, maxBytes);
  try {
    await upload(limited.stream);
  } catch (err) {
    limited.stream.destroy();
    if (limited.tooLarge()) throw new BlobTooLargeError(maxBytes ?? 0);
    throw err;
  }
  return { bytes: limited.bytes() };
}

/** Runs `work` over `items` with at most `limit` at once; rejects with the first failure after the running ones end. */
export async function forEachLimit<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure.err;
}

/** Regular files under `dir`, as `/`-separated paths relative to it, sorted. */
export async function localFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await fs.promises.readdir(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) out.push(path.relative(dir, full).split(path.sep).join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}

/** How many objects the stores copy, delete or upload at once. */
export const OBJECT_CONCURRENCY = 8;

/** `putDirectory` of the object stores: every file under `localDir`, streamed through `put`, a few at once. */
export async function putLocalDirectory(put: (key: string, body: Readable) => Promise<unknown>, prefix: string, localDir: string): Promise<void> {
  const dir = asDirectory(prefix);
  await forEachLimit(await localFiles(localDir), OBJECT_CONCURRENCY, async (rel) => {
    await put(dir + rel, fs.createReadStream(path.join(localDir, ...rel.split('/'))));
  });
}
