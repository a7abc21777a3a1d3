/**
 * Peak memory of one GPU while fine-tuning, per method:
 *   full:  weights + gradients + AdamW states (OptimizerRecipe, 16 bytes/parameter by default) + activations
 *   LoRA:  frozen bf16 weights + adapter weights, gradients and AdamW states + activations
 *   QLoRA: frozen 4-bit NF4 block weights (embeddings stay bf16) + the same adapter states + activations
 * Weights and states are sharded over N GPUs (FSDP full-shard / ZeRO-3) when one GPU is not enough; activations are
 * per GPU. Checked against published peak-memory measurements in test/estimate/memory-model.test.ts.
 */
import { blockLinearShapes, loraAdapterParameters, parameterCounts } from './model-catalog';
import { FineTuneMethod, LossImplementation, MemoryBreakdown, ModelSpec, OptimizerRecipe, TrainingSetup } from './types';

/** AdamW in mixed precision: bf16 weights and gradients, fp32 master weights and two fp32 moments (ZeRO paper, §3.1). */
export const ADAMW_MIXED_PRECISION: OptimizerRecipe = {
  name: 'AdamW, mixed precision',
  weightBytes: 2,
  gradientBytes: 2,
  optimizerBytes: 12,
  optimizerInBackward: false,
};

/**
 * NF4 with double quantization: 4 bits + 0.127 bits of quantization constants per weight
 * (Dettmers et al., QLoRA, https://arxiv.org/abs/2305.14314 §3 "Double Quantization").
 */
export const NF4_BYTES_PER_WEIGHT = (4 + 0.127) / 8;

/** bf16 bytes for frozen (LoRA) weights, activations and logits. */
const BF16 = 2;

/** Bytes per logit kept at the loss: bf16 logits, plus (UPCAST) an fp32 copy and the fp32 log-softmax for backward. */
export const LOGIT_BYTES: Readonly<Record<LossImplementation, number>> = {
  [LossImplementation.UPCAST]: 2 + 4 + 4,
  [LossImplementation.CHUNKED]: 2,
};

/**
 * Share of a GPU's memory a job can plan to use: the rest goes to the CUDA context, NCCL buffers and allocator
 * fragmentation (PyTorch reserves more than it allocates).
 */
export const USABLE_MEMORY_FRACTION = 0.9;

/** Nodes the estimator will spread one job over before it reports "does not fit". */
export const MAX_NODES = 8;

export const DEFAULT_SETUP: Omit<TrainingSetup, 'method'> = {
  contextLength: 2048,
  microBatchSize: 1,
  gradientCheckpointing: true,
  lora: { rank: 16 },
  loss: LossImplementation.UPCAST,
  optimizer: ADAMW_MIXED_PRECISION,
};

/**
 * bf16 values one transformer block keeps per token for backward (flash attention: no seq² term):
 * attention: norm input and output, q, k, v, attention output; MLP: norm input and output, and per routed expert the
 * gate and up outputs and their product (plain MLP: up output and activation).
 */
export function activationValuesPerTokenPerLayer(m: ModelSpec): number {
  const q = m.attentionHeads * m.headDim;
  const kv = m.kvHeads * m.headDim;
  const attention = 2 * m.hiddenSize + 2 * q + 2 * kv;
  const mlp = 2 * m.hiddenSize + (m.gatedMlp ? 3 : 2) * m.intermediateSize * m.expertsPerToken;
  return attention + mlp;
}

/** Peak memory of one GPU with weights and optimizer states sharded over `shards` GPUs. */
export function memoryPerGpu(m: ModelSpec, setup: TrainingSetup, shards: number): MemoryBreakdown {
  const p = parameterCounts(m);
  const opt = setup.optimizer;
  const trainable = setup.method === FineTuneMethod.FULL ? p.total : loraAdapterParameters(m, setup.lora.rank);

  // Frozen or trained weights, and the bytes per weight of the gathered layers FSDP materialises.
  let weightsBytes: number;
  let gatheredBytesPerWeight: number;
  switch (setup.method) {
    case FineTuneMethod.FULL:
      weightsBytes = p.total * opt.weightBytes;
      gatheredBytesPerWeight = opt.weightBytes;
      break;
    case FineTuneMethod.LORA:
      weightsBytes = p.total * BF16 + trainable * opt.weightBytes;
      gatheredBytesPerWeight = BF16;
      break;
    case FineTuneMethod.QLORA:
      weightsBytes = p.blockLinear * NF4_BYTES_PER_WEIGHT + (p.embedding + p.outputProjection) * BF16 + trainable * opt.weightBytes;
      gatheredBytesPerWeight = NF4_BYTES_PER_WEIGHT;
      break;
  }
  // Gradients: all of them (sharded with the states), or with the optimizer step fused into backward only the largest
  // single tensor at a time (not sharded: it is produced whole before its step).
  const inBackward = opt.optimizerInBackward && setup.method === FineTuneMethod.FULL;
  const shardedGradientBytes = inBackward ? 0 : trainable * opt.gradientBytes;
  const transientGradientBytes = inBackward ? largestTensorParameters(m) * opt.gradientBytes : 0;
  const shardedStateBytes = shardedGradientBytes + trainable * opt.optimizerBytes;

  const tokens = setup.contextLength * setup.microBatchSize;
  const perLayer = activationValuesPerTokenPerLayer(m) * BF16 * tokens;
  const activationBytes = setup.gradientCheckpointing
    ? m.layers * tokens * m.hiddenSize * BF16 + perLayer // one checkpoint per block + the block being recomputed
    : m.layers * perLayer;
  const logitsBytes = tokens * m.vocabSize * LOGIT_BYTES[setup.loss];
  const shardingBufferBytes = shards > 1 ? 2 * p.perLayer * gatheredBytesPerWeight : 0; // current + prefetched block

  const totalBytes = (weightsBytes + shardedStateBytes) / shards + transientGradientBytes + activationBytes + logitsBytes + shardingBufferBytes;
  return {
    weightsBytes: weightsBytes / shards,
    trainableStateBytes: shardedStateBytes / shards + transientGradientBytes,
    activationBytes,
    logitsBytes,
    shardingBufferBytes,
    totalBytes,
    shardedOver: shards,
  };
}

/** Parameters of the largest single weight tensor: the embedding or the widest linear layer of a block. */
function largestTensorParameters(m: ModelSpec): number {
  const { attention, mlp } = blockLinearShapes(m);
  return Math.max(m.vocabSize * m.hiddenSize, ...[...attention, ...mlp].map(([a, b]) => a * b));
}

/** Bytes a job can use on a GPU with `memoryGiB` of memory. */
export function usableBytes(memoryGiB: number): number {
  return memoryGiB * 2 ** 30 * USABLE_MEMORY_FRACTION;
}

/** Whether the job fits one GPU of `memoryGiB` with states sharded over `shards` GPUs. */
export function fits(m: ModelSpec, setup: TrainingSetup, memoryGiB: number, shards: number): boolean {
  return memoryPerGpu(m, setup, shards).totalBytes <= usableBytes(memoryGiB);
}

/** The smallest GPU count (up to `maxGpus`) whose per-GPU memory fits, or undefined ("does not fit"). */
export function smallestGpuCount(m: ModelSpec, setup: TrainingSetup, memoryGiB: number, maxGpus: number): number | undefined {
  for (let g = 1; g <= maxGpus; g += 1) if (fits(m, setup, memoryGiB, g)) return g;
  return undefined;
}
