/**
 * Per-job trainer credentials wired through the Kubernetes executor against the fake apiserver (fake-apiserver.ts),
 * with the AWS issuer over a stand-in STS client: the credentials are minted before the Job, land in a Secret owned
 * by the Job (deleted with it), the pod mounts it with the issuer's environment and annotation, the Secret is
 * rewritten before the credentials expire, and a spec naming keys outside its job creates nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadConfigFile } from '../../../../constructs/config';
import type { RunEnd, RunListener, RunRequest } from '../../src/executor/executor';
import { AwsJobCredentialIssuer } from '../../src/executor/kubernetes/job-credentials-aws';
import { KubernetesExecutor } from '../../src/executor/kubernetes/kubernetes-executor';
import { objectNames } from '../../src/executor/kubernetes/names';
import { settingsFromConfig } from '../../src/executor/kubernetes/settings';
import { silentLogger } from '../../src/ops/logger';
import { LocalDirectoryStorage } from '../../src/storage/local-directory-storage';
import { FakeApiServer, type Obj } from './fake-apiserver';
import { loadSchemaChecker, type SchemaChecker } from './k8s-schema';

const NS = 'vpctune';
const config = loadConfigFile(path.join(__dirname, '..', 'fixtures', 'kubernetes', 'platform-aws.yaml'));
const settings = settingsFromConfig(config, { bucketUri: 's3://acme-artifacts-1', trainerImage: 'registry.example/acme-ft/trainer:0.1.0' });
const ROLE = 'arn:aws:iam::123456789012:role/acme-vpctune-trainer-job';

/** An STS client that answers AssumeRole with numbered keys expiring `lifetimeMs` after the test clock, recording each call. */
class StandInSts {
  readonly calls: AssumeRoleCommand['input'][] = [];
  constructor(
    private readonly clock: () => number,
    private readonly lifetimeMs: number,
  ) {}
  async send(command: AssumeRoleCommand): Promise<unknown> {
    this.calls.push(command.input);
    const n = this.calls.length;
    return { Credentials: { AccessKeyId: `ASIAKEY${n}`, SecretAccessKey: `secret${n}`, SessionToken: `token${n}`, Expiration: new Date(this.clock() + this.lifetimeMs) } };
  }
}

const listener: RunListener = {
  async onEvents(): Promise<void> {},
  async onEnd(_jobId: string, _end: RunEnd): Promise<void> {},
};

function request(jobId: string, trainingFile = 'files/file-train'): RunRequest {
  return {
    jobId,
    projectId: 'team-a',
    spec: {
      base_model: 'models/meta-llama/Llama-3.1-8B-Instruct/',
      training_file: trainingFile,
      method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 'auto', batch_size: 'auto', learning_rate_multiplier: 'auto' } } },
      adapter: { type: 'lora', r: 16, alpha: 32, dropout: 0.05, target_modules: 'all-linear' },
      seed: 42,
      output_dir: `jobs/${jobId}/output/`,
    },
  };
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 8000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let server: FakeApiServer;
let kubeConfig: KubeConfig;
let storage: LocalDirectoryStorage;
let tmp: string;
let schema: SchemaChecker;
const clock = 1_000_000_000_000;
const executors: KubernetesExecutor[] = [];

async function newExecutor(sts: StandInSts, refreshBeforeMs: number): Promise<KubernetesExecutor> {
  const credentials = new AwsJobCredentialIssuer({ roleArn: ROLE, bucket: 'acme-artifacts-1', prefix: '', region: 'us-east-1', sts: sts as unknown as STSClient, refreshBeforeMs });
  const e = await KubernetesExecutor.connect(storage, { settings, pollMs: 40, watchRetryMs: 40, now: () => clock, credentials }, silentLogger, { kubeConfig });
  executors.push(e);
  return e;
}

beforeAll(async () => {
  schema = await loadSchemaChecker();
});

beforeEach(async () => {
  server = new FakeApiServer();
  await server.start();
  const k8s = await import('@kubernetes/client-node');
  kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromString(JSON.stringify(server.kubeconfig(NS)));
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-k8s-creds-'));
  storage = new LocalDirectoryStorage(tmp);
});

afterEach(async () => {
  for (const e of executors.splice(0)) await e.detachAll();
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('GIVEN the AWS issuer WHEN a job starts THEN its Secret is owned by the Job and the pod mounts it with the AWS environment and the IRSA opt-out', async () => {
  // GIVEN credentials living an hour, rewritten 30 minutes before they expire
  const sts = new StandInSts(() => clock, 3_600_000);
  const executor = await newExecutor(sts, 1_800_000);
  const name = objectNames('ftjob-Cred', 1).job;
  // WHEN
  await executor.start(request('ftjob-Cred'), 0, listener);
  // THEN one AssumeRole of the trainer-job role, named after the job, with its session policy
  expect(sts.calls.map((c) => [c.RoleArn, c.RoleSessionName, c.DurationSeconds])).toEqual([[ROLE, 'vpctune-ftjob-Cred', 3600]]);
  expect(JSON.parse(String(sts.calls[0]?.Policy)).Statement[0].Condition.StringEquals['s3:prefix']).toEqual(['files/file-train', 'models/meta-llama/Llama-3.1-8B-Instruct/', 'jobs/ftjob-Cred/output/']);
  // AND the Secret, owned by the Job, holds the process credentials and their expiry
  const secret = await waitFor('the Secret', () => server.get('secrets', NS, `${name}-credentials`));
  expect(schema.problems(secret)).toEqual([]);
  expect(secret.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Job', name, uid: server.get('jobs', NS, name)?.metadata.uid });
  expect(secret.metadata.annotations?.['vpctune.dev/credentials-expire']).toBe(new Date(clock + 3_600_000).toISOString());
  const data = secret['stringData'] as Record<string, string>;
  expect(Object.keys(data).sort()).toEqual(['config', 'credentials.json']);
  expect(JSON.parse(data['credentials.json'] ?? '')).toMatchObject({ Version: 1, AccessKeyId: 'ASIAKEY1', SessionToken: 'token1' });
  // AND the pod template mounts it read-only with the SDK pointed at it, no IMDS, no IRSA injection
  const job = server.get('jobs', NS, name) as Obj;
  expect(schema.problems(job)).toEqual([]);
  const template = (job['spec'] as { template: { metadata: { annotations: Record<string, string> }; spec: { containers: { env: { name: string; value?: string }[]; volumeMounts: unknown[] }[]; volumes: unknown[] } } }).template;
  expect(template.metadata.annotations['eks.amazonaws.com/skip-containers']).toBe('trainer');
  const container = template.spec.containers[0];
  expect(container?.env.filter((e) => e.name.startsWith('AWS_') && !e.name.includes('REGION'))).toEqual([
    { name: 'AWS_CONFIG_FILE', value: '/var/run/vpctune/credentials/config' },
    { name: 'AWS_SHARED_CREDENTIALS_FILE', value: '/dev/null' },
    { name: 'AWS_EC2_METADATA_DISABLED', value: 'true' },
  ]);
  expect(container?.volumeMounts).toContainEqual({ name: 'credentials', mountPath: '/var/run/vpctune/credentials', readOnly: true });
  expect(template.spec.volumes).toContainEqual({ name: 'credentials', secret: { secretName: `${name}-credentials`, defaultMode: 0o440 } });

  // WHEN the Job is deleted
  server.remove('jobs', NS, name);
  // THEN its Secret goes with it
  expect(server.get('secrets', NS, `${name}-credentials`)).toBeUndefined();
});

test('GIVEN credentials close to expiry WHEN the refresh time comes THEN the Secret is rewritten with fresh ones', async () => {
  // GIVEN credentials whose refresh time is one second away
  const sts = new StandInSts(() => clock, 60_000 + 1000);
  const executor = await newExecutor(sts, 60_000);
  const name = objectNames('ftjob-Refresh', 1).job;
  // WHEN
  await executor.start(request('ftjob-Refresh'), 0, listener);
  // THEN a second AssumeRole, and the Secret replaced (PUT) with its keys
  await waitFor('the second mint', () => sts.calls.length >= 2, 5000);
  const rewritten = await waitFor('the rewritten Secret', () => {
    const s = server.get('secrets', NS, `${name}-credentials`);
    return s !== undefined && String((s['stringData'] as Record<string, string>)['credentials.json']).includes('ASIAKEY2') ? s : undefined;
  });
  expect(server.requests.filter((r) => r.method === 'PUT').map((r) => r.path)).toContain(`/api/v1/namespaces/${NS}/secrets/${name}-credentials`);
  expect(rewritten.metadata.ownerReferences?.[0]?.uid).toBe(server.get('jobs', NS, name)?.metadata.uid);
});

test('GIVEN a spec naming another job’s output as its training file WHEN it starts THEN nothing is minted or created', async () => {
  // GIVEN
  const sts = new StandInSts(() => clock, 3_600_000);
  const executor = await newExecutor(sts, 1_800_000);
  // WHEN / THEN
  await expect(executor.start(request('ftjob-Bad', 'jobs/ftjob-other/output/events.jsonl'), 0, listener)).rejects.toThrow(
    'trainer spec training_file "jobs/ftjob-other/output/events.jsonl" is not a key the trainer may be granted; allowed: files/<file id>',
  );
  expect(sts.calls).toEqual([]);
  expect(server.created('jobs')).toEqual([]);
  expect(server.created('secrets')).toEqual([]);
});
