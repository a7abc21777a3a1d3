/**
 * A queued job's run-time estimate (issue 5: the controller uses the estimator's models for `estimated_finish`):
 * the epochs the trainer will run, the tokens the validator counts, and the Kubernetes executor's seconds on the pool
 * placement picks, checked against `vpctune estimate`'s own row for the same one-GPU shape.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { loadConfigFile } from '../../../constructs/config';
import { countChatTokens, estimateJob, findModel, FineTuneMethod, type ModelSpec } from '../../../constructs/estimate';
import { Accelerator, Cloud, findSku } from '../../../constructs/catalog';
import type { Method } from '../src/domain/job';
import type { Executor, RunRequest } from '../src/executor/executor';
import { KubernetesExecutor } from '../src/executor/kubernetes/kubernetes-executor';
import { settingsFromConfig } from '../src/executor/kubernetes/settings';
import { autoEpochs, epochsFor, estimateRunSeconds } from '../src/jobs/run-time-estimate';
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

/** An executor that records what it was asked and answers a fixed tokens/s. */
function fakeExecutor(tokensPerSecond: number | undefined): Executor & { asked: number[] } {
  const asked: number[] = [];
  return {
    kind: 'fake',
    asked,
    start: () => Promise.reject(new Error('not used')),
    attach: () => Promise.resolve(false),
    stop: () => Promise.resolve(),
    activeRuns: () => 0,
    detachAll: () => Promise.resolve(),
    estimateRunSeconds: (_r, tokens) => {
      asked.push(tokens);
      return Promise.resolve(tokensPerSecond === undefined ? undefined : tokens / tokensPerSecond);
    },
  };
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

describe('estimateRunSeconds', () => {
  test('Given 1,000 counted tokens in 20 examples with auto epochs, then the executor is asked for 5,000 trained tokens and the seconds are rounded up', async () => {
    const executor = fakeExecutor(3);
    expect(await estimateRunSeconds(executor, request(supervised('auto')), { examples: 20, estimatedTokens: 1000 })).toBe(1667);
    expect(executor.asked).toEqual([5000]);
  });

  test('Given a DPO job, an executor without estimates, or one that cannot tell, then there is no estimate (null)', async () => {
    const dpo: Method = { type: 'dpo', dpo: { hyperparameters: { n_epochs: 1 } } };
    expect(await estimateRunSeconds(fakeExecutor(3), request(dpo), { examples: 20, estimatedTokens: undefined })).toBeNull();
    const { estimateRunSeconds: _omitted, ...withoutEstimates } = fakeExecutor(3);
    expect(await estimateRunSeconds(withoutEstimates, request(supervised(1)), { examples: 20, estimatedTokens: 1000 })).toBeNull();
    expect(await estimateRunSeconds(fakeExecutor(undefined), request(supervised(1)), { examples: 20, estimatedTokens: 1000 })).toBeNull();
  });

  test('Given the Kubernetes executor and Llama 3.1 8B LoRA, then its seconds on the pool placement picks equal the `vpctune estimate` row of the same one-GPU shape', async () => {
    // GIVEN the pools of platform-aws.yaml; placement puts an 8B LoRA job on one GPU of the smallest pool that holds it
    const placement = await k8s.place(request(supervised(1)));
    expect(placement.gpusPerPod).toBe(1);
    const sku = findSku(Cloud.AWS, placement.pool.sku.accelerator, 1);
    expect(sku).toBeDefined();
    // WHEN the executor estimates 100M trained tokens
    const seconds = await k8s.estimateRunSeconds(request(supervised(1)), 100_000_000);
    // THEN it is the estimator's hours for that shape (one GPU, one node), in seconds
    const row = estimateJob({ model: LLAMA_8B, datasetTokens: 100_000_000, setup: { method: FineTuneMethod.LORA, lora: { rank: 16 } }, skus: [sku as NonNullable<typeof sku>] }).shapes[0];
    expect(row?.gpusNeeded).toBe(1);
    expect(seconds).toBeCloseTo((row?.hours as number) * 3600, 6);
    // and more than a few hours on one A10G-class GPU is what the model says for 100M tokens
    expect(placement.pool.sku.accelerator).toBe(Accelerator.A10G);
    expect(seconds as number).toBeGreaterThan(3600);
  });

  test('Given a model the estimator does not know (no catalog entry, no config.json in storage), then the Kubernetes executor has no estimate', async () => {
    expect(await k8s.estimateRunSeconds(request(supervised(1), DEFAULT_ADAPTER, 'acme/private-model'), 1000)).toBeUndefined();
  });

  test('Given a job its named pool cannot hold (full fine-tuning of 70B on the 1x A10G pool), then no estimate rather than an error', async () => {
    const adapter = { ...DEFAULT_ADAPTER, type: 'full', pool: 'a10g' } as typeof DEFAULT_ADAPTER;
    await expect(k8s.place(request(supervised(1), adapter, 'meta-llama/Llama-3.3-70B-Instruct'))).rejects.toThrow(/cannot hold/);
    expect(await k8s.estimateRunSeconds(request(supervised(1), adapter, 'meta-llama/Llama-3.3-70B-Instruct'), 1000)).toBeUndefined();
  });
});
