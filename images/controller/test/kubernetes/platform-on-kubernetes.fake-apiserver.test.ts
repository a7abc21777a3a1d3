/**
 * The whole controller (API, store, supervisor) with the Kubernetes executor, driven with the official `openai` SDK,
 * against the in-process list/watch apiserver (fake-apiserver.ts): a job runs to `succeeded` with its results
 * registered, and a cancel deletes its Job with foreground propagation. The test plays Kueue, the Job controller, the
 * kubelet and the trainer (writing its outputs into the platform's blob storage).
 *
 * OWED: the same flow against a real apiserver with Kueue and a GPU node; see kubernetes-executor.fake-apiserver.test.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import OpenAI, { toFile } from 'openai';
import { Accelerator, Cloud, findSku, type GpuSku } from '../../../../constructs/catalog';
import { loadConfigFile } from '../../../../constructs/config';
import { countChatTokens, estimateJob, findModel, FineTuneMethod, type ModelSpec } from '../../../../constructs/estimate';
import { KubernetesExecutor } from '../../src/executor/kubernetes/kubernetes-executor';
import { objectNames } from '../../src/executor/kubernetes/names';
import { settingsFromConfig } from '../../src/executor/kubernetes/settings';
import { silentLogger } from '../../src/ops/logger';
import { createApiKey } from '../../src/platform/api-keys';
import { importBaseModel } from '../../src/platform/model-registry';
import { startPlatform, type RunningPlatform } from '../../src/platform/platform';
import { FakeApiServer, type Obj } from './fake-apiserver';
import { loadSchemaChecker } from './k8s-schema';

const NS = 'vpctune';
const MODEL = 'vpctune/tiny-chat';
const settings = settingsFromConfig(loadConfigFile(path.join(__dirname, '..', 'fixtures', 'kubernetes', 'platform-aws.yaml')), { bucketUri: 's3://acme-artifacts-1', trainerImage: 'registry.example/acme-ft/trainer:0.1.0' });

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

test('a job created through the API runs as a Kubernetes Job and ends succeeded with its results', async () => {
  // GIVEN a training file uploaded through the SDK
  const file = await client.files.create({ file: await toFile(Buffer.from(trainingFile()), 'train.jsonl'), purpose: 'fine-tune' });
  // WHEN a LoRA job is created
  const job = await client.fineTuning.jobs.create({ model: MODEL, training_file: file.id, suffix: 'k8s' }, { body: { model: MODEL, training_file: file.id, suffix: 'k8s', adapter: { type: 'lora', r: 8 } } });
  // THEN a suspended Job for it appears on the smallest pool, schema-valid, with the placement from the model's config
  const name = objectNames(job.id, 1).job;
  const created = await until('the Job', () => server.get('jobs', NS, name));
  expect((await loadSchemaChecker()).problems(created)).toEqual([]);
  expect(created.metadata.annotations?.['vpctune.dev/placement']).toBe('vpctune/tiny-chat LoRA rank 8 needs 1 A10G GPU: pool a10g (the smallest pool that holds it), 1 GPU on one node.');
  const configMap = await until('the spec ConfigMap (created after the Job)', () => server.get('configmaps', NS, `${name}-spec`));
  expect(JSON.parse((configMap['data'] as Record<string, string>)['spec.json'] ?? '')).toMatchObject({ training_file: `s3://acme-artifacts-1/files/${file.id}`, output_dir: `s3://acme-artifacts-1/jobs/${job.id}/output/` });

  // WHEN Kueue admits it, the trainer runs and writes its outputs, and the Job completes
  server.admit(NS, name);
  server.addPod(NS, name, 0, RUNNING);
  const out = `jobs/${job.id}/output/`;
  const events = [
    { type: 'started', time: 1, total_steps: 2, n_epochs: 1, resumed_from_step: null, hyperparameters: { n_epochs: 1, batch_size: 4, learning_rate_multiplier: 1 }, pid: 1 },
    { type: 'metrics', time: 2, epoch: 0.5, iteration: 1, train_loss: 2.5, trained_tokens: 60, valid_loss: null, perplexity: null },
    { type: 'checkpoint', time: 2.5, step: 1, path: 'checkpoints/step-1' },
    { type: 'metrics', time: 3, epoch: 1, iteration: 2, train_loss: 1.5, trained_tokens: 120, valid_loss: null, perplexity: null },
    { type: 'finished', time: 4, trained_tokens: 120, manifest: 'manifest.json' },
  ];
  await put(`${out}metrics.jsonl`, events.filter((e) => e.type === 'metrics').map((e) => JSON.stringify(e)).join('\n') + '\n');
  await put(`${out}adapter/adapter_config.json`, '{"r": 8}\n');
  await put(`${out}adapter/adapter_model.safetensors`, 'weights');
  await put(`${out}manifest.json`, JSON.stringify({ format_version: 1, base_model: `s3://acme-artifacts-1/models/${MODEL}/`, method: 'supervised', adapter_type: 'lora', output: 'adapter', trained_tokens: 120, steps: 2, hyperparameters: { n_epochs: 1 }, metrics_file: 'metrics.jsonl', checkpoints: ['checkpoints/step-1'] }));
  await put(`${out}events.jsonl`, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  server.update('pods', NS, `${name}-0-x0`, (p) => {
    p['status'] = { phase: 'Succeeded', containerStatuses: [{ name: 'trainer', image: settings.trainerImage, ready: false, restartCount: 0, imageID: '', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] };
  });
  server.update('jobs', NS, name, (j: Obj) => {
    j['status'] = { conditions: [{ type: 'Complete', status: 'True', reason: 'CompletionsReached' }] };
  });

  // THEN the job succeeds with its model and result files, and its events tell the Kubernetes story
  const done = await until('succeeded', async () => {
    const j = await client.fineTuning.jobs.retrieve(job.id);
    return j.status === 'succeeded' || j.status === 'failed' ? j : undefined;
  });
  expect(done.status).toBe('succeeded');
  expect(done.fine_tuned_model).toMatch(/^vpctune\/tiny-chat:k8s:/);
  expect(done.trained_tokens).toBe(120);
  expect(done.result_files).toHaveLength(2);
  const messages = (await client.fineTuning.jobs.listEvents(job.id, { limit: 50 })).data.map((e) => e.message);
  expect(messages).toContain('The job has successfully completed');
  for (const m of [
    `Created Kubernetes Job ${name} on GPU pool a10g (1 node x 1 A10G GPU)`,
    `Waiting for Kueue to admit Kubernetes Job ${name} (queue vpctune, pool a10g)`,
    `Kueue admitted Kubernetes Job ${name}; starting its pods on pool a10g`,
  ]) {
    expect(messages).toContain(m);
  }
  expect(server.created('jobs')).toHaveLength(1);
});

test('cancelling a running job deletes its Job with foreground propagation', async () => {
  const file = await client.files.create({ file: await toFile(Buffer.from(trainingFile()), 'train.jsonl'), purpose: 'fine-tune' });
  const job = await client.fineTuning.jobs.create({ model: MODEL, training_file: file.id });
  const name = objectNames(job.id, 1).job;
  await until('the Job', () => server.get('jobs', NS, name));
  server.admit(NS, name);
  server.addPod(NS, name, 0, RUNNING);
  await until('running', async () => ((await client.fineTuning.jobs.retrieve(job.id)).status === 'running' ? true : undefined));
  // WHEN the job is cancelled through the API
  const cancelled = await client.fineTuning.jobs.cancel(job.id);
  // THEN it is cancelled and its Job is being deleted in the foreground (the pod gets its grace period)
  expect(cancelled.status).toBe('cancelled');
  const del = await until('the DELETE', () => server.requests.find((r) => r.method === 'DELETE' && r.path.endsWith(`/jobs/${name}`)));
  expect(del.query['propagationPolicy']).toBe('Foreground');
  expect(server.get('jobs', NS, name)?.metadata.deletionTimestamp).toBeDefined();
  server.finishForegroundDeletion(NS, name);
  await until('the Job gone', () => (server.get('jobs', NS, name) === undefined ? true : undefined));
  expect((await client.fineTuning.jobs.retrieve(job.id)).status).toBe('cancelled');
});

test('a trainer stopped at a checkpoint is resumed by the supervisor as the next attempt', async () => {
  // GIVEN a running job
  const file = await client.files.create({ file: await toFile(Buffer.from(trainingFile()), 'train.jsonl'), purpose: 'fine-tune' });
  const job = await client.fineTuning.jobs.create({ model: MODEL, training_file: file.id });
  const first = objectNames(job.id, 1).job;
  await until('the Job', () => server.get('jobs', NS, first));
  server.admit(NS, first);
  // WHEN its trainer is stopped from outside (SIGTERM: checkpoint, exit 75) and the Job fails
  server.addPod(NS, first, 0, { phase: 'Failed', containerStatuses: [{ name: 'trainer', image: settings.trainerImage, ready: false, restartCount: 0, imageID: '', state: { terminated: { exitCode: 75, reason: 'Error' } } }] });
  server.update('jobs', NS, first, (j: Obj) => {
    j['status'] = { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] };
  });
  // THEN the supervisor resumes it: attempt 2 is created, and the job says so (no checkpoint was relayed before the
  // stop, so the one resume event says it starts from the beginning)
  const second = objectNames(job.id, 2).job;
  await until('attempt 2', () => server.get('jobs', NS, second));
  const messages = await until('the resume events', async () => {
    const m = (await client.fineTuning.jobs.listEvents(job.id, { limit: 50 })).data.map((e) => e.message);
    return m.includes(`Created Kubernetes Job ${second} on GPU pool a10g (1 node x 1 A10G GPU)`) ? m : undefined;
  });
  expect(messages).toContain('Restarting from the beginning (no checkpoint yet) (attempt 2 of 3): the trainer stopped at a checkpoint');
  expect((await client.fineTuning.jobs.retrieve(job.id)).status).toBe('running');
  await client.fineTuning.jobs.cancel(job.id);
});

test('a job naming a GPU pool in the adapter extension field lands on that pool through the API', async () => {
  // GIVEN a training file
  const file = await client.files.create({ file: await toFile(Buffer.from(trainingFile()), 'train.jsonl'), purpose: 'fine-tune' });
  // WHEN a job is created through the SDK with adapter.pool = l40s-x4 (extra body, as SDK users pass extensions)
  const job = await client.fineTuning.jobs.create({ model: MODEL, training_file: file.id }, { body: { model: MODEL, training_file: file.id, adapter: { type: 'lora', pool: 'l40s-x4' } } });
  // THEN its Job is placed on l40s-x4 (not the smallest pool), and the trainer's spec does not carry the pool
  const name = objectNames(job.id, 1).job;
  const created = await until('the Job', () => server.get('jobs', NS, name));
  expect(created.metadata.annotations?.['vpctune.dev/placement']).toMatch(/pool l40s-x4 \(named in the request\)/);
  const configMap = await until('the spec ConfigMap', () => server.get('configmaps', NS, `${name}-spec`));
  const spec = JSON.parse((configMap['data'] as Record<string, string>)['spec.json'] ?? '') as { adapter: Record<string, unknown> };
  expect(spec.adapter['pool']).toBeUndefined();
  await client.fineTuning.jobs.cancel(job.id);
});

test('an invalid pool name is refused at creation with an OpenAI-shaped 400 naming adapter.pool', async () => {
  const file = await client.files.create({ file: await toFile(Buffer.from(trainingFile()), 'train.jsonl'), purpose: 'fine-tune' });
  await expect(
    client.fineTuning.jobs.create({ model: MODEL, training_file: file.id }, { body: { model: MODEL, training_file: file.id, adapter: { pool: 'GPU Pool!' } } }),
  ).rejects.toMatchObject({
    status: 400,
    param: 'adapter.pool',
    error: { message: "Invalid 'adapter.pool': \"GPU Pool!\"; allowed: the name of one of the platform's GPU pools (lowercase letters, digits and dashes)." },
  });
});

test("a queued job's estimated_finish comes from the estimator for the pool it will run on, and counts from the start once running", async () => {
  // GIVEN Llama 3.1 8B registered as a base model (the estimator's catalog knows it) and a file of 12 long examples
  const llama = 'meta-llama/Llama-3.1-8B-Instruct';
  const now = Math.floor(Date.now() / 1000);
  await importBaseModel(platform.store, platform.storage, llama, path.join(dataDir, 'tiny-model'), now);
  const text = Array.from({ length: 12 }, (_, i) => JSON.stringify({ messages: [{ role: 'user', content: `Summarise document ${i}: ${'lorem ipsum '.repeat(20_000)}` }, { role: 'assistant', content: 'A summary.' }] })).join('\n') + '\n';
  const file = await client.files.create({ file: await toFile(Buffer.from(text), 'long.jsonl'), purpose: 'fine-tune' });
  // and what `vpctune estimate` says for it on the one-GPU A10G shape placement picks for 8B LoRA: 2 epochs of the
  // file's tokens (counted without a tokenizer, as the controller does)
  const tokens = countChatTokens(text, 'long.jsonl').tokens * 2;
  const row = estimateJob({ model: findModel(llama) as ModelSpec, datasetTokens: tokens, setup: { method: FineTuneMethod.LORA, lora: { rank: 16 } }, skus: [findSku(Cloud.AWS, Accelerator.A10G, 1) as GpuSku] }).shapes[0];
  const expected = Math.ceil((row?.hours as number) * 3600);
  expect(expected).toBeGreaterThan(60);

  // WHEN a LoRA job with n_epochs 2 is created
  const body = { model: llama, training_file: file.id, method: { type: 'supervised' as const, supervised: { hyperparameters: { n_epochs: 2 } } } };
  const job = await client.fineTuning.jobs.create(body);

  // THEN the queued job finishes, by the estimate, that many seconds after it was queued (same second or the next)
  expect(job.status).toBe('queued');
  expect((job.estimated_finish as number) - job.created_at).toBeGreaterThanOrEqual(expected);
  expect((job.estimated_finish as number) - job.created_at).toBeLessThanOrEqual(expected + 1);
  // and once it is running (its Job created), the estimate counts from the start
  await until('the Job', () => server.get('jobs', NS, objectNames(job.id, 1).job));
  const running = await client.fineTuning.jobs.retrieve(job.id);
  expect(running.status).toBe('running');
  expect(running.estimated_finish as number).toBeGreaterThanOrEqual(job.estimated_finish as number);
  expect(running.estimated_finish as number).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + expected);
  await client.fineTuning.jobs.cancel(job.id);
  expect((await client.fineTuning.jobs.retrieve(job.id)).estimated_finish).toBeNull();
});
