import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient, RestError, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import type { Readable } from 'node:stream';
import { BlobNotFoundError, type BlobStorage } from './blob-storage';
import { asDirectory, checkKey, forEachLimit, normalizeRoot, OBJECT_CONCURRENCY, putLimited, putLocalDirectory } from './object-store-support';

const MiB = 1024 * 1024;

export interface AzureBlobStorageOptions {
  /** Storage account name. */
  readonly account: string;
  readonly container: string;
  /** Prefix inside the container that every key lives under. @default - the container root */
  readonly prefix?: string;
  /** Blob service URL. @default `https://<account>.blob.core.windows.net` (an emulator's URL in tests) */
  readonly accountUrl?: string;
  /**
   * Entra ID credential. @default - DefaultAzureCredential, which in AKS picks up the workload identity that the
   * `vpctune-controller` service account federates (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE)
   */
  readonly credential?: TokenCredential;
  /**
   * TEST ONLY: an emulator's shared account key (Azurite's published development key). Production uses Entra ID
   * (workload identity); never put a real account key here. @default - none
   */
  readonly emulatorAccountKey?: string;
  /** Bytes per staged block of a streamed upload. @default 8 MiB */
  readonly blockSizeBytes?: number;
  /** Blocks buffered at once (the SDK stages up to three quarters of them in parallel); with blockSizeBytes this bounds the memory one upload holds. @default 4 */
  readonly uploadConcurrency?: number;
  /** Blobs per list page. @default 5000 (the service's maximum) */
  readonly listPageSize?: number;
}

function isNotFound(err: unknown): boolean {
  return err instanceof RestError ? err.statusCode === 404 : (err as { statusCode?: number } | undefined)?.statusCode === 404;
}

/**
 * Blob storage in an Azure Blob container. Uploads stream as staged blocks committed at the end (a body past
 * `maxBytes` is never committed, so nothing is stored; Azure drops uncommitted blocks by itself); downloads stream.
 */
export class AzureBlobStorage implements BlobStorage {
  readonly kind = 'azure-blob';
  readonly container: ContainerClient;
  private readonly root: string;
  private readonly blockSize: number;
  private readonly concurrency: number;
  private readonly listPageSize: number;

  constructor(options: AzureBlobStorageOptions) {
    if (options.account === '' || options.container === '') throw new Error('Azure Blob storage needs an account and a container');
    const url = options.accountUrl ?? `https://${options.account}.blob.core.windows.net`;
    const credential = options.emulatorAccountKey !== undefined ? new StorageSharedKeyCredential(options.account, options.emulatorAccountKey) : (options.credential ?? new DefaultAzureCredential());
    this.container = new BlobServiceClient(url, credential).getContainerClient(options.container);
    this.root = normalizeRoot(options.prefix);
    this.blockSize = options.blockSizeBytes ?? 8 * MiB;
    this.concurrency = options.uploadConcurrency ?? 4;
    this.listPageSize = options.listPageSize ?? 5000;
  }

  private name(key: string): string {
    return this.root + checkKey(key);
  }

  async put(key: string, body: Readable, options: { readonly maxBytes?: number } = {}): Promise<{ readonly bytes: number }> {
    return putLimited(body, options.maxBytes, (stream) => this.container.getBlockBlobClient(this.name(key)).uploadStream(stream, this.blockSize, this.concurrency));
  }

  async get(key: string): Promise<Readable> {
    try {
      const res = await this.container.getBlobClient(this.name(key)).download();
      return res.readableStreamBody as Readable;
    } catch (err) {
      if (isNotFound(err)) throw new BlobNotFoundError(key);
      throw err;
    }
  }

  async stat(key: string): Promise<{ readonly bytes: number } | undefined> {
    try {
      const props = await this.container.getBlobClient(this.name(key)).getProperties();
      return { bytes: props.contentLength ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const names = key.endsWith('/') ? (await this.listBlobs(key)).map((b) => b.name) : [this.name(key)];
    await forEachLimit(names, OBJECT_CONCURRENCY, async (n) => {
      await this.container.getBlobClient(n).deleteIfExists();
    });
  }

  putDirectory(prefix: string, localDir: string): Promise<void> {
    return putLocalDirectory((key, body) => this.put(key, body), prefix, localDir);
  }

  /** Server-side copies (Copy Blob within the account, authorized by the same credential), waited for. */
  async copyPrefix(fromPrefix: string, toPrefix: string): Promise<void> {
    const from = this.name(asDirectory(fromPrefix));
    const to = this.name(asDirectory(toPrefix));
    await forEachLimit(await this.listBlobs(fromPrefix), OBJECT_CONCURRENCY, async (b) => {
      const source = this.container.getBlobClient(b.name);
      const poller = await this.container.getBlobClient(to + b.name.slice(from.length)).beginCopyFromURL(source.url, { intervalInMs: 500 });
      const done = await poller.pollUntilDone();
      if (done.copyStatus !== undefined && done.copyStatus !== 'success') throw new Error(`copy of ${b.name} ended ${done.copyStatus}`);
    });
  }

  async list(prefix: string): Promise<readonly string[]> {
    const base = this.name(asDirectory(prefix));
    return (await this.listBlobs(prefix)).map((b) => b.name.slice(base.length)).sort();
  }

  private async listBlobs(prefix: string): Promise<{ readonly name: string }[]> {
    const out: { name: string }[] = [];
    for await (const page of this.container.listBlobsFlat({ prefix: this.name(asDirectory(prefix)) }).byPage({ maxPageSize: this.listPageSize })) {
      for (const b of page.segment.blobItems) out.push({ name: b.name });
    }
    return out;
  }
}
