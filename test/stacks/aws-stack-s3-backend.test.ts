/**
 * Remote state as users configure it (`state:` in the config → the stack's S3 backend), against moto's S3 and
 * DynamoDB on 127.0.0.1: `terraform init` uses the backend, an apply writes the state object where the config says,
 * no lock is left behind, and a lock someone else holds stops the next run. Both locking modes: S3 native lockfile
 * (the default) and a DynamoDB table. Emulator endpoints, dummy keys and skip flags are added to a copy of the
 * backend block by the harness (`keepS3Backend`), never by the stack.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { buildApp } from '../../stacks/build-app';
import { applyEmulatorOverrides } from '../harness/emulator-overrides';
import { MotoServer, startMotoServer } from '../harness/moto-server';
import { DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY } from '../harness/offline-overrides';
import { TerraformWorkspace } from '../harness/terraform-runner';

const REPO = path.resolve(__dirname, '..', '..');
const REGION = 'eu-west-1';
const BUCKET = 'acme-terraform-state';
const KEY = 'vpctune/small-ft.tfstate';
const LOCK_INFO = { ID: 'held-by-alice', Operation: 'OperationTypeApply', Who: 'alice@ci-runner', Version: '1.11.0', Created: '2026-11-22T00:00:00Z', Path: `${BUCKET}/${KEY}` };

let moto: MotoServer;
let s3: S3Client;

/** A DynamoDB JSON-protocol call to moto (it does not check signatures; the region comes from the credential scope). */
async function dynamodb(action: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(moto.endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': `DynamoDB_20120810.${action}`,
      Authorization: `AWS4-HMAC-SHA256 Credential=${DUMMY_ACCESS_KEY}/20261122/${REGION}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`DynamoDB ${action}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** The small AWS example (its `state:` names the bucket and key), optionally with a DynamoDB lock table. */
function synthSmall(dynamodbTable?: string): { dir: string; workspace: () => TerraformWorkspace } {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-s3-backend-'));
  const config = JSON.parse(fs.readFileSync(path.join(REPO, 'stacks', 'examples', 'aws-small.json'), 'utf8')) as { state: Record<string, string> };
  if (dynamodbTable !== undefined) config.state = { ...config.state, dynamodbTable };
  const file = path.join(out, 'vpctune.json');
  fs.writeFileSync(file, JSON.stringify(config));
  const app = buildApp([file], path.join(out, 'cdktf.out'), { today: '2026-11-22' });
  app.synth();
  const dir = path.join(out, 'cdktf.out', 'stacks', app.node.children[0]?.node.id as string);
  return { dir, workspace: () => TerraformWorkspace.create(dir, { transform: (j) => applyEmulatorOverrides(j, { endpoint: moto.endpoint, keepS3Backend: true }) }) };
}

async function text(key: string): Promise<string> {
  return (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body?.transformToString() ?? '';
}

async function keys(): Promise<string[]> {
  return ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map((o) => o.Key as string).sort();
}

/** Applies only the platform's KMS keys (seconds, not the minute of the whole stack): enough to write state. */
async function applyKeys(ws: TerraformWorkspace): Promise<void> {
  const targets = Object.keys(ws.json.resource?.['aws_kms_key'] ?? {}).map((n) => `-target=aws_kms_key.${n}`);
  expect(targets.length).toBeGreaterThan(0);
  const r = await ws.run('apply', ['apply', '-auto-approve', '-input=false', '-no-color', ...targets]);
  expect({ exit: r.exitCode, stderr: r.stderr }).toEqual({ exit: 0, stderr: '' });
}

beforeAll(async () => {
  moto = await startMotoServer();
  s3 = new S3Client({ region: REGION, endpoint: moto.endpoint, forcePathStyle: true, credentials: { accessKeyId: DUMMY_ACCESS_KEY, secretAccessKey: DUMMY_SECRET_KEY } });
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
});

test('GIVEN the S3 backend with its default lockfile WHEN applied THEN the state is in the bucket under the configured key, no lock is left, and a held lock stops the next plan', async () => {
  // GIVEN the stack's own backend block: the config's bucket and key, encryption, native lockfile locking
  const { workspace } = synthSmall();
  const ws = workspace();
  try {
    expect(ws.json.terraform?.backend?.['s3']).toMatchObject({ bucket: BUCKET, key: KEY, region: REGION, encrypt: true, use_lockfile: true });
    // WHEN initialised against the backend and the KMS keys applied
    await ws.init();
    await applyKeys(ws);
    // THEN the state object holds them, and the lockfile is gone
    const state = JSON.parse(await text(KEY)) as { resources: { type: string }[] };
    expect(state.resources.filter((r) => r.type === 'aws_kms_key').length).toBeGreaterThan(0);
    expect(await keys()).toEqual([KEY]);
    // WHEN someone else holds the lock (their lockfile, as terraform writes it)
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${KEY}.tflock`, Body: JSON.stringify(LOCK_INFO) }));
    const blocked = await ws.run('plan', ['plan', '-input=false', '-no-color', '-lock-timeout=0s']);
    // THEN the plan stops, naming the holder
    expect(blocked.exitCode).toBe(1);
    expect(blocked.stderr).toContain('Error acquiring the state lock');
    expect(blocked.stderr).toContain('held-by-alice');
    expect(blocked.stderr).toContain('alice@ci-runner');
  } finally {
    ws.dispose();
  }
}, 300_000);

test('GIVEN the S3 backend with a DynamoDB lock table WHEN applied THEN the state and its digest are stored, the lock item is released, and a held lock stops the next plan', async () => {
  // GIVEN a lock table as the S3 backend expects it (hash key LockID)
  await dynamodb('CreateTable', { TableName: 'vpctune-locks', KeySchema: [{ AttributeName: 'LockID', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'LockID', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' });
  const { workspace } = synthSmall('vpctune-locks');
  const ws = workspace();
  try {
    expect(ws.json.terraform?.backend?.['s3']).toMatchObject({ bucket: BUCKET, key: KEY, dynamodb_table: 'vpctune-locks' });
    expect(ws.json.terraform?.backend?.['s3']).not.toHaveProperty('use_lockfile');
    // WHEN initialised and the KMS keys applied
    await ws.init();
    await applyKeys(ws);
    // THEN the state is in the bucket, the table holds only its digest (the lock item was deleted)
    expect(await keys()).toEqual([KEY]);
    const items = ((await dynamodb('Scan', { TableName: 'vpctune-locks' })).Items as { LockID: { S: string } }[]).map((i) => i.LockID.S);
    expect(items).toEqual([`${BUCKET}/${KEY}-md5`]);
    // WHEN someone else holds the lock item
    await dynamodb('PutItem', { TableName: 'vpctune-locks', Item: { LockID: { S: `${BUCKET}/${KEY}` }, Info: { S: JSON.stringify(LOCK_INFO) } } });
    const blocked = await ws.run('plan', ['plan', '-input=false', '-no-color', '-lock-timeout=0s']);
    // THEN the plan stops, naming the holder
    expect(blocked.exitCode).toBe(1);
    expect(blocked.stderr).toContain('Error acquiring the state lock');
    expect(blocked.stderr).toContain('held-by-alice');
  } finally {
    ws.dispose();
  }
}, 300_000);
