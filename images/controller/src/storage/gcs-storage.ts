import { ApiError, Storage, type Bucket, type GetFilesOptions, type GetFilesResponse } from '@google-cloud/storage';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobNotFoundError, type BlobStorage } from './blob-storage';
import { asDirectory, checkKey, forEachLimit, normalizeRoot, OBJECT_CONCURRENCY, putLimited, putLocalDirectory } from './object-store-support';

export interface GcsStorageOptions {
  readonly bucket: string;
  /** Prefix inside the bucket that every key lives under. @default - the bucket root */
  readonly prefix?: string;
  /** Project for requests that need one. @default - from Application Default Credentials */
  readonly projectId?: string;
  /**
   * JSON API endpoint of an emulator or fake, for tests only (no credentials are sent to it).
   * @default - https://storage.googleapis.com, authorized by Application Default Credentials (GKE workload identity)
   */
  readonly apiEndpoint?: string;
  /** Objects per list page. @default 1000 */
  readonly listPageSize?: number;
}

function isNotFound(err: unknown): boolean {
  return err instanceof ApiError ? err.code === 404 : (err as { code?: number } | undefined)?.code === 404;
}

/**
 * Blob storage in a Google Cloud Storage bucket. Uploads stream through a resumable upload session that is only
 * finalized when the body ends (a body past `maxBytes` abandons the session, so nothing is stored); downloads stream.
 * Both are checked against the object's CRC32C.
 */
export class GcsStorage implements BlobStorage {
  readonly kind = 'gcs';
  readonly bucket: Bucket;
  private readonly root: string;
  private readonly listPageSize: number;

  constructor(options: GcsStorageOptions) {
    if (options.bucket === '') throw new Error('GCS storage needs a bucket name');
    const storage = new Storage({
      ...(options.projectId !== undefined ? { projectId: options.projectId } : {}),
      ...(options.apiEndpoint !== undefined ? { apiEndpoint: options.apiEndpoint } : {}),
    });
    this.bucket = storage.bucket(options.bucket);
    this.root = normalizeRoot(options.prefix);
    this.listPageSize = options.listPageSize ?? 1000;
  }

  private name(key: string): string {
    return this.root + checkKey(key);
  }

  async put(key: string, body: Readable, options: { readonly maxBytes?: number } = {}): Promise<{ readonly bytes: number }> {
    return putLimited(body, options.maxBytes, (stream) =>
      pipeline(stream, this.bucket.file(this.name(key)).createWriteStream({ resumable: true, validation: 'crc32c', contentType: 'application/octet-stream' })),
    );
  }

  /** Looks the object up first, so a missing key rejects here rather than as a stream error later. */
  async get(key: string): Promise<Readable> {
    const file = this.bucket.file(this.name(key));
    try {
      await file.getMetadata();
    } catch (err) {
      if (isNotFound(err)) throw new BlobNotFoundError(key);
      throw err;
    }
    return file.createReadStream({ validation: 'crc32c' });
  }

  async stat(key: string): Promise<{ readonly bytes: number } | undefined> {
    try {
      const [meta] = await this.bucket.file(this.name(key)).getMetadata();
      return { bytes: Number(meta.size ?? 0) };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const names = key.endsWith('/') ? await this.listNames(key) : [this.name(key)];
    await forEachLimit(names, OBJECT_CONCURRENCY, async (n) => {
      await this.bucket.file(n).delete({ ignoreNotFound: true });
    });
  }

  putDirectory(prefix: string, localDir: string): Promise<void> {
    return putLocalDirectory((key, body) => this.put(key, body), prefix, localDir);
  }

  /** Server-side copies (objects.rewrite, which the SDK repeats until the rewrite is done). */
  async copyPrefix(fromPrefix: string, toPrefix: string): Promise<void> {
    const from = this.name(asDirectory(fromPrefix));
    const to = this.name(asDirectory(toPrefix));
    await forEachLimit(await this.listNames(fromPrefix), OBJECT_CONCURRENCY, async (n) => {
      await this.bucket.file(n).copy(this.bucket.file(to + n.slice(from.length)));
    });
  }

  async list(prefix: string): Promise<readonly string[]> {
    const base = this.name(asDirectory(prefix));
    return (await this.listNames(prefix)).map((n) => n.slice(base.length)).sort();
  }

  private async listNames(prefix: string): Promise<string[]> {
    const out: string[] = [];
    let query: GetFilesOptions | null = { prefix: this.name(asDirectory(prefix)), autoPaginate: false, maxResults: this.listPageSize };
    while (query !== null) {
      const page: GetFilesResponse = await this.bucket.getFiles(query);
      for (const f of page[0]) out.push(f.name);
      const next = page[1] as GetFilesOptions | null | undefined;
      query = next?.pageToken !== undefined ? next : null;
    }
    return out;
  }
}
