/**
 * Types of the fine-tuning estimator: what a job is (model, method, tokens), what the memory and throughput models
 * assume, and what an estimate says per cloud and GPU shape. Data lives in the `*-data.ts` files beside this one.
 */
import { Accelerator, Cloud, GpuSku, Source } from '../catalog';

/** How the model is fine-tuned. */
export enum FineTuneMethod {
  /** Frozen bf16 weights + low-rank adapters. */
  LORA = 'lora',
  /** Frozen 4-bit (NF4) weights + low-rank adapters. */
  QLORA = 'qlora',
  /** Every weight trained with AdamW in mixed precision. */
  FULL = 'full',
}

export const ALL_METHODS: readonly FineTuneMethod[] = [FineTuneMethod.LORA, FineTuneMethod.QLORA, FineTuneMethod.FULL];

/** How the loss over the vocabulary is computed; the logits are the largest activation of a large-vocabulary model. */
export enum LossImplementation {
  /** Hugging Face transformers' default: bf16 logits, an fp32 copy, and fp32 log-softmax kept for backward. */
  UPCAST = 'upcast',
  /** Chunked or fused cross-entropy (torchtune `CEWithChunkedOutputLoss`, Liger): only the bf16 logits stay. */
  CHUNKED = 'chunked',
}

/** The architecture facts the estimator needs; all read from a Hugging Face `config.json`. */
export interface ModelSpec {
  /** Hugging Face repo id (`meta-llama/Llama-3.1-8B-Instruct`) or a local name for a config file. */
  readonly id: string;
  /** Short names the CLI accepts (`llama-3.1-8b`). */
  readonly aliases: readonly string[];
  readonly layers: number;
  readonly hiddenSize: number;
  /** Width of one MLP expert. */
  readonly intermediateSize: number;
  readonly attentionHeads: number;
  readonly kvHeads: number;
  /** Per-head width; hiddenSize / attentionHeads unless the config says otherwise (Gemma, Qwen3). */
  readonly headDim: number;
  readonly vocabSize: number;
  /** True when the output projection reuses the input embedding matrix. */
  readonly tiedEmbeddings: boolean;
  /** Gated MLP (SwiGLU/GeGLU: gate, up, down = 3 matrices) or plain (up, down = 2). */
  readonly gatedMlp: boolean;
  /** Mixture of experts: experts per layer and experts each token uses; 1/1 for dense models. */
  readonly experts: number;
  readonly expertsPerToken: number;
  /** Where the numbers come from (the model's config.json). */
  readonly source: Source;
}

/** Parameter counts derived from a ModelSpec. */
export interface ParameterCounts {
  readonly total: number;
  /** Input embedding (a table lookup: memory, no matmul FLOPs). */
  readonly embedding: number;
  /** Output projection weights stored separately (0 when tied). */
  readonly outputProjection: number;
  /** Weights of the linear layers inside all transformer blocks (the part QLoRA quantizes). */
  readonly blockLinear: number;
  /** Parameters doing a matmul for one token: active block linears + the output projection (tied or not). */
  readonly activeMatmul: number;
  /** The largest single transformer block, for FSDP's gathered-layer buffers. */
  readonly perLayer: number;
}

/** LoRA adapter placement. */
export interface LoraOptions {
  /** @default 16 */
  readonly rank: number;
}

/**
 * What one trainable parameter costs in bytes, and how gradients are held. The default is AdamW in mixed precision:
 * bf16 weights (2) + bf16 gradients (2) + fp32 master weights and two fp32 moments (12) = 16 bytes per parameter.
 */
export interface OptimizerRecipe {
  readonly name: string;
  readonly weightBytes: number;
  readonly gradientBytes: number;
  /** Optimizer state on the GPU, master weights included (0 when paged or offloaded to host memory). */
  readonly optimizerBytes: number;
  /** Optimizer step fused into backward: only the largest single gradient tensor is alive at once. */
  readonly optimizerInBackward: boolean;
}

/** The training setup the memory and throughput models take. */
export interface TrainingSetup {
  readonly method: FineTuneMethod;
  /** Tokens per sequence (packed). @default 2048 */
  readonly contextLength: number;
  /** Sequences per GPU per step. @default 1 */
  readonly microBatchSize: number;
  /** Recompute activations in backward instead of keeping them. @default true */
  readonly gradientCheckpointing: boolean;
  /** @default rank 16 on every linear layer of every block */
  readonly lora: LoraOptions;
  /** @default LossImplementation.UPCAST (our trainer uses transformers' loss) */
  readonly loss: LossImplementation;
  /** @default ADAMW_MIXED_PRECISION */
  readonly optimizer: OptimizerRecipe;
}

/** Where each byte of one GPU goes. */
export interface MemoryBreakdown {
  readonly weightsBytes: number;
  readonly trainableStateBytes: number;
  readonly activationBytes: number;
  readonly logitsBytes: number;
  /** Gathered (unsharded) layers while FSDP/ZeRO-3 runs over more than one GPU. */
  readonly shardingBufferBytes: number;
  readonly totalBytes: number;
  /** GPUs the weights and states are sharded over. */
  readonly shardedOver: number;
}

/** How a per-GPU/method efficiency factor was obtained. */
export enum EfficiencyBasis {
  /** Fitted to the cited measurements. */
  MEASURED = 'measured',
  /** Derived from measured factors by a stated rule (same silicon, measured cross-GPU ratio). */
  DERIVED = 'derived',
  /** No public measurement found: a stated stand-in until we measure it ourselves. */
  ASSUMED = 'assumed',
}

/** Fraction of peak dense bf16 FLOPS a GPU achieves for a method (hardware FLOPs, recomputation included). */
export interface EfficiencyFactor {
  readonly accelerator: Accelerator;
  readonly method: FineTuneMethod;
  readonly value: number;
  readonly basis: EfficiencyBasis;
  /** How the value was obtained, in one sentence. */
  readonly note: string;
  readonly sources: readonly Source[];
}

/** Per accelerator and method overrides of the efficiency factors (e.g. from our own GPU measurements). */
export type EfficiencyOverrides = Readonly<Partial<Record<Accelerator, Readonly<Partial<Record<FineTuneMethod, number>>>>>>;

/** A per-token price of a hosted fine-tuning service. */
export interface ReferencePrice {
  readonly provider: string;
  /** Which tier applied, in words (`models up to 16B, LoRA`). */
  readonly tier: string;
  readonly usdPerMillionTokens: number;
  readonly usdPerJob: number;
  readonly source: Source;
}

/** A reference row: the price of the whole job at a hosted service, or why it has none. */
export interface ReferenceQuote {
  readonly provider: string;
  readonly tier: string;
  /** Undefined when the provider publishes no price for this model size. */
  readonly costUsd: number | undefined;
  readonly usdPerMillionTokens: number | undefined;
  readonly note: string;
  readonly source: Source;
}

/** The job to estimate. */
export interface EstimateRequest {
  readonly model: ModelSpec;
  /** Tokens in one pass over the training data. */
  readonly datasetTokens: number;
  /** @default 1 */
  readonly epochs?: number;
  readonly setup?: Partial<TrainingSetup> & { readonly method: FineTuneMethod };
  /** @default all clouds */
  readonly clouds?: readonly Cloud[];
  /** @default all accelerators */
  readonly accelerators?: readonly Accelerator[];
  /** @default none */
  readonly efficiencyOverrides?: EfficiencyOverrides;
  /** @default every shape that is the default for its (cloud, accelerator, GPU count) */
  readonly skus?: readonly GpuSku[];
}

/** One cloud shape's answer. */
export interface ShapeEstimate {
  readonly cloud: Cloud;
  readonly instanceType: string;
  readonly accelerator: Accelerator;
  readonly gpusPerNode: number;
  /** Smallest GPU count whose per-GPU memory fits; undefined when it does not fit within MAX_NODES nodes. */
  readonly gpusNeeded: number | undefined;
  readonly nodes: number | undefined;
  /** Memory per GPU at gpusNeeded (or at MAX_NODES nodes when it does not fit). */
  readonly memory: MemoryBreakdown;
  readonly usableGpuMemoryBytes: number;
  readonly tokensPerSecond: number | undefined;
  readonly hours: number | undefined;
  /** Undefined when the shape is sold only as spot capacity, or does not fit. */
  readonly onDemandUsd: number | undefined;
  readonly spotUsd: number | undefined;
  readonly onDemandUsdPerMillionTokens: number | undefined;
  readonly spotUsdPerMillionTokens: number | undefined;
  readonly efficiency: EfficiencyFactor;
  readonly sku: GpuSku;
}

/** The whole answer: every shape, the hosted references, and the cheapest rows. */
export interface Estimate {
  readonly model: ModelSpec;
  readonly parameters: ParameterCounts;
  readonly setup: TrainingSetup;
  readonly datasetTokens: number;
  readonly epochs: number;
  readonly trainedTokens: number;
  readonly flopsPerToken: number;
  readonly shapes: readonly ShapeEstimate[];
  readonly references: readonly ReferenceQuote[];
  readonly cheapestOnDemand: ShapeEstimate | undefined;
  readonly cheapestSpot: ShapeEstimate | undefined;
  /** The cheapest rows among shapes whose efficiency is measured or derived (not assumed). */
  readonly cheapestCalibratedOnDemand: ShapeEstimate | undefined;
  readonly cheapestCalibratedSpot: ShapeEstimate | undefined;
}
