import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cloud } from '../../../../constructs/catalog';
import { CLOUD_STORAGE_URL_FORMS, profileForStorageUrl, type ParsedStorageUrl } from '../../../../constructs/platform';
import { AzureBlobStorage, type AzureBlobStorageOptions } from './azure-blob-storage';
import type { BlobStorage } from './blob-storage';
import { GcsStorage, type GcsStorageOptions } from './gcs-storage';
import { LocalDirectoryStorage } from './local-directory-storage';
import { isLocalStorageUrl, storageUrlScheme } from './local-storage-url';
import { S3Storage, type S3StorageOptions } from './s3-storage';

/** Per-store settings a URL cannot carry (emulator endpoints and test credentials); production passes none. */
export interface StorageOverrides {
  readonly s3?: Partial<Omit<S3StorageOptions, 'bucket' | 'prefix'>>;
  readonly gcs?: Partial<Omit<GcsStorageOptions, 'bucket' | 'prefix'>>;
  readonly azure?: Partial<Omit<AzureBlobStorageOptions, 'account' | 'container' | 'prefix'>>;
}

export const STORAGE_URL_FORMS = `${CLOUD_STORAGE_URL_FORMS}, file:///DIR or a directory path`;

/** The store of each cloud, built from the location and prefix its profile parsed and the URL's query. */
const CLOUD_STORES: Readonly<Record<Cloud, (at: ParsedStorageUrl, query: URLSearchParams, overrides: StorageOverrides) => BlobStorage>> = {
  [Cloud.AWS]: ({ location, prefix }, query, overrides) => {
    const region = query.get('region');
    return new S3Storage({ ...overrides.s3, ...(region !== null ? { region } : {}), bucket: location.bucket, prefix });
  },
  [Cloud.GCP]: ({ location, prefix }, _query, overrides) => new GcsStorage({ ...overrides.gcs, bucket: location.bucket, prefix }),
  [Cloud.AZURE]: ({ location, prefix }, _query, overrides) => new AzureBlobStorage({ ...overrides.azure, account: location.account ?? '', container: location.bucket, prefix }),
};

/**
 * The blob storage a URL names. Cloud URLs are read by their cloud's profile (`profileForStorageUrl`, the same forms
 * the trainer reads): `s3://BUCKET[/PREFIX]` (region from `?region=` or the SDK's chain), `gs://BUCKET[/PREFIX]`,
 * `az://ACCOUNT/CONTAINER[/PREFIX]`; `file:///DIR` or a plain directory path is local storage. A malformed cloud URL
 * throws the profile's `StorageUrlError`, naming the URL, the part and what is allowed.
 */
export function storageFromUrl(url: string, overrides: StorageOverrides = {}): BlobStorage {
  if (url === '') throw new Error(`empty storage URL; use ${STORAGE_URL_FORMS}`);
  if (isLocalStorageUrl(url)) return new LocalDirectoryStorage(storageUrlScheme(url) === 'file' ? fileURLToPath(url) : path.resolve(url));
  const profile = profileForStorageUrl(url);
  if (profile === undefined) throw new Error(`unsupported storage URL scheme '${storageUrlScheme(url) ?? ''}://' in ${url}; use ${STORAGE_URL_FORMS}`);
  const queryAt = url.search(/[?#]/);
  const parsed = profile.storage.parse(queryAt < 0 ? url : url.slice(0, queryAt)) as ParsedStorageUrl;
  const query = new URLSearchParams(queryAt < 0 ? '' : url.slice(queryAt + 1).replace(/#.*$/, ''));
  return CLOUD_STORES[profile.cloud](parsed, query, overrides);
}
