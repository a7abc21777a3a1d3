import { Accelerator, acceleratorSpec } from '../../constructs/catalog';
import { MEMORY_MEASUREMENTS } from '../../constructs/estimate/calibration-data';
import {
  ADAMW_MIXED_PRECISION,
  DEFAULT_SETUP,
  fits,
  memoryPerGpu,
  NF4_BYTES_PER_WEIGHT,
  smallestGpuCount,
  usableBytes,
} from '../../constructs/estimate/memory-model';
import { findModel, parameterCounts } from '../../constructs/estimate/model-catalog';
import { FineTuneMethod, ModelSpec, TrainingSetup } from '../../constructs/estimate/types';

const GiB = 2 ** 30;

function model(alias: string): ModelSpec {
  const m = findModel(alias);
  if (m === undefined) throw new Error(`no model ${alias}`);
  return m;
}
const setup = (method: FineTuneMethod, over: Partial<TrainingSetup> = {}): TrainingSetup => ({ ...DEFAULT_SETUP, method, ...over });

describe('memory model against published peak-memory measurements (±20%)', () => {
  test.each(MEMORY_MEASUREMENTS.map((m) => [m.label, m.figure, m.source.url, m] as const))('%s: published "%s" (%s)', (_label, _figure, _url, m) => {
    // GIVEN the setup the source measured WHEN the model estimates peak memory per GPU
    const ours = memoryPerGpu(m.model, m.setup, m.shards).totalBytes / GiB;
    // THEN it is within ±20% of the published figure (source and figure named in calibration-data.ts)
    expect(m.source.url).toMatch(/^https:\/\//);
    expect(m.figure.length).toBeGreaterThan(0);
    expect({ label: m.label, figure: m.figure, ours: Number(ours.toFixed(2)), withinTolerance: Math.abs(ours / m.measuredGiB - 1) <= 0.2 })
      .toEqual({ label: m.label, figure: m.figure, ours: Number(ours.toFixed(2)), withinTolerance: true });
  });

  test('the calibration set covers LoRA, QLoRA and full fine-tuning from torchtune and the Qwen README', () => {
    const seen = new Set(MEMORY_MEASUREMENTS.map((m) => `${m.setup.method}@${new URL(m.source.url).pathname.split('/')[1]}`));
    expect([...seen].sort()).toEqual(['full@QwenLM', 'full@pytorch', 'lora@QwenLM', 'lora@pytorch', 'qlora@QwenLM', 'qlora@pytorch']);
  });
});

describe('facts that must hold', () => {
  test.each(['mistral-7b', 'qwen2.5-7b'])('QLoRA of a 7B model (%s) fits one 24 GB GPU (A10G) at 2048 tokens', (alias) => {
    // GIVEN QLoRA with the defaults (2048 tokens, micro-batch 1, checkpointing) WHEN sized for one A10G
    const a10g = acceleratorSpec(Accelerator.A10G).memoryGiB;
    // THEN one GPU is enough
    expect(a10g).toBe(24);
    expect(fits(model(alias), setup(FineTuneMethod.QLORA), a10g, 1)).toBe(true);
    expect(smallestGpuCount(model(alias), setup(FineTuneMethod.QLORA), a10g, 8)).toBe(1);
  });

  test('full fine-tuning of an 8B model with AdamW in mixed precision does not fit one 80 GB GPU', () => {
    // GIVEN Llama 3.1 8B full fine-tuning: 16 bytes per parameter before any activation
    const m = model('llama-3.1-8b');
    const full = setup(FineTuneMethod.FULL);
    expect(full.optimizer).toBe(ADAMW_MIXED_PRECISION);
    const one = memoryPerGpu(m, full, 1);
    expect(one.weightsBytes + one.trainableStateBytes).toBe(16 * parameterCounts(m).total);
    // WHEN sized for an 80 GB H100 THEN one GPU does not fit, and sharding over two does
    expect(fits(m, full, acceleratorSpec(Accelerator.H100).memoryGiB, 1)).toBe(false);
    expect(smallestGpuCount(m, full, 80, 8)).toBe(2);
  });

  test('QLoRA stores block weights in 4.127 bits and keeps embeddings in bf16', () => {
    const m = model('llama-3.1-8b');
    const p = parameterCounts(m);
    const q = memoryPerGpu(m, setup(FineTuneMethod.QLORA, { lora: { rank: 16 } }), 1);
    const adapterWeights = 16 * 81_920 * 32 * ADAMW_MIXED_PRECISION.weightBytes;
    expect(NF4_BYTES_PER_WEIGHT).toBeCloseTo(0.515875, 6);
    expect(q.weightsBytes).toBeCloseTo(p.blockLinear * NF4_BYTES_PER_WEIGHT + 2 * p.embedding * 2 + adapterWeights, 0);
  });

  test('sharding divides weights and states, not activations, and adds two gathered layers', () => {
    const m = model('llama-3.1-70b');
    const full = setup(FineTuneMethod.FULL);
    const one = memoryPerGpu(m, full, 1);
    const eight = memoryPerGpu(m, full, 8);
    expect(eight.weightsBytes).toBeCloseTo(one.weightsBytes / 8, 0);
    expect(eight.activationBytes).toBe(one.activationBytes);
    expect(eight.shardingBufferBytes).toBe(2 * parameterCounts(m).perLayer * 2);
    // 70B full fine-tuning: 16 bytes x 70.6B = 1.13 TB of states over 72 GiB usable per GPU, plus activations: 17 GPUs
    expect(smallestGpuCount(m, full, 80, 64)).toBe(17);
  });

  test('checkpointing keeps one hidden state per block instead of every activation', () => {
    const m = model('llama-3.1-8b');
    const on = memoryPerGpu(m, setup(FineTuneMethod.LORA), 1).activationBytes;
    const off = memoryPerGpu(m, setup(FineTuneMethod.LORA, { gradientCheckpointing: false }), 1).activationBytes;
    // per token per block: 2 x (4h + 2q + 2kv + 3i) bf16 values = 2 x 69,632 bytes; with checkpointing 32 x 2h + one block
    expect(off).toBe(32 * 2048 * 2 * 69_632);
    expect(on).toBe(32 * 2048 * 2 * 4096 + 2048 * 2 * 69_632);
  });

  test('a GPU offers 90% of its memory to the job', () => {
    expect(usableBytes(80)).toBe(80 * GiB * 0.9);
  });
});
