/**
 * The BlobStorage contract against AzureBlobStorage on Azurite (npm `azurite`, Blob service started as a child
 * process on 127.0.0.1 and a free port), through the real `@azure/storage-blob` client. Azurite's published
 * development account key is passed through the test-only `emulatorAccountKey` option. NOT covered: Entra ID /
 * workload identity (DefaultAzureCredential) and RBAC, which only real Azure checks; Azurite completes Copy Blob at
 * once, so the polling of a long server-side copy is not exercised.
 */
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AzureBlobStorage } from '../../src/storage/azure-blob-storage';
import { defineBlobStorageContract } from './blob-storage-contract';
import { AZURITE_ACCOUNT, AZURITE_ACCOUNT_KEY, startAzurite, type AzuriteServer } from './helpers/azurite-server';

const CONTAINER = 'vpctune';
let azurite: AzuriteServer | undefined;
let storage: AzureBlobStorage | undefined;

defineBlobStorageContract('Azure Blob on Azurite', {
  start: async () => {
    azurite = await startAzurite();
    await new BlobServiceClient(azurite.accountUrl, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_ACCOUNT_KEY)).getContainerClient(CONTAINER).create();
    storage = new AzureBlobStorage({
      account: AZURITE_ACCOUNT,
      container: CONTAINER,
      prefix: 'platform',
      accountUrl: azurite.accountUrl,
      emulatorAccountKey: AZURITE_ACCOUNT_KEY,
      blockSizeBytes: 4 * 1024 * 1024,
      uploadConcurrency: 2,
      listPageSize: 2,
    });
    return storage;
  },
  // uploadStream's BufferScheduler holds up to `uploadConcurrency` (2) blocks, plus the one being filled and the request's copy.
  uploadBufferBytes: 4 * 4 * 1024 * 1024,
  // A refused upload never commits its block list: the blob does not exist (checked by the contract), and no
  // committed blob is left anywhere under the test's area. Uncommitted blocks are Azure's to drop.
  stop: async () => {
    await azurite?.stop();
  },
});

describe('AzureBlobStorage specifics (Azurite)', () => {
  test('keys live under the configured prefix in the container', async () => {
    const names: string[] = [];
    await storage!.put('files/file-prefix-check', (await import('node:stream')).Readable.from([Buffer.from('x')]));
    for await (const b of storage!.container.listBlobsFlat({ prefix: 'platform/files/file-prefix-check' })) names.push(b.name);
    expect(names).toEqual(['platform/files/file-prefix-check']);
  });
});
