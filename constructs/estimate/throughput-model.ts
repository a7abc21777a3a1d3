/**
 * Training throughput: FLOPs each trained token costs, divided by what the GPU delivers (peak dense bf16 × an
 * efficiency factor per GPU and method, efficiency-data.ts).
 *
 * FLOPs per token, with N the parameters doing a matmul for the token and A the causal attention FLOPs of its forward
 * pass (2 × layers × query width × sequence length, flash attention):
 *   forward                 2N + A
 *   full:   backward        4N + 2A  (activation gradients 2N + weight gradients 2N)
 *   LoRA/QLoRA: backward    2N + 2A  (activation gradients only: frozen weights get none) + 6 × adapter parameters
 *   gradient checkpointing  + one more forward
 * so full = 6N + 3A (8N + 4A with checkpointing), LoRA = 4N + 3A (6N + 4A). The efficiency factors are hardware FLOPs
 * utilisation (recomputation counted), fitted to the measurements in calibration-data.ts.
 */
import { Accelerator, acceleratorSpec, Interconnect } from '../catalog';
import { efficiencyFactor } from './efficiency-data';
import { loraAdapterParameters, parameterCounts } from './model-catalog';
import { EfficiencyOverrides, FineTuneMethod, ModelSpec, TrainingSetup } from './types';

/**
 * Models narrower than this run below the calibrated efficiency: their matmuls are smaller and the per-layer
 * element-wise work weighs more. Efficiency × (hidden / 4096)^0.5 below it; fitted on Qwen-1.8B (hidden 2048) against
 * Qwen-7B (hidden 4096), LoRA on one A100 (calibration-data.ts).
 */
export const FULL_EFFICIENCY_HIDDEN_SIZE = 4096;
export const NARROW_MODEL_EXPONENT = 0.5;

/**
 * Data-parallel scaling across nodes (within a node the calibrated factors already include it): 0.9 with a fast fabric
 * (EFA, InfiniBand, GPUDirect-TCPX), 0.7 over plain Ethernet. Assumed, not yet measured.
 */
export const INTER_NODE_SCALING: Readonly<Record<Interconnect, number>> = {
  [Interconnect.EFA]: 0.9,
  [Interconnect.INFINIBAND]: 0.9,
  [Interconnect.GPUDIRECT_TCPX]: 0.9,
  [Interconnect.NONE]: 0.7,
};

/** Causal flash-attention forward FLOPs per token. */
export function attentionFlopsPerToken(m: ModelSpec, contextLength: number): number {
  return 2 * m.layers * m.attentionHeads * m.headDim * contextLength;
}

/** Training FLOPs per token for the method (recomputation included when checkpointing). */
export function flopsPerToken(m: ModelSpec, setup: TrainingSetup): number {
  const n = parameterCounts(m).activeMatmul;
  const a = attentionFlopsPerToken(m, setup.contextLength);
  const forward = 2 * n + a;
  const backward = setup.method === FineTuneMethod.FULL
    ? 4 * n + 2 * a
    : 2 * n + 2 * a + 6 * loraAdapterParameters(m, setup.lora.rank) * (m.expertsPerToken / m.experts);
  return forward + backward + (setup.gradientCheckpointing ? forward : 0);
}

/** The share of the calibrated efficiency a model of this width reaches. */
export function narrowModelFactor(m: ModelSpec): number {
  return Math.min(1, m.hiddenSize / FULL_EFFICIENCY_HIDDEN_SIZE) ** NARROW_MODEL_EXPONENT;
}

/** Trained tokens per second of one GPU. */
export function tokensPerSecondPerGpu(m: ModelSpec, setup: TrainingSetup, accelerator: Accelerator, overrides?: EfficiencyOverrides): number {
  const eff = efficiencyFactor(accelerator, setup.method, overrides).value * narrowModelFactor(m);
  return (acceleratorSpec(accelerator).peakBf16DenseTflops * 1e12 * eff) / flopsPerToken(m, setup);
}

/** Trained tokens per second of `nodes` nodes with `gpusPerNode` GPUs each, all training data-parallel. */
export function clusterTokensPerSecond(
  m: ModelSpec,
  setup: TrainingSetup,
  accelerator: Accelerator,
  gpusPerNode: number,
  nodes: number,
  interconnect: Interconnect,
  overrides?: EfficiencyOverrides,
): number {
  const scaling = nodes > 1 ? INTER_NODE_SCALING[interconnect] : 1;
  return tokensPerSecondPerGpu(m, setup, accelerator, overrides) * gpusPerNode * nodes * scaling;
}

