/**
 * The controller's whole API suite (api-suite.ts, the official openai SDK) with S3 storage behind it: S3Storage on
 * moto's S3 (moto_server on 127.0.0.1, a free port), embedded SQLite as the store. Every upload, file download,
 * training-file validation, result file, adapter copy/tar and base-model import goes through the AWS SDK to the
 * bucket. The fake trainer runs as a local child process on a staging copy of the job's inputs, and its output
 * directory is uploaded back to `jobs/<id>/output/` when it ends (helpers/staging-executor.ts), as a training pod
 * would; the Kubernetes executor's own staging is tested with that executor.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startMotoServer, type MotoServer } from '../../../test/harness/moto-server';
import { S3Storage } from '../src/storage/s3-storage';
import { defineApiSuite } from './api-suite';
import { stagingExecutor } from './storage/helpers/staging-executor';

const BUCKET = 'vpctune-api-suite';
const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
let moto: MotoServer | undefined;
let storage: S3Storage | undefined;
let stagingDir = '';

defineApiSuite('S3 storage on moto', {
  start: async () => {
    moto = await startMotoServer();
    const admin = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true, credentials: MOTO_CREDENTIALS });
    await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
    admin.destroy();
    storage = new S3Storage({ bucket: BUCKET, prefix: 'vpctune', region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true, credentials: MOTO_CREDENTIALS });
    stagingDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-staging-'));
    return undefined;
  },
  platform: () => ({ storage: storage!, executor: stagingExecutor(stagingDir) }),
  stop: () => {
    storage?.close();
    fs.rmSync(stagingDir, { recursive: true, force: true });
    void moto?.stop();
  },
});
