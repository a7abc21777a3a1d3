/**
 * The BlobStorage contract against GcsStorage on a LOCAL FAKE of the GCS JSON API (helpers/fake-gcs-server.ts),
 * through the real `@google-cloud/storage` client: no GCS emulator installs from npm. The fake covers resumable
 * single-request uploads, media downloads with CRC32C/MD5 headers the client validates, metadata, delete, paged
 * listing and rewrite. NOT covered: real GCS behaviour and errors, authentication (ADC / GKE workload identity is
 * not exercised: the client sends no credentials to a custom endpoint), IAM, multi-chunk resumable recovery,
 * multi-call rewrites of large objects. See the fake's header for the exact request list.
 */
import { Readable } from 'node:stream';
import { GcsStorage } from '../../src/storage/gcs-storage';
import { defineBlobStorageContract } from './blob-storage-contract';
import { startFakeGcs, type FakeGcsServer } from './helpers/fake-gcs-server';

const BUCKET = 'vpctune-contract';
let fake: FakeGcsServer | undefined;
let storage: GcsStorage | undefined;

defineBlobStorageContract('GCS on a local fake of its JSON API', {
  start: async () => {
    fake = await startFakeGcs(BUCKET);
    storage = new GcsStorage({ bucket: BUCKET, prefix: 'platform', apiEndpoint: fake.apiEndpoint, projectId: 'vpctune-test', listPageSize: 2 });
    return storage;
  },
  stop: async () => {
    // Every request the client made was one the fake understands.
    expect(fake?.unhandled).toEqual([]);
    await fake?.stop();
  },
});

describe('GcsStorage specifics (fake JSON API)', () => {
  test('keys live under the configured prefix in the bucket', async () => {
    await storage!.put('files/file-prefix-check', Readable.from([Buffer.from('x')]));
    const [files] = await storage!.bucket.getFiles({ prefix: 'platform/files/file-prefix-check' });
    expect(files.map((f) => f.name)).toEqual(['platform/files/file-prefix-check']);
  });
});

test('listing follows nextPageToken across pages (pages of 2 objects here)', async () => {
  // GIVEN five objects under one prefix
  for (const n of ['a', 'b', 'c', 'd', 'e']) await storage!.put(`jobs/paged/${n}`, Readable.from([Buffer.from(n)]));
  const before = fake!.listPages();
  // WHEN the prefix is listed
  const keys = await storage!.list('jobs/paged/');
  // THEN all five come back, from three pages
  expect(keys).toEqual(['a', 'b', 'c', 'd', 'e']);
  expect(fake!.listPages() - before).toBe(3);
});
