/**
 * A queued job's run-time estimate (the estimator's models behind `estimated_finish`): the epochs the trainer will run,
 * the tokens the validator counts, and the Kubernetes executor's placement (chosen once, stored) and seconds there, checked against `vpctune estimate`'s own row for the same one-GPU shape.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { loadConfigFile } from '../../../constructs/config';
import { countChatTokens, estimateJob, findModel, FineTuneMethod, type ModelSpec } from '../../../constructs/estimate';
import { Accelerator, Cloud, findSku } from '../../../constructs/catalog';
import type { Method } from '../src/domain/job';
import type { RunRequest } from '../src/executor/executor';
import { KubernetesExecutor } from '../src/executor/kubernetes/kubernetes-executor';
import { settingsFromConfig } from '../src/executor/kubernetes/settings';
import { autoEpochs, epochsFor, trainedTokensFor, wholeRunSeconds } from '../src/jobs/run-time-estimate';
import { silentLogger } from '../src/ops/logger';
import type { BlobStorage } from '../src/storage/blob-storage';
import { DEFAULT_ADAPTER } from '../src/validation/create-job-request';
import { validateTrainingFile } from '../src/validation/training-file-validator';

const REPO = path.resolve(__dirname, '..', '..', '..');
const LLAMA_8B = findModel('llama-3.1-8b') as ModelSpec;

function supervised(n_epochs: number | 'auto'): Method {
  return { type: 'supervised', supervised: { hyperparameters: { n_epochs, batch_size: 'auto', learning_rate_multiplier: 'auto' } } };
}

function request(method: Method, adapter = DEFAULT_ADAPTER, model = 'meta-llama/Llama-3.1-8B-Instruct'): RunRequest {
  return { jobId: 'ftjob-1', projectId: 'p', spec: { base_model: `models/${model}/`, training_file: 'files/f', method, adapter, seed: 1, output_dir: 'jobs/ftjob-1/output/' } };
}

const noStorage = { stat: () => Promise.resolve(undefined) } as unknown as BlobStorage;
const awsSettings = settingsFromConfig(loadConfigFile(path.join(__dirname, 'fixtures', 'kubernetes', 'platform-aws.yaml')), {
  bucketUri: 's3://acme-artifacts-1',
  trainerImage: 'registry.example/acme-ft/trainer:0.1.0',
});
const k8s = new KubernetesExecutor(() => Promise.reject(new Error('no apiserver in this test')), noStorage, { settings: awsSettings }, silentLogger);

describe('epochs', () => {
  const rows = (JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'auto-hyperparameters.json'), 'utf8')) as { n_epochs: { examples: number; n_epochs: number }[] }).n_epochs;

  test.each(rows)('auto epochs for $examples examples is $n_epochs, as the trainer rules (rows shared with its pytest)', ({ examples, n_epochs }) => {
    expect(autoEpochs(examples)).toBe(n_epochs);
  });

  test('Given n_epochs in the request, then that number counts, not the auto rule', () => {
    expect(epochsFor(supervised(2), 10)).toBe(2);
    expect(epochsFor(supervised('auto'), 10)).toBe(10);
  });
});

describe('tokens the validator counts', () => {
  test('Given 10 examples of a 4-character user turn and an 8-character answer, then 10 x ((1+4) + (2+4)) = 110 tokens', async () => {
    const line = JSON.stringify({ messages: [{ role: 'user', content: 'abcd' }, { role: 'assistant', content: 'abcdefgh' }] });
    const result = await validateTrainingFile(Readable.from([Buffer.from(Array(10).fill(line).join('\n') + '\n')]), 'sft');
    expect(result).toEqual({ ok: true, problems: [], examples: 10, estimatedTokens: 110 });
  });

  test('Given the shared good SFT fixture, then the controller counts what `vpctune estimate --training-file` counts without a tokenizer', async () => {
    const file = path.join(REPO, 'test', 'fixtures', 'training-data', 'sft-good.jsonl');
    const result = await validateTrainingFile(fs.createReadStream(file), 'sft');
    expect(result.estimatedTokens).toBe(countChatTokens(fs.readFileSync(file, 'utf8'), 'sft-good.jsonl').tokens);
  });

  test('Given a DPO file, then no token count (the throughput model covers supervised fine-tuning only)', async () => {
    const result = await validateTrainingFile(fs.createReadStream(path.join(REPO, 'test', 'fixtures', 'training-data', 'dpo-good.jsonl')), 'dpo');
    expect(result.ok).toBe(true);
    expect(result.estimatedTokens).toBeUndefined();
  });
});

describe('trained tokens and whole seconds', () => {
  test('Given 1,000 counted tokens in 20 examples with auto epochs, then the run trains 5,000 tokens (5 epochs)', () => {
    expect(trainedTokensFor(supervised('auto'), { examples: 20, estimatedTokens: 1000 })).toBe(5000);
    expect(trainedTokensFor(supervised(2), { examples: 20, estimatedTokens: 1000 })).toBe(2000);
  });

  test('Given a DPO job or no counted tokens, then there is nothing to estimate from (undefined)', () => {
    const dpo: Method = { type: 'dpo', dpo: { hyperparameters: { n_epochs: 1, batch_size: 'auto', learning_rate_multiplier: 'auto' } } };
    expect(trainedTokensFor(dpo, { examples: 20, estimatedTokens: undefined })).toBeUndefined();
    expect(trainedTokensFor(dpo, { examples: 20, estimatedTokens: 1000 })).toBeUndefined();
    expect(trainedTokensFor(supervised(1), { examples: 20, estimatedTokens: 0 })).toBeUndefined();
  });

  test('Given an executor estimate, then it is whole seconds rounded up; none, zero or not finite is null', () => {
    expect(wholeRunSeconds(1666.67)).toBe(1667);
    expect([wholeRunSeconds(undefined), wholeRunSeconds(0), wholeRunSeconds(Number.NaN), wholeRunSeconds(Number.POSITIVE_INFINITY)]).toEqual([null, null, null, null]);
  });
});

describe('the Kubernetes executor places a queued job once and estimates its run there', () => {
  test('Given Llama 3.1 8B LoRA, then its seconds on the pool placement picks equal the `vpctune estimate` row of the same one-GPU shape', async () => {
    // GIVEN the pools of platform-aws.yaml
    // WHEN the executor places the job with 100M trained tokens
    const decision = await k8s.place(request(supervised(1)), 100_000_000);
    // THEN placement puts an 8B LoRA job on one GPU of the smallest pool that holds it (a plain, storable object)
    expect(decision.placement).toEqual({
      pool: 'a10g',
      nodes: 1,
      gpusPerNode: 1,
      reason: expect.stringContaining('pool a10g (the smallest pool that holds it)') as string,
      machine: { cloud: 'aws', instanceType: 'g5.2xlarge', capacity: 'spot' },
    });
    expect(JSON.parse(JSON.stringify(decision.placement))).toEqual(decision.placement);
    const placement = await k8s.placementOf({ ...request(supervised(1)), placement: decision.placement });
    const sku = findSku(Cloud.AWS, placement.pool.sku.accelerator, 1);
    expect(sku).toBeDefined();
    // AND the seconds are the estimator's hours for that shape (one GPU, one node)
    const row = estimateJob({ model: LLAMA_8B, datasetTokens: 100_000_000, setup: { method: FineTuneMethod.LORA, lora: { rank: 16 } }, skus: [sku as NonNullable<typeof sku>] }).shapes[0];
    expect(row?.gpusNeeded).toBe(1);
    expect(decision.runSeconds).toBeCloseTo((row?.hours as number) * 3600, 6);
    // and more than a few hours on one A10G-class GPU is what the model says for 100M tokens
    expect(placement.pool.sku.accelerator).toBe(Accelerator.A10G);
    expect(decision.runSeconds as number).toBeGreaterThan(3600);
  });

  test('Given a model the estimator does not know (no catalog entry, no config.json in storage), then it is placed with no estimate', async () => {
    const decision = await k8s.place(request(supervised(1), DEFAULT_ADAPTER, 'acme/private-model'), 1000);
    expect(decision.placement).toMatchObject({ pool: 'a10g', nodes: 1, gpusPerNode: 1 });
    expect(decision.runSeconds).toBeUndefined();
  });

  test('Given a job its named pool cannot hold (full fine-tuning of 70B on the 1x A10G pool), then placing refuses it naming adapter.pool', async () => {
    const adapter = { ...DEFAULT_ADAPTER, type: 'full', pool: 'a10g' } as typeof DEFAULT_ADAPTER;
    await expect(k8s.place(request(supervised(1), adapter, 'meta-llama/Llama-3.3-70B-Instruct'), 1000)).rejects.toMatchObject({ code: 'invalid_pool', param: 'adapter.pool', message: expect.stringContaining('cannot hold') as string });
  });

  test('Given a stored placement whose pool is still configured, then a start uses it as stored, not a fresh choice', async () => {
    // GIVEN a stored placement on the h100 pool (not what placement would pick for 8B LoRA today)
    const stored = { pool: 'h100', nodes: 1, gpusPerNode: 2, reason: 'stored when queued' };
    // WHEN a start resolves it
    const placement = await k8s.placementOf({ ...request(supervised(1)), placement: stored });
    // THEN it is the stored pool and shape
    expect({ pool: placement.pool.name, nodes: placement.nodes, gpusPerPod: placement.gpusPerPod, reason: placement.reason }).toEqual({ pool: 'h100', nodes: 1, gpusPerPod: 2, reason: 'stored when queued' });
  });

  test('Given a stored placement on a pool that is gone, then a start places the job again', async () => {
    const placement = await k8s.placementOf({ ...request(supervised(1)), placement: { pool: 'retired-pool', nodes: 1, gpusPerNode: 1, reason: 'old' } });
    expect(placement.pool.name).toBe('a10g');
    expect(placement.reason).toContain('the smallest pool that holds it');
  });
});
