/**
 * Per-job trainer credentials on GCP wired through the Kubernetes executor against the fake apiserver: the GCP issuer
 * (its STS token exchange answered by a stand-in transport) mints before the Job, the Secret owned by the Job holds
 * the downscoped token file, and the pod mounts it with `VPCTUNE_GCS_TOKEN_FILE` and no identity-webhook annotation.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { DefaultTransporter, OAuth2Client } from 'google-auth-library';
import { loadConfigFile } from '../../../../constructs/config';
import type { RunEnd, RunListener, RunRequest } from '../../src/executor/executor';
import { GcpJobCredentialIssuer } from '../../src/executor/kubernetes/job-credentials-gcp';
import { KubernetesExecutor } from '../../src/executor/kubernetes/kubernetes-executor';
import { objectNames } from '../../src/executor/kubernetes/names';
import { settingsFromConfig } from '../../src/executor/kubernetes/settings';
import { silentLogger } from '../../src/ops/logger';
import { LocalDirectoryStorage } from '../../src/storage/local-directory-storage';
import { FakeApiServer, type Obj } from './fake-apiserver';
import { loadSchemaChecker, type SchemaChecker } from './k8s-schema';

const NS = 'vpctune';
const config = loadConfigFile(path.join(__dirname, '..', 'fixtures', 'kubernetes', 'platform-gcp.yaml'));
const settings = settingsFromConfig(config, { bucketUri: 'gs://acme-artifacts', trainerImage: 'registry.example/acme-ft/trainer:0.1.0' });
const listener: RunListener = { async onEvents(): Promise<void> {}, async onEnd(_jobId: string, _end: RunEnd): Promise<void> {} };

function request(jobId: string): RunRequest {
  return {
    jobId,
    projectId: 'team-a',
    spec: {
      base_model: 'models/meta-llama/Llama-3.1-8B-Instruct/',
      training_file: 'files/file-train',
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
let executor: KubernetesExecutor | undefined;

beforeAll(async () => {
  schema = await loadSchemaChecker();
});

beforeEach(async () => {
  server = new FakeApiServer();
  await server.start();
  const k8s = await import('@kubernetes/client-node');
  kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromString(JSON.stringify(server.kubeconfig(NS)));
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-k8s-gcp-creds-'));
  storage = new LocalDirectoryStorage(tmp);
});

afterEach(async () => {
  await executor?.detachAll();
  executor = undefined;
  jest.restoreAllMocks();
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('GIVEN the GCP issuer WHEN a job starts THEN its Secret holds the downscoped token and the pod mounts it with VPCTUNE_GCS_TOKEN_FILE', async () => {
  // GIVEN a trainer-job token and an STS answering the exchange with a downscoped one
  const clock = Date.now();
  const source = new OAuth2Client();
  source.setCredentials({ access_token: 'ya29.trainer-job', expiry_date: clock + 3_600_000 });
  const exchanged: string[] = [];
  jest.spyOn(DefaultTransporter.prototype, 'request').mockImplementation((async (opts: { url?: string; data?: string }) => {
    exchanged.push(`${opts.url} ${new URLSearchParams(opts.data).get('subject_token')}`);
    return { data: { access_token: 'ya29.downscoped', token_type: 'Bearer', expires_in: 3600 }, status: 200, headers: {}, config: opts };
  }) as never);
  const credentials = new GcpJobCredentialIssuer({ serviceAccount: 'acme-tjb@acme-ml-prod.iam.gserviceaccount.com', bucket: 'acme-artifacts', prefix: '', source });
  executor = await KubernetesExecutor.connect(storage, { settings, pollMs: 40, watchRetryMs: 40, now: () => clock, credentials }, silentLogger, { kubeConfig });
  const name = objectNames('ftjob-Gcp', 1).job;
  // WHEN
  await executor.start(request('ftjob-Gcp'), 0, listener);
  // THEN one exchange of the trainer-job token
  expect(exchanged).toEqual(['https://sts.googleapis.com/v1/token ya29.trainer-job']);
  // AND the Secret, owned by the Job, holds the token file
  const secret = await waitFor('the Secret', () => server.get('secrets', NS, `${name}-credentials`));
  expect(schema.problems(secret)).toEqual([]);
  expect(secret.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Job', name, uid: server.get('jobs', NS, name)?.metadata.uid });
  const data = secret['stringData'] as Record<string, string>;
  expect(Object.keys(data)).toEqual(['gcs-token.json']);
  expect(JSON.parse(data['gcs-token.json'] ?? '')).toMatchObject({ access_token: 'ya29.downscoped' });
  // AND the pod mounts it read-only with the trainer pointed at it, and no identity annotation
  const job = server.get('jobs', NS, name) as Obj;
  expect(schema.problems(job)).toEqual([]);
  const template = (job['spec'] as { template: { metadata: { annotations?: Record<string, string> }; spec: { containers: { env: { name: string; value?: string }[]; volumeMounts: unknown[] }[]; volumes: unknown[] } } }).template;
  expect(Object.keys(template.metadata.annotations ?? {}).filter((k) => k.includes('skip-containers'))).toEqual([]);
  const container = template.spec.containers[0];
  expect(container?.env.filter((e) => e.name === 'VPCTUNE_GCS_TOKEN_FILE')).toEqual([{ name: 'VPCTUNE_GCS_TOKEN_FILE', value: '/var/run/vpctune/credentials/gcs-token.json' }]);
  expect(container?.volumeMounts).toContainEqual({ name: 'credentials', mountPath: '/var/run/vpctune/credentials', readOnly: true });
  expect(template.spec.volumes).toContainEqual({ name: 'credentials', secret: { secretName: `${name}-credentials`, defaultMode: 0o440 } });
});
