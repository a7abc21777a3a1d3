/**
 * Published measurements the memory and throughput models are checked against (test/estimate/*-model.test.ts):
 * each names its source, the figure, and the setup it was measured with. Models that are not in model-data.ts
 * (Qwen-1 and MPT, used in the measurements) are described here from their config.json.
 */
import { Accelerator, Source } from '../catalog';
import { MODELS } from './model-data';
import { ADAMW_MIXED_PRECISION, DEFAULT_SETUP } from './memory-model';
import { FineTuneMethod, LossImplementation, ModelSpec, OptimizerRecipe, TrainingSetup } from './types';

const TORCHTUNE: Source = { url: 'https://github.com/pytorch/torchtune/blob/0031bfb080bd35ec533c412df883cf2bf7bf7fe4/README.md#memory-and-training-speed', asOf: '2026-11-22' };
const QWEN: Source = { url: 'https://github.com/QwenLM/Qwen/blob/85cb093f20e1faa1d772d6abe8458661f3b09202/README.md#profiling-of-memory-and-speed', asOf: '2026-11-22' };
const LLM_FOUNDRY: Source = { url: 'https://github.com/mosaicml/llm-foundry/blob/061f2c7ce64e655100286584a7629e2a09f827ba/scripts/train/benchmarking/README.md', asOf: '2026-11-22' };

function hfModel(id: string, a: Omit<ModelSpec, 'id' | 'aliases' | 'source' | 'experts' | 'expertsPerToken'>): ModelSpec {
  return { id, aliases: [], experts: 1, expertsPerToken: 1, source: { url: `https://huggingface.co/${id}/blob/main/config.json`, asOf: '2026-11-22' }, ...a };
}

/** Qwen-1 (2023): MHA, SwiGLU with w1/w2 of intermediate_size/2 each, untied embeddings. */
export const QWEN_1_8B = hfModel('Qwen/Qwen-1_8B', { layers: 24, hiddenSize: 2048, intermediateSize: 5504, attentionHeads: 16, kvHeads: 16, headDim: 128, vocabSize: 151936, tiedEmbeddings: false, gatedMlp: true });
export const QWEN_7B = hfModel('Qwen/Qwen-7B', { layers: 32, hiddenSize: 4096, intermediateSize: 11008, attentionHeads: 32, kvHeads: 32, headDim: 128, vocabSize: 151936, tiedEmbeddings: false, gatedMlp: true });
export const QWEN_14B = hfModel('Qwen/Qwen-14B', { layers: 40, hiddenSize: 5120, intermediateSize: 13696, attentionHeads: 40, kvHeads: 40, headDim: 128, vocabSize: 152064, tiedEmbeddings: false, gatedMlp: true });
/** MPT-7B: plain GELU MLP (4 × d_model), tied embeddings. */
export const MPT_7B = hfModel('mosaicml/mpt-7b', { layers: 32, hiddenSize: 4096, intermediateSize: 16384, attentionHeads: 32, kvHeads: 32, headDim: 128, vocabSize: 50432, tiedEmbeddings: true, gatedMlp: false });

const LLAMA_3_1_8B = MODELS.find((m) => m.id === 'meta-llama/Llama-3.1-8B-Instruct') as ModelSpec;

/**
 * torchtune's single-device full fine-tune recipe (8B_full_single_device.yaml): bf16 weights, no fp32 master copy,
 * bitsandbytes PagedAdamW8bit (its state pages out to host memory under pressure), optimizer step fused into backward.
 */
export const TORCHTUNE_LOW_MEMORY_FULL: OptimizerRecipe = {
  name: 'torchtune single-device full: bf16, paged 8-bit AdamW, optimizer in backward',
  weightBytes: 2,
  gradientBytes: 2,
  optimizerBytes: 0,
  optimizerInBackward: true,
};

function setup(method: FineTuneMethod, over: Partial<TrainingSetup>): TrainingSetup {
  return { ...DEFAULT_SETUP, method, ...over };
}

/** torchtune README table: batch size 2, packed to 2048 tokens, torch.compile, activation checkpointing (recipe default). */
const torchtuneSetup = (method: FineTuneMethod, rank: number): TrainingSetup =>
  setup(method, { contextLength: 2048, microBatchSize: 2, lora: { rank }, loss: LossImplementation.CHUNKED });

/** Qwen README: one sequence per step (gradient accumulation 8), flash attention 2, gradient checkpointing, LoRA rank 64. */
const qwenSetup = (method: FineTuneMethod, contextLength: number): TrainingSetup =>
  setup(method, { contextLength, microBatchSize: 1, lora: { rank: 64 } });

export interface MemoryMeasurement {
  readonly label: string;
  readonly model: ModelSpec;
  readonly setup: TrainingSetup;
  /** GPUs the states were sharded over. */
  readonly shards: number;
  /** Peak memory per GPU, GiB. */
  readonly measuredGiB: number;
  readonly source: Source;
  /** Which figure of the source, in words. */
  readonly figure: string;
}

// prettier-ignore
export const MEMORY_MEASUREMENTS: readonly MemoryMeasurement[] = [
  { label: 'Llama 3.1 8B LoRA, torchtune', model: LLAMA_3_1_8B, setup: torchtuneSetup(FineTuneMethod.LORA, 8), shards: 1, measuredGiB: 16.2, source: TORCHTUNE, figure: 'Llama 3.1 8B, LoRA, 1x 4090: 16.2 GiB' },
  { label: 'Llama 3.1 8B QLoRA, torchtune', model: LLAMA_3_1_8B, setup: torchtuneSetup(FineTuneMethod.QLORA, 8), shards: 1, measuredGiB: 7.4, source: TORCHTUNE, figure: 'Llama 3.1 8B, QLoRA, 1x 4090: 7.4 GiB' },
  { label: 'Llama 3.1 8B full (low-memory recipe), torchtune', model: LLAMA_3_1_8B, setup: { ...torchtuneSetup(FineTuneMethod.FULL, 8), optimizer: TORCHTUNE_LOW_MEMORY_FULL }, shards: 1, measuredGiB: 18.9, source: TORCHTUNE, figure: 'Llama 3.1 8B, Full finetune, 1x 4090: 18.9 GiB' },
  { label: 'Qwen-7B LoRA, 2048 tokens', model: QWEN_7B, setup: qwenSetup(FineTuneMethod.LORA, 2048), shards: 1, measuredGiB: 23.8, source: QWEN, figure: '7B LoRA, sequence length 2048: 23.8G' },
  { label: 'Qwen-7B LoRA, 8192 tokens', model: QWEN_7B, setup: qwenSetup(FineTuneMethod.LORA, 8192), shards: 1, measuredGiB: 36.6, source: QWEN, figure: '7B LoRA, sequence length 8192: 36.6G' },
  { label: 'Qwen-7B QLoRA, 2048 tokens', model: QWEN_7B, setup: qwenSetup(FineTuneMethod.QLORA, 2048), shards: 1, measuredGiB: 13.9, source: QWEN, figure: '7B Q-LoRA, sequence length 2048: 13.9G' },
  { label: 'Qwen-7B full, 2 GPUs, 256 tokens', model: QWEN_7B, setup: { ...qwenSetup(FineTuneMethod.FULL, 256), optimizer: ADAMW_MIXED_PRECISION }, shards: 2, measuredGiB: 139.2 / 2, source: QWEN, figure: '7B Full-parameter, 2 GPUs, sequence length 256: 139.2G (both GPUs)' },
];

export interface ThroughputMeasurement {
  readonly label: string;
  readonly model: ModelSpec;
  readonly setup: TrainingSetup;
  readonly accelerator: Accelerator;
  readonly gpus: number;
  readonly measuredTokensPerSecondPerGpu: number;
  readonly source: Source;
  readonly figure: string;
}

/** Qwen README reports seconds per iteration of 8 sequences (batch 1 × gradient accumulation 8) per GPU. */
const qwenTokensPerSecond = (contextLength: number, secondsPerIteration: number): number => (8 * contextLength) / secondsPerIteration;

// prettier-ignore
export const THROUGHPUT_MEASUREMENTS: readonly ThroughputMeasurement[] = [
  { label: 'Qwen-7B LoRA, 1xA100-80GB, 2048 tokens', model: QWEN_7B, setup: qwenSetup(FineTuneMethod.LORA, 2048), accelerator: Accelerator.A100_80GB, gpus: 1, measuredTokensPerSecondPerGpu: qwenTokensPerSecond(2048, 5.2), source: QWEN, figure: '7B LoRA, 2048: 5.2s/it' },
  { label: 'Qwen-7B LoRA, 1xA100-80GB, 1024 tokens', model: QWEN_7B, setup: qwenSetup(FineTuneMethod.LORA, 1024), accelerator: Accelerator.A100_80GB, gpus: 1, measuredTokensPerSecondPerGpu: qwenTokensPerSecond(1024, 2.8), source: QWEN, figure: '7B LoRA, 1024: 2.8s/it' },
  { label: 'Qwen-7B LoRA, 1xA100-80GB, 4096 tokens', model: QWEN_7B, setup: qwenSetup(FineTuneMethod.LORA, 4096), accelerator: Accelerator.A100_80GB, gpus: 1, measuredTokensPerSecondPerGpu: qwenTokensPerSecond(4096, 10.1), source: QWEN, figure: '7B LoRA, 4096: 10.1s/it' },
  { label: 'Qwen-7B LoRA, 1xA100-80GB, 8192 tokens', model: QWEN_7B, setup: qwenSetup(FineTuneMethod.LORA, 8192), accelerator: Accelerator.A100_80GB, gpus: 1, measuredTokensPerSecondPerGpu: qwenTokensPerSecond(8192, 21.3), source: QWEN, figure: '7B LoRA, 8192: 21.3s/it' },
  { label: 'Qwen-14B LoRA, 1xA100-80GB, 2048 tokens', model: QWEN_14B, setup: qwenSetup(FineTuneMethod.LORA, 2048), accelerator: Accelerator.A100_80GB, gpus: 1, measuredTokensPerSecondPerGpu: qwenTokensPerSecond(2048, 8.4), source: QWEN, figure: '14B LoRA, 2048: 8.4s/it' },
  { label: 'Qwen-1.8B LoRA, 1xA100-80GB, 2048 tokens', model: QWEN_1_8B, setup: qwenSetup(FineTuneMethod.LORA, 2048), accelerator: Accelerator.A100_80GB, gpus: 1, measuredTokensPerSecondPerGpu: qwenTokensPerSecond(2048, 1.7), source: QWEN, figure: '1.8B LoRA, 2048: 1.7s/it' },
  { label: 'Qwen-7B QLoRA, 1xA100-80GB, 2048 tokens', model: QWEN_7B, setup: qwenSetup(FineTuneMethod.QLORA, 2048), accelerator: Accelerator.A100_80GB, gpus: 1, measuredTokensPerSecondPerGpu: qwenTokensPerSecond(2048, 7.0), source: QWEN, figure: '7B Q-LoRA, 2048: 7.0s/it' },
  { label: 'Qwen-14B QLoRA, 1xA100-80GB, 2048 tokens', model: QWEN_14B, setup: qwenSetup(FineTuneMethod.QLORA, 2048), accelerator: Accelerator.A100_80GB, gpus: 1, measuredTokensPerSecondPerGpu: qwenTokensPerSecond(2048, 11.8), source: QWEN, figure: '14B Q-LoRA, 2048: 11.8s/it' },
  { label: 'Qwen-1.8B QLoRA, 1xA100-80GB, 2048 tokens', model: QWEN_1_8B, setup: qwenSetup(FineTuneMethod.QLORA, 2048), accelerator: Accelerator.A100_80GB, gpus: 1, measuredTokensPerSecondPerGpu: qwenTokensPerSecond(2048, 2.0), source: QWEN, figure: '1.8B Q-LoRA, 2048: 2.0s/it' },
  { label: 'Qwen-7B full, 2xA100-80GB, 1024 tokens', model: QWEN_7B, setup: qwenSetup(FineTuneMethod.FULL, 1024), accelerator: Accelerator.A100_80GB, gpus: 2, measuredTokensPerSecondPerGpu: qwenTokensPerSecond(1024, 4.5), source: QWEN, figure: '7B Full-parameter, 2 GPUs, 1024: 4.5s/it' },
];

/** A measured speed ratio between two setups of one training stack (the stack's own efficiency cancels out). */
export interface RatioMeasurement {
  readonly label: string;
  readonly model: ModelSpec;
  readonly numerator: { readonly accelerator: Accelerator; readonly setup: TrainingSetup; readonly tokensPerSecondPerGpu: number };
  readonly denominator: { readonly accelerator: Accelerator; readonly setup: TrainingSetup; readonly tokensPerSecondPerGpu: number };
  readonly source: Source;
  readonly figure: string;
}

const foundryFull = (contextLength: number, microBatchSize: number, gradientCheckpointing: boolean): TrainingSetup =>
  setup(FineTuneMethod.FULL, { contextLength, microBatchSize, gradientCheckpointing });

// prettier-ignore
export const RATIO_MEASUREMENTS: readonly RatioMeasurement[] = [
  {
    label: 'H100 vs A100-80GB, MPT-7B full, 8 GPUs, 2048 tokens, no checkpointing',
    model: MPT_7B,
    numerator: { accelerator: Accelerator.H100, setup: foundryFull(2048, 6, false), tokensPerSecondPerGpu: 10643 },
    denominator: { accelerator: Accelerator.A100_80GB, setup: foundryFull(2048, 6, false), tokensPerSecondPerGpu: 4641 },
    source: LLM_FOUNDRY,
    figure: 'H100 80GB BF16 table, 7b 2048 x8: 10643 T/s/GPU; A100 80GB table, 7b 2048 x8: 4641 T/s/GPU',
  },
  {
    label: 'A100-40GB with checkpointing vs A100-80GB without, MPT-7B full, 8 GPUs, 2048 tokens',
    model: MPT_7B,
    numerator: { accelerator: Accelerator.A100_40GB, setup: foundryFull(2048, 12, true), tokensPerSecondPerGpu: 3679 },
    denominator: { accelerator: Accelerator.A100_80GB, setup: foundryFull(2048, 6, false), tokensPerSecondPerGpu: 4641 },
    source: LLM_FOUNDRY,
    figure: 'A100 40GB table, 7b 2048 x8 (activation checkpointing): 3679 T/s/GPU; A100 80GB table, 7b 2048 x8: 4641 T/s/GPU',
  },
];
