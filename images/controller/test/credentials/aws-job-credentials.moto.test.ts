/**
 * Per-job trainer credentials on AWS against moto's STS: the issuer assumes the trainer-job role with the job's
 * session policy and writes the `credential_process` files the trainer's botocore reads. moto does not enforce IAM
 * (the session policy's content is proven in test/aws/job-session-policy.test.ts); here: the AssumeRole call moto
 * receives, the files, the expiry, and that botocore in the trainer's virtual environment loads the mounted files
 * through `AWS_CONFIG_FILE` as refreshable credentials.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { STSClient } from '@aws-sdk/client-sts';
import { startMotoServer, type MotoServer } from '../../../../test/harness/moto-server';
import { adapterPrefix, fileKey, jobAccessGrant, jobOutputPrefix, modelPrefix } from '../../../../constructs/platform';
import { AWS_CONFIG_FILE, AWS_CREDENTIALS_FILE, AwsJobCredentialIssuer, trainerJobRoleArn } from '../../src/executor/kubernetes/job-credentials-aws';
import { CREDENTIALS_MOUNT_DIR } from '../../src/executor/kubernetes/job-credentials';

const ROLE = 'arn:aws:iam::123456789012:role/acme-vpctune-trainer-job';
const JOB = 'ftjob-abc123';
const FINE_TUNED = 'acme/base:sfx:12345678';
const GRANT = jobAccessGrant(JOB, {
  base_model: modelPrefix('acme/base'),
  training_file: fileKey('file-train1'),
  output_dir: jobOutputPrefix(JOB),
  fine_tuned_model: FINE_TUNED,
  publish_dir: adapterPrefix(FINE_TUNED),
});
let moto: MotoServer;

beforeAll(async () => {
  moto = await startMotoServer();
}, 60_000);
afterAll(async () => {
  await moto.stop();
});

function issuer(): AwsJobCredentialIssuer {
  const sts = new STSClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  return new AwsJobCredentialIssuer({ roleArn: ROLE, bucket: 'acme-artifacts', prefix: '', region: 'us-east-1', sts });
}

describe('AwsJobCredentialIssuer on moto STS', () => {
  test('GIVEN a job’s grant WHEN credentials are minted THEN they are an hour’s session of the trainer-job role, as credential_process files', async () => {
    // GIVEN
    const before = Date.now();
    // WHEN
    const minted = await issuer().mint(GRANT);
    // THEN: the config names the process; the JSON is botocore's process format
    expect(minted.files[AWS_CONFIG_FILE]).toBe(`[default]\ncredential_process = cat ${CREDENTIALS_MOUNT_DIR}/credentials.json\n`);
    const issued = JSON.parse(minted.files[AWS_CREDENTIALS_FILE] ?? '') as Record<string, unknown>;
    expect(Object.keys(issued)).toEqual(['Version', 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']);
    expect(issued['Version']).toBe(1);
    expect(issued['AccessKeyId']).toMatch(/^ASIA/);
    expect(new Date(String(issued['Expiration'])).getTime()).toBe(minted.expiresAt);
    expect(minted.expiresAt - before).toBeGreaterThan(3590_000);
    expect(minted.expiresAt - before).toBeLessThan(3610_000);
    // AND moto recorded the session under the job's name on the trainer-job role
    const arn = await fetch(`${moto.endpoint}/?Action=GetCallerIdentity&Version=2011-06-15`, {
      headers: { Authorization: `AWS4-HMAC-SHA256 Credential=${String(issued['AccessKeyId'])}/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=x` },
    }).then((r) => r.text());
    expect(arn).toContain('<Arn>arn:aws:sts::123456789012:assumed-role/acme-vpctune-trainer-job/vpctune-ftjob-abc123</Arn>');
  });

  test('GIVEN the minted files mounted WHEN botocore loads credentials with the pod’s environment THEN it runs the process and gets refreshable credentials', async () => {
    // GIVEN the files where the pod mounts them, the process pointed at this directory
    const python = path.join(__dirname, '..', '..', '..', '..', '.venv', 'bin', 'python');
    if (!fs.existsSync(python)) throw new Error(`the trainer's virtual environment is missing (${python}): run node scripts/ensure-trainer-env.cjs`);
    const minted = await issuer().mint(GRANT);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-creds-'));
    fs.writeFileSync(path.join(dir, AWS_CREDENTIALS_FILE), minted.files[AWS_CREDENTIALS_FILE] ?? '');
    fs.writeFileSync(path.join(dir, AWS_CONFIG_FILE), (minted.files[AWS_CONFIG_FILE] ?? '').replace(CREDENTIALS_MOUNT_DIR, dir));
    const env: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir };
    for (const v of issuer().env) env[v.name] = String(v.value).replace(CREDENTIALS_MOUNT_DIR, dir);
    // WHEN
    const out = spawnSync(python, ['-c', 'import boto3; c = boto3.Session().get_credentials(); print(type(c).__name__, c.method, c.get_frozen_credentials().access_key)'], { env, encoding: 'utf8' });
    // THEN
    expect(out.stderr).toBe('');
    const issued = JSON.parse(minted.files[AWS_CREDENTIALS_FILE] ?? '') as { AccessKeyId: string };
    expect(out.stdout.trim()).toBe(`RefreshableCredentials custom-process ${issued.AccessKeyId}`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('GIVEN the controller’s IRSA role ARN WHEN the trainer-job role is derived THEN partition and account are kept; anything else is refused', () => {
    // WHEN / THEN
    expect(trainerJobRoleArn('arn:aws-cn:iam::123456789012:role/acme-vpctune-controller', 'acme')).toBe('arn:aws-cn:iam::123456789012:role/acme-vpctune-trainer-job');
    expect(() => trainerJobRoleArn('not-an-arn', 'acme')).toThrow('controller role "not-an-arn" is not an IAM role ARN; allowed: arn:aws:iam::ACCOUNT:role/NAME (the IRSA AWS_ROLE_ARN)');
  });
});
