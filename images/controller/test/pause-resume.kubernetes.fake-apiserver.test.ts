/**
 * Pause and resume on the Kubernetes executor, through the official `openai` SDK against the in-process apiserver
 * (kubernetes/fake-apiserver.ts; the test plays Kueue, the Job controller, the kubelet and the trainer): a pause
 * deletes the running Job in the foreground (its pod's SIGTERM: checkpoint, exit 75), the job goes back to the queue
 * paused once the Job is gone, and a resume submits a new Job, whose trainer resumes from the checkpoint.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import OpenAI, { toFile } from 'openai';
import { loadConfigFile } from '../../../constructs/config';
import { KubernetesExecutor } from '../src/executor/kubernetes/kubernetes-executor';
import { objectNames } from '../src/executor/kubernetes/names';
import { settingsFromConfig } from '../src/executor/kubernetes/settings';
import { silentLogger } from '../src/ops/logger';
import { createApiKey } from '../src/platform/api-keys';
import { importBaseModel } from '../src/platform/model-registry';
import { startPlatform, type RunningPlatform } from '../src/platform/platform';
import { FakeApiServer, type Obj } from './kubernetes/fake-apiserver';

const NS = 'vpctune';
const MODEL = 'vpctune/tiny-chat';
const settings = settingsFromConfig(loadConfigFile(path.join(__dirname, 'fixtures', 'kubernetes', 'platform-aws.yaml')), { bucketUri: 's3://acme-artifacts-1', trainerImage: 'registry.example/acme-ft/trainer:0.1.0' });

let server: FakeApiServer;
let platform: RunningPlatform;
let dataDir: string;
let client: OpenAI;

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function trainingFile(): string {
  return Array.from({ length: 12 }, (_, i) => JSON.stringify({ messages: [{ role: 'user', content: `What is ${i} + ${i}?` }, { role: 'assistant', content: `${2 * i}` }] })).join('\n') + '\n';
}

async function put(key: string, text: string): Promise<void> {
  await platform.storage.put(key, Readable.from([Buffer.from(text)]));
}

const RUNNING = { phase: 'Running', containerStatuses: [{ name: 'trainer', image: settings.trainerImage, ready: true, restartCount: 0, imageID: '', state: { running: { startedAt: '2026-11-22T00:00:00Z' } } }] };

beforeAll(async () => {
  server = new FakeApiServer();
  await server.start();
  const k8s = await import('@kubernetes/client-node');
  const kubeConfig: KubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromString(JSON.stringify(server.kubeconfig(NS)));
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-k8s-platform-'));
  platform = await startPlatform({
    dataDir,
    port: 0,
    trainer: { python: 'python3-is-not-used' },
    executor: KubernetesExecutor.factory({ settings, pollMs: 50, watchRetryMs: 50 }, { kubeConfig }),
    supervisor: { scheduleIntervalMs: 50, maxConcurrentJobs: 10, perProjectRunningLimit: 10 },
    api: { rateLimit: null },
    log: silentLogger,
  });
  // The base model's config.json is in storage: the executor's placement estimates memory from it.
  const modelDir = path.join(dataDir, 'tiny-model');
  fs.mkdirSync(modelDir);
  fs.writeFileSync(path.join(modelDir, 'config.json'), JSON.stringify({ model_type: 'llama', num_hidden_layers: 2, hidden_size: 64, intermediate_size: 128, num_attention_heads: 4, num_key_value_heads: 4, vocab_size: 630 }));
  const now = Math.floor(Date.now() / 1000);
  await importBaseModel(platform.store, platform.storage, MODEL, modelDir, now);
  const key = await createApiKey(platform.store, 'alpha', now);
  client = new OpenAI({ apiKey: key.key, baseURL: platform.url, maxRetries: 0 });
});

afterAll(async () => {
  await platform.close();
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});


async function writeEvents(jobId: string, events: readonly object[]): Promise<void> {
  await put(`jobs/${jobId}/output/events.jsonl`, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
}

async function messages(jobId: string): Promise<string[]> {
  return (await client.fineTuning.jobs.listEvents(jobId, { limit: 100 })).data.map((e) => e.message).reverse();
}

test('a paused job deletes its Job, waits in the queue paused, and resumes from its checkpoint in a new Job', async () => {
  // GIVEN a running job whose trainer has relayed two steps and a checkpoint at step 2
  const file = await client.files.create({ file: await toFile(Buffer.from(trainingFile()), 'train.jsonl'), purpose: 'fine-tune' });
  const job = await client.fineTuning.jobs.create({ model: MODEL, training_file: file.id });
  const first = objectNames(job.id, 1).job;
  await until('the Job', () => server.get('jobs', NS, first));
  server.admit(NS, first);
  server.addPod(NS, first, 0, RUNNING);
  const ran = [
    { type: 'started', time: 1, total_steps: 4, n_epochs: 1, resumed_from_step: null, hyperparameters: { n_epochs: 1, batch_size: 4, learning_rate_multiplier: 1 }, pid: 1 },
    { type: 'metrics', time: 2, epoch: 0.25, iteration: 1, train_loss: 2.5, trained_tokens: 60, valid_loss: null, perplexity: null },
    { type: 'metrics', time: 3, epoch: 0.5, iteration: 2, train_loss: 2.0, trained_tokens: 120, valid_loss: null, perplexity: null },
  ];
  await writeEvents(job.id, ran);
  await until('step 2 relayed', async () => ((await messages(job.id)).includes('Step 2/4: training loss=2.0000') ? true : undefined));

  // WHEN the job is paused through the SDK
  const pausing = (await client.fineTuning.jobs.pause(job.id)) as OpenAI.FineTuning.Jobs.FineTuningJob & { paused_at: number | null };

  // THEN it is still running with paused_at set, and its Job is being deleted in the foreground (the pod's grace period)
  expect(pausing.status).toBe('running');
  expect(typeof pausing.paused_at).toBe('number');
  const del = await until('the DELETE', () => server.requests.find((r) => r.method === 'DELETE' && r.path.endsWith(`/jobs/${first}`)));
  expect(del.query['propagationPolicy']).toBe('Foreground');

  // WHEN the trainer checkpoints at step 2 and exits, and the Job is gone
  const stopped = [...ran, { type: 'checkpoint', time: 4, step: 2, path: 'checkpoints/step-2' }, { type: 'stopped', time: 4.5, step: 2, checkpoint: 'checkpoints/step-2' }];
  await writeEvents(job.id, stopped);
  await until('the checkpoint relayed', async () => ((await messages(job.id)).includes('Checkpoint created at step 2') ? true : undefined));
  server.finishForegroundDeletion(NS, first);

  // THEN the job is queued and paused, says so, and no next Job is submitted while it is paused
  const paused = await until('paused', async () => {
    const j = (await client.fineTuning.jobs.retrieve(job.id)) as typeof pausing;
    return j.status === 'queued' ? j : undefined;
  });
  expect(paused.paused_at).toBe(pausing.paused_at);
  expect(await messages(job.id)).toEqual(expect.arrayContaining(['Pausing: the trainer saves a checkpoint and stops', 'Job paused at step 2']));
  await new Promise((r) => setTimeout(r, 300));
  const jobPosts = () => server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/jobs')).length;
  expect([server.get('jobs', NS, first), jobPosts()]).toEqual([undefined, 1]);

  // WHEN it is resumed and the next attempt's trainer resumes from the checkpoint
  const resumed = (await client.fineTuning.jobs.resume(job.id)) as typeof pausing;
  expect(resumed).toMatchObject({ status: 'queued', paused_at: null });
  // (the executor names a Job after the highest attempt still in the cluster: the paused one is gone, so it is "a1" again)
  await until('a new Job', () => (jobPosts() === 2 ? server.get('jobs', NS, first) : undefined));
  server.admit(NS, first);
  server.addPod(NS, first, 0, RUNNING);
  await writeEvents(job.id, [...stopped, { type: 'started', time: 10, total_steps: 4, n_epochs: 1, resumed_from_step: 2, hyperparameters: { n_epochs: 1, batch_size: 4, learning_rate_multiplier: 1 }, pid: 2 }]);

  // THEN the job runs again and its events tell the story once, the trainer's resume naming the step
  const all = await until('the resume relayed', async () => {
    const m = await messages(job.id);
    return m.includes('Training resumed from step 2 of 4') ? m : undefined;
  });
  expect(all.slice(all.indexOf('Job paused at step 2'))).toEqual(expect.arrayContaining(['Job resumed', 'Fine-tuning job started again after a pause', 'Training resumed from step 2 of 4']));
  expect(all.filter((m) => m === `Created Kubernetes Job ${first} on GPU pool a10g (1 node x 1 A10G GPU)`)).toHaveLength(2);
  expect((await client.fineTuning.jobs.retrieve(job.id)).status).toBe('running');
  await client.fineTuning.jobs.cancel(job.id);
});
