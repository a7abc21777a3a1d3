/**
 * The `estimate` extension field of the fine-tuning job object, read through the official `openai` SDK: on the
 * Kubernetes executor (against the in-process apiserver, fake-apiserver.ts) it prices the run time of the job's stored
 * placement by the accelerator catalog — the GPUs the run holds at its node's price per GPU, on-demand and spot — and
 * it is null where there is no estimate: a base model the estimator does not know, and the local executor (CPU).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import OpenAI, { toFile } from 'openai';
import { Accelerator, Cloud, findSku, type GpuSku } from '../../../../constructs/catalog';
import { loadConfigFile } from '../../../../constructs/config';
import { countChatTokens, estimateJob, findModel, FineTuneMethod, type ModelSpec } from '../../../../constructs/estimate';
import { KubernetesExecutor } from '../../src/executor/kubernetes/kubernetes-executor';
import { settingsFromConfig } from '../../src/executor/kubernetes/settings';
import { silentLogger } from '../../src/ops/logger';
import { createApiKey } from '../../src/platform/api-keys';
import { importBaseModel } from '../../src/platform/model-registry';
import { startPlatform, type RunningPlatform } from '../../src/platform/platform';
import { fakeModelDir, startTestPlatform, BASE_MODEL, type TestPlatform } from '../helpers/test-platform';
import { FakeApiServer } from './fake-apiserver';

const NS = 'vpctune';
const LLAMA = 'meta-llama/Llama-3.1-8B-Instruct';
const UNKNOWN = 'acme/house-model';
const settings = settingsFromConfig(loadConfigFile(path.join(__dirname, '..', 'fixtures', 'kubernetes', 'platform-aws.yaml')), { bucketUri: 's3://acme-artifacts-1', trainerImage: 'registry.example/acme-ft/trainer:0.1.0' });

/** The field as the API sends it; the SDK's types do not know extension fields, its objects carry them. */
interface EstimateField {
  readonly estimate: Record<string, unknown> | null;
}

let server: FakeApiServer;
let platform: RunningPlatform;
let dataDir: string;
let client: OpenAI;
let fileId: string;
let fileTokens: number;

/** 12 long examples: enough tokens for a run of minutes, so the figures are more than rounding. */
function longTrainingFile(): string {
  return Array.from({ length: 12 }, (_, i) => JSON.stringify({ messages: [{ role: 'user', content: `Summarise document ${i}: ${'lorem ipsum '.repeat(20_000)}` }, { role: 'assistant', content: 'A summary.' }] })).join('\n') + '\n';
}

/** Seconds `vpctune estimate` gives 8B LoRA rank 16 over `tokens` on the one-GPU shape of `gpu` (whole seconds, up). */
function estimatorSeconds(gpu: Accelerator, tokens: number): number {
  const row = estimateJob({ model: findModel(LLAMA) as ModelSpec, datasetTokens: tokens, setup: { method: FineTuneMethod.LORA, lora: { rank: 16 } }, skus: [findSku(Cloud.AWS, gpu, 1) as GpuSku] }).shapes[0];
  return Math.ceil((row?.hours as number) * 3600);
}

/** `gpus` GPUs of a node of `sku` for `seconds` at the node's hourly price, in dollars to 1/100 cent. */
function share(seconds: number, gpus: number, sku: GpuSku, usdPerNodeHour: number): number {
  return Math.round(((seconds * gpus * usdPerNodeHour) / sku.gpuCount / 3600) * 10_000) / 10_000;
}

beforeAll(async () => {
  server = new FakeApiServer();
  await server.start();
  const k8s = await import('@kubernetes/client-node');
  const kubeConfig: KubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromString(JSON.stringify(server.kubeconfig(NS)));
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-k8s-estimate-'));
  platform = await startPlatform({
    dataDir,
    port: 0,
    trainer: { python: 'python3-is-not-used' },
    executor: KubernetesExecutor.factory({ settings, pollMs: 50, watchRetryMs: 50 }, { kubeConfig }),
    supervisor: { scheduleIntervalMs: 50, maxConcurrentJobs: 10, perProjectRunningLimit: 10 },
    api: { rateLimit: null },
    log: silentLogger,
  });
  const now = Math.floor(Date.now() / 1000);
  // Llama 3.1 8B is in the estimator's catalog; acme/house-model's config.json says too little for any estimate.
  await importBaseModel(platform.store, platform.storage, LLAMA, fakeModelDir(dataDir), now);
  await importBaseModel(platform.store, platform.storage, UNKNOWN, fakeModelDir(dataDir), now);
  const key = await createApiKey(platform.store, 'alpha', now);
  client = new OpenAI({ apiKey: key.key, baseURL: platform.url, maxRetries: 0 });
  const text = longTrainingFile();
  fileTokens = countChatTokens(text, 'long.jsonl').tokens;
  fileId = (await client.files.create({ file: await toFile(Buffer.from(text), 'long.jsonl'), purpose: 'fine-tune' })).id;
});

afterAll(async () => {
  await platform?.close();
  await server?.stop();
  if (dataDir !== undefined) fs.rmSync(dataDir, { recursive: true, force: true });
});

const twoEpochs = { type: 'supervised' as const, supervised: { hyperparameters: { n_epochs: 2 } } };

test('Given 8B LoRA placed on the spot A10G pool, then estimate prices its run time at g5.2xlarge on-demand and spot prices, and retrieve and list say the same', async () => {
  // GIVEN the run time `vpctune estimate` gives for 2 epochs of the file on one A10G, and the pool's shape in the catalog
  const seconds = estimatorSeconds(Accelerator.A10G, fileTokens * 2);
  const sku = findSku(Cloud.AWS, Accelerator.A10G, 1) as GpuSku;
  expect(sku.instanceType).toBe('g5.2xlarge');
  expect(seconds).toBeGreaterThan(60);

  // WHEN a job is created through the SDK
  const job = (await client.fineTuning.jobs.create({ model: LLAMA, training_file: fileId, method: twoEpochs })) as OpenAI.FineTuning.FineTuningJob & EstimateField;

  // THEN it carries the estimate for the pool placement chose: 1 GPU of a 1-GPU node for that many seconds
  expect(job.estimate).toEqual({
    run_seconds: seconds,
    pool: 'a10g',
    gpu: 'A10G',
    instance_type: 'g5.2xlarge',
    gpus: 1,
    capacity: 'spot',
    on_demand_usd: share(seconds, 1, sku, sku.onDemand.usdPerHour),
    spot_usd: share(seconds, 1, sku, sku.spotSnapshot.usdPerHour),
  });
  expect(job.estimate?.['spot_usd']).toBeLessThan(job.estimate?.['on_demand_usd'] as number);
  // AND the stored placement gives the same figures on retrieve and in the list
  expect(((await client.fineTuning.jobs.retrieve(job.id)) as unknown as EstimateField).estimate).toEqual(job.estimate);
  const listed = (await client.fineTuning.jobs.list({ limit: 100 })).data.find((j) => j.id === job.id) as unknown as EstimateField;
  expect(listed.estimate).toEqual(job.estimate);
});

test('Given 8B LoRA on the named 4x L40S on-demand pool, then estimate charges the one GPU it holds a quarter of the g6e.12xlarge node price', async () => {
  // GIVEN the run time on one L40S and the catalog's 4-GPU L40S shape the pool is made of
  const seconds = estimatorSeconds(Accelerator.L40S, fileTokens * 2);
  const sku = findSku(Cloud.AWS, Accelerator.L40S, 4) as GpuSku;
  expect([sku.instanceType, sku.gpuCount]).toEqual(['g6e.12xlarge', 4]);

  // WHEN a job names pool l40s-x4 in the adapter extension field
  const body = { model: LLAMA, training_file: fileId, method: twoEpochs, adapter: { type: 'lora', pool: 'l40s-x4' } };
  const job = (await client.fineTuning.jobs.create({ model: LLAMA, training_file: fileId }, { body })) as unknown as EstimateField;

  // THEN its estimate is one quarter of a node for the run, at on-demand and at spot prices
  expect(job.estimate).toEqual({
    run_seconds: seconds,
    pool: 'l40s-x4',
    gpu: 'L40S',
    instance_type: 'g6e.12xlarge',
    gpus: 1,
    capacity: 'on-demand',
    on_demand_usd: share(seconds, 1, sku, sku.onDemand.usdPerHour),
    spot_usd: share(seconds, 1, sku, sku.spotSnapshot.usdPerHour),
  });
  expect(job.estimate?.['on_demand_usd']).toBe(Math.round((seconds / 3600) * (10.493 / 4) * 10_000) / 10_000);
});

test('Given a base model the estimator does not know, then its job is placed but has no estimate', async () => {
  // WHEN a job on acme/house-model is created
  const job = (await client.fineTuning.jobs.create({ model: UNKNOWN, training_file: fileId })) as OpenAI.FineTuning.FineTuningJob & EstimateField;
  // THEN neither a finish time nor a cost is estimated
  expect(job.estimated_finish).toBeNull();
  expect(job.estimate).toBeNull();
});

describe('the local executor', () => {
  let local: TestPlatform;

  beforeAll(async () => {
    local = await startTestPlatform({ fakeTrainerEnv: { FAKE_STEPS: '2', FAKE_STEP_SECONDS: '0.01' } });
  });

  afterAll(async () => {
    await local?.close();
  });

  test('Given a job on the local executor (CPU), then estimate is null on create and on retrieve', async () => {
    // GIVEN
    const a = local.client(local.keyA);
    const file = await a.files.create({ file: await toFile(Buffer.from(longTrainingFile()), 'long.jsonl'), purpose: 'fine-tune' });
    // WHEN
    const job = (await a.fineTuning.jobs.create({ model: BASE_MODEL, training_file: file.id })) as OpenAI.FineTuning.FineTuningJob & EstimateField;
    // THEN the field is there, and null
    expect(Object.keys(job)).toContain('estimate');
    expect(job.estimate).toBeNull();
    expect(((await a.fineTuning.jobs.retrieve(job.id)) as unknown as EstimateField).estimate).toBeNull();
  });
});
