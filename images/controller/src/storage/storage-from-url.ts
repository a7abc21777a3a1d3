import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AzureBlobStorage, type AzureBlobStorageOptions } from './azure-blob-storage';
import type { BlobStorage } from './blob-storage';
import { GcsStorage, type GcsStorageOptions } from './gcs-storage';
import { LocalDirectoryStorage } from './local-directory-storage';
import { S3Storage, type S3StorageOptions } from './s3-storage';

/** Per-store settings a URL cannot carry (emulator endpoints and test credentials); production passes none. */
export interface StorageOverrides {
  readonly s3?: Partial<Omit<S3StorageOptions, 'bucket' | 'prefix'>>;
  readonly gcs?: Partial<Omit<GcsStorageOptions, 'bucket' | 'prefix'>>;
  readonly azure?: Partial<Omit<AzureBlobStorageOptions, 'account' | 'container' | 'prefix'>>;
}

export const STORAGE_URL_FORMS = 's3://BUCKET[/PREFIX], gs://BUCKET[/PREFIX], az://ACCOUNT/CONTAINER[/PREFIX], file:///DIR or a directory path';

/**
 * The blob storage a URL names: `s3://bucket/prefix` (region from `?region=` or the SDK's chain), `gs://bucket/prefix`,
 * `az://account/container/prefix`, `file:///dir` or a plain directory path (local storage).
 */
export function storageFromUrl(url: string, overrides: StorageOverrides = {}): BlobStorage {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (url === '') throw new Error(`empty storage URL; use ${STORAGE_URL_FORMS}`);
    return new LocalDirectoryStorage(path.resolve(url));
  }
  if (scheme === 'file') return new LocalDirectoryStorage(fileURLToPath(url));
  const parsed = new URL(url);
  const host = parsed.hostname;
  const segments = decodeURIComponent(parsed.pathname).split('/').filter((s) => s !== '');
  if (host === '') throw new Error(`storage URL ${url} names no ${scheme === 'az' ? 'account' : 'bucket'}; use ${STORAGE_URL_FORMS}`);
  switch (scheme) {
    case 's3': {
      const region = parsed.searchParams.get('region');
      return new S3Storage({ ...overrides.s3, ...(region !== null ? { region } : {}), bucket: host, prefix: segments.join('/') });
    }
    case 'gs':
      return new GcsStorage({ ...overrides.gcs, bucket: host, prefix: segments.join('/') });
    case 'az': {
      const [container, ...rest] = segments;
      if (container === undefined) throw new Error(`storage URL ${url} names no container; use az://ACCOUNT/CONTAINER[/PREFIX]`);
      return new AzureBlobStorage({ ...overrides.azure, account: host, container, prefix: rest.join('/') });
    }
    default:
      throw new Error(`unsupported storage URL scheme '${scheme}://' in ${url}; use ${STORAGE_URL_FORMS}`);
  }
}
