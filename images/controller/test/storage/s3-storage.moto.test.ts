/**
 * The BlobStorage contract against S3Storage on moto's S3 (moto_server on 127.0.0.1, a free port), through the real
 * AWS SDK v3 client and `@aws-sdk/lib-storage`. moto checks the S3 protocol (multipart uploads and their abort,
 * ListObjectsV2 paging, DeleteObjects, CopyObject, UploadPartCopy), not AWS's IAM. The contract uses moto's dummy keys
 * through the test-only `credentials` option; the last test drops them and shows the SDK's default chain taking the
 * IRSA path (role ARN + web identity token file → STS AssumeRoleWithWebIdentity on moto). moto neither verifies the
 * token's signature nor the role's trust policy, bucket policies or KMS: those need a real EKS cluster.
 */
import { CreateBucketCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { startMotoServer, type MotoServer } from '../../../../test/harness/moto-server';
import { S3Storage } from '../../src/storage/s3-storage';
import { defineBlobStorageContract } from './blob-storage-contract';
import { digest, patternStream } from './helpers/streams';

const BUCKET = 'vpctune-contract';
const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
let moto: MotoServer | undefined;
let storage: S3Storage | undefined;

function motoStorage(endpoint: string, extra: Partial<ConstructorParameters<typeof S3Storage>[0]> = {}): S3Storage {
  return new S3Storage({ bucket: BUCKET, prefix: 'platform', region: 'us-east-1', endpoint, forcePathStyle: true, credentials: MOTO_CREDENTIALS, partSizeBytes: 5 * 1024 * 1024, uploadConcurrency: 1, listPageSize: 2, ...extra });
}

defineBlobStorageContract('S3 on moto', {
  start: async () => {
    moto = await startMotoServer();
    const admin = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true, credentials: MOTO_CREDENTIALS });
    await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
    admin.destroy();
    storage = motoStorage(moto.endpoint);
    return storage;
  },
  // lib-storage holds `uploadConcurrency` (1) parts in flight, fills one more and copies it into one buffer (Buffer.concat).
  uploadBufferBytes: 3 * 5 * 1024 * 1024,
  pendingUploads: async () => (await storage!.client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads?.length ?? 0,
  stop: async () => {
    storage?.close();
    await moto?.stop();
  },
});

describe('S3Storage specifics (moto)', () => {
  test('keys live under the configured prefix in the bucket', async () => {
    // GIVEN the contract's store, rooted at platform/
    // WHEN a file is stored
    await storage!.put('files/file-prefix-check', Readable.from([Buffer.from('x')]));
    // THEN the bucket holds it as platform/files/…
    const raw = motoStorage(moto!.endpoint, { prefix: '' });
    try {
      expect(await raw.stat('platform/files/file-prefix-check')).toEqual({ bytes: 1 });
    } finally {
      raw.close();
    }
  });

  test('objects above the copy threshold are copied part by part (UploadPartCopy) with their bytes intact', async () => {
    // GIVEN a store that copies objects over 5 MiB in 5 MiB parts, and a 12 MiB object
    const s = motoStorage(moto!.endpoint, { copyObjectMaxBytes: 5 * 1024 * 1024, copyPartSizeBytes: 5 * 1024 * 1024 });
    try {
      await s.put('jobs/big-copy/output/model/model.safetensors', patternStream(12 * 1024 * 1024));
      // WHEN its prefix is copied
      await s.copyPrefix('jobs/big-copy/output/model/', 'adapters/big-copy/');
      // THEN the copy has the same bytes and no multipart upload is left open
      expect(await digest(await s.get('adapters/big-copy/model.safetensors'))).toEqual(await digest(patternStream(12 * 1024 * 1024)));
      expect((await s.client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? []).toEqual([]);
    } finally {
      s.close();
    }
  });

  test('a part size below S3 minimum is refused with the numbers', () => {
    expect(() => new S3Storage({ bucket: BUCKET, partSizeBytes: 1024 })).toThrow("S3 part size 1024 bytes is below S3's minimum of 5242880 bytes (5 MiB)");
  });

  test('keys with .. or empty segments are refused before any request', async () => {
    await expect(storage!.put('files/../secrets', Readable.from([]))).rejects.toThrow("invalid storage key 'files/../secrets'");
    await expect(storage!.stat('/files/x')).rejects.toThrow("invalid storage key '/files/x'");
  });
});

describe('S3Storage credentials (moto STS)', () => {
  const saved: Record<string, string | undefined> = {};
  const setEnv = (vars: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(vars)) {
      if (!(k in saved)) saved[k] = process.env[k];
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  afterAll(() => setEnv(saved));

  test('with no credentials option, the SDK default chain assumes the role of the IRSA web identity token (no static keys)', async () => {
    // GIVEN the environment EKS gives a pod of the vpctune-controller service account (role ARN + projected token
    // file), STS pointed at moto, and no static keys anywhere in the environment
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-irsa-'));
    const tokenFile = path.join(dir, 'token');
    fs.writeFileSync(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6dnBjdHVuZTp2cGN0dW5lLWNvbnRyb2xsZXIifQ.c2ln');
    setEnv({
      AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/vpctune-controller',
      AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
      AWS_ROLE_SESSION_NAME: 'vpctune-controller',
      AWS_ENDPOINT_URL_STS: moto!.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials'),
      AWS_CONFIG_FILE: path.join(dir, 'no-config'),
    });
    const s = new S3Storage({ bucket: BUCKET, prefix: 'irsa', endpoint: moto!.endpoint, forcePathStyle: true });
    try {
      // WHEN the store is used
      await s.put('files/file-irsa', Readable.from([Buffer.from('via web identity')]));
      // THEN it worked with temporary credentials from AssumeRoleWithWebIdentity
      const creds = await s.client.config.credentials();
      expect(creds.sessionToken).toEqual(expect.any(String));
      expect(creds.accessKeyId).not.toBe(MOTO_CREDENTIALS.accessKeyId);
      expect(creds.$source).toMatchObject({ CREDENTIALS_STS_ASSUME_ROLE_WEB_ID: expect.anything() });
      expect(await s.stat('files/file-irsa')).toEqual({ bytes: 16 });
    } finally {
      s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
