/** storageFromUrl: which store a storage URL names, and the messages for URLs it cannot use. */
import * as os from 'node:os';
import * as path from 'node:path';
import { AzureBlobStorage } from '../../src/storage/azure-blob-storage';
import { GcsStorage } from '../../src/storage/gcs-storage';
import { LocalDirectoryStorage } from '../../src/storage/local-directory-storage';
import { S3Storage } from '../../src/storage/s3-storage';
import { storageFromUrl } from '../../src/storage/storage-from-url';

describe('storageFromUrl', () => {
  test('s3://bucket/prefix?region=R gives an S3 store in that region', async () => {
    // GIVEN an S3 URL with a nested prefix and a region
    // WHEN it is turned into a store
    const s = storageFromUrl('s3://acme-ft-data/platform/v1?region=eu-west-1');
    // THEN it is S3, in that region
    expect(s).toBeInstanceOf(S3Storage);
    expect(s.kind).toBe('s3');
    expect(await (s as S3Storage).client.config.region()).toBe('eu-west-1');
    (s as S3Storage).close();
  });

  test('gs://bucket/prefix gives a GCS store on that bucket', () => {
    const s = storageFromUrl('gs://acme-ft-data/platform');
    expect(s).toBeInstanceOf(GcsStorage);
    expect((s as GcsStorage).bucket.name).toBe('acme-ft-data');
  });

  test('az://account/container/prefix gives an Azure Blob store on that account and container', () => {
    const s = storageFromUrl('az://acmeftdata/vpctune/platform');
    expect(s).toBeInstanceOf(AzureBlobStorage);
    expect((s as AzureBlobStorage).container.containerName).toBe('vpctune');
    expect((s as AzureBlobStorage).container.url).toBe('https://acmeftdata.blob.core.windows.net/vpctune');
  });

  test('file:// URLs and plain paths give local directory storage', () => {
    const dir = path.join(os.tmpdir(), 'vpctune-url-test');
    expect((storageFromUrl(`file://${dir}`) as LocalDirectoryStorage).root).toBe(dir);
    expect((storageFromUrl(dir) as LocalDirectoryStorage).root).toBe(dir);
  });

  test('URLs it cannot use are refused with the forms it takes', () => {
    expect(() => storageFromUrl('ftp://host/dir')).toThrow(
      "unsupported storage URL scheme 'ftp://' in ftp://host/dir; use s3://BUCKET[/PREFIX], gs://BUCKET[/PREFIX], az://ACCOUNT/CONTAINER[/PREFIX], file:///DIR or a directory path",
    );
    expect(() => storageFromUrl('az://acmeftdata')).toThrow('storage URL az://acmeftdata names no container; allowed: az://ACCOUNT/CONTAINER[/PREFIX]');
    expect(() => storageFromUrl('')).toThrow('empty storage URL; use s3://BUCKET');
  });

  test('GIVEN a cloud URL with a malformed name WHEN turned into a store THEN the profile’s message names the part and what is allowed', () => {
    // GIVEN an Azure URL whose account has a dash, and an S3 URL whose bucket is too short
    // WHEN either is turned into a store
    // THEN the cloud profile refuses it before any client is made
    expect(() => storageFromUrl('az://acme-ft/artifacts')).toThrow(
      'storage URL az://acme-ft/artifacts: account "acme-ft" is not a storage account name; allowed: 3-24 lowercase letters and digits',
    );
    expect(() => storageFromUrl('s3://ab?region=eu-west-1')).toThrow(
      'storage URL s3://ab: bucket "ab" is not an S3 bucket name; allowed: 3-63 lowercase letters, digits, dots and dashes, starting and ending with a letter or digit',
    );
  });

  test('GIVEN a bucket-only S3 URL with a region query WHEN turned into a store THEN the query is not read as part of the bucket', async () => {
    // GIVEN s3://BUCKET?region=R (no prefix: the query follows the bucket name directly)
    // WHEN it is turned into a store
    const s = storageFromUrl('s3://acme-ft-data?region=ap-south-1') as S3Storage;
    // THEN the bucket name is valid and the region is the query's
    expect(await s.client.config.region()).toBe('ap-south-1');
    s.close();
  });
});
