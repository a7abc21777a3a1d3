import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCopyCommand,
  paginateListObjectsV2,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import { BlobNotFoundError, type BlobStorage } from './blob-storage';
import { asDirectory, checkKey, forEachLimit, normalizeRoot, OBJECT_CONCURRENCY, putLimited, putLocalDirectory } from './object-store-support';

const MiB = 1024 * 1024;
/** CopyObject takes sources up to 5 GiB; larger ones are copied part by part (UploadPartCopy). */
const COPY_OBJECT_MAX = 5 * 1024 * MiB;

export interface S3StorageOptions {
  readonly bucket: string;
  /** Prefix inside the bucket that every key lives under (`vpctune/` → `vpctune/files/<id>`). @default - the bucket root */
  readonly prefix?: string;
  /** @default - the SDK's region chain (AWS_REGION, which EKS sets for IRSA pods; then the shared config) */
  readonly region?: string;
  /**
   * Credentials. Leave unset in production: the SDK's default chain finds the IRSA web identity token the pod's
   * service account brings. @default - the SDK's default provider chain (no static keys)
   */
  readonly credentials?: S3ClientConfig['credentials'];
  /** Endpoint of an S3-compatible emulator, for tests only. @default - the AWS endpoint of the region */
  readonly endpoint?: string;
  /** Path-style addressing, which emulators need. @default false */
  readonly forcePathStyle?: boolean;
  /** Bytes per part of a streamed multipart upload (at least 5 MiB). @default 8 MiB */
  readonly partSizeBytes?: number;
  /** Parts uploaded at once; with partSizeBytes this bounds the memory one upload holds. @default 4 */
  readonly uploadConcurrency?: number;
  /** Objects larger than this are copied part by part. @default 5 GiB (CopyObject's limit) */
  readonly copyObjectMaxBytes?: number;
  /** Part size of a part-by-part copy. @default 512 MiB */
  readonly copyPartSizeBytes?: number;
  /** Keys per ListObjectsV2 page. @default 1000 (S3's maximum) */
  readonly listPageSize?: number;
}

function statusOf(err: unknown): number | undefined {
  if (err instanceof S3ServiceException) return err.$metadata.httpStatusCode;
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function isNotFound(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name;
  return statusOf(err) === 404 || name === 'NoSuchKey' || name === 'NotFound';
}

/**
 * Blob storage in an S3 bucket (AWS SDK v3). Uploads stream through a multipart upload (`@aws-sdk/lib-storage`), at
 * most `partSizeBytes × uploadConcurrency` held in memory; a body past `maxBytes` aborts the multipart upload so
 * nothing is stored. Downloads stream the response body.
 */
export class S3Storage implements BlobStorage {
  readonly kind = 's3';
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly root: string;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly copyMax: number;
  private readonly copyPart: number;
  private readonly listPageSize: number;

  constructor(options: S3StorageOptions) {
    if (options.bucket === '') throw new Error('S3 storage needs a bucket name');
    this.bucket = options.bucket;
    this.root = normalizeRoot(options.prefix);
    this.partSize = options.partSizeBytes ?? 8 * MiB;
    if (this.partSize < 5 * MiB) throw new Error(`S3 part size ${this.partSize} bytes is below S3's minimum of ${5 * MiB} bytes (5 MiB)`);
    this.queueSize = options.uploadConcurrency ?? 4;
    this.copyMax = options.copyObjectMaxBytes ?? COPY_OBJECT_MAX;
    this.copyPart = options.copyPartSizeBytes ?? 512 * MiB;
    this.listPageSize = options.listPageSize ?? 1000;
    this.client = new S3Client({
      ...(options.region !== undefined ? { region: options.region } : {}),
      ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? false,
    });
  }

  private name(key: string): string {
    return this.root + checkKey(key);
  }

  async put(key: string, body: Readable, options: { readonly maxBytes?: number } = {}): Promise<{ readonly bytes: number }> {
    return putLimited(body, options.maxBytes, (stream) =>
      new Upload({
        client: this.client,
        params: { Bucket: this.bucket, Key: this.name(key), Body: stream },
        partSize: this.partSize,
        queueSize: this.queueSize,
        leavePartsOnError: false,
      }).done(),
    );
  }

  async get(key: string): Promise<Readable> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.name(key) }));
      return res.Body as Readable;
    } catch (err) {
      if (isNotFound(err)) throw new BlobNotFoundError(key);
      throw err;
    }
  }

  async stat(key: string): Promise<{ readonly bytes: number } | undefined> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.name(key) }));
      return { bytes: res.ContentLength ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    if (!key.endsWith('/')) {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.name(key) }));
      return;
    }
    const names = (await this.listObjects(key)).map((o) => o.name);
    for (let i = 0; i < names.length; i += 1000) {
      const batch = names.slice(i, i + 1000);
      const res = await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
      const failed = res.Errors ?? [];
      if (failed.length > 0) throw new Error(`could not delete ${failed.length} object(s) under s3://${this.bucket}/${this.name(key)}: ${failed[0]?.Key}: ${failed[0]?.Code} ${failed[0]?.Message}`);
    }
  }

  putDirectory(prefix: string, localDir: string): Promise<void> {
    return putLocalDirectory((key, body) => this.put(key, body), prefix, localDir);
  }

  async copyPrefix(fromPrefix: string, toPrefix: string): Promise<void> {
    const from = asDirectory(fromPrefix);
    const to = asDirectory(toPrefix);
    const objects = await this.listObjects(from);
    await forEachLimit(objects, OBJECT_CONCURRENCY, async (o) => {
      const target = this.name(to + o.name.slice(this.name(from).length));
      if (o.bytes > this.copyMax) await this.copyInParts(o.name, target, o.bytes);
      else await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: target, CopySource: this.copySource(o.name) }));
    });
  }

  async list(prefix: string): Promise<readonly string[]> {
    const base = this.name(asDirectory(prefix));
    return (await this.listObjects(prefix)).map((o) => o.name.slice(base.length)).sort();
  }

  private copySource(name: string): string {
    return `${this.bucket}/${name.split('/').map(encodeURIComponent).join('/')}`;
  }

  private async copyInParts(source: string, target: string, bytes: number): Promise<void> {
    const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: target }));
    const uploadId = created.UploadId;
    try {
      const ranges: { part: number; first: number; last: number }[] = [];
      for (let first = 0, part = 1; first < bytes; first += this.copyPart, part++) ranges.push({ part, first, last: Math.min(first + this.copyPart, bytes) - 1 });
      const parts: { PartNumber: number; ETag: string }[] = [];
      await forEachLimit(ranges, OBJECT_CONCURRENCY, async (r) => {
        const res = await this.client.send(
          new UploadPartCopyCommand({ Bucket: this.bucket, Key: target, UploadId: uploadId, PartNumber: r.part, CopySource: this.copySource(source), CopySourceRange: `bytes=${r.first}-${r.last}` }),
        );
        parts.push({ PartNumber: r.part, ETag: res.CopyPartResult?.ETag ?? '' });
      });
      parts.sort((a, b) => a.PartNumber - b.PartNumber);
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: target, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    } catch (err) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: target, UploadId: uploadId })).catch(() => undefined);
      throw err;
    }
  }

  /** Objects under a directory-like prefix, with their full names in the bucket. */
  private async listObjects(prefix: string): Promise<{ readonly name: string; readonly bytes: number }[]> {
    const out: { name: string; bytes: number }[] = [];
    for await (const page of paginateListObjectsV2({ client: this.client, pageSize: this.listPageSize }, { Bucket: this.bucket, Prefix: this.name(asDirectory(prefix)) })) {
      for (const o of page.Contents ?? []) if (o.Key !== undefined) out.push({ name: o.Key, bytes: o.Size ?? 0 });
    }
    return out;
  }

  /** Closes the client's connections. */
  close(): void {
    this.client.destroy();
  }
}
