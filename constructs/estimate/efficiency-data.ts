/**
 * Efficiency factors: the fraction of a GPU's peak dense bf16 FLOPS a fine-tuning job achieves (hardware FLOPs,
 * recomputation counted; throughput-model.ts). One per accelerator and method. Measured factors are fitted to the
 * cited measurements (calibration-data.ts; the tests reproduce each within ±25%); the others are derived or assumed
 * as stated, and every factor can be overridden (`--efficiency GPU:METHOD=VALUE`) and later replaced by our own
 * measurements.
 */
import { Accelerator, Source } from '../catalog';
import { EfficiencyBasis, EfficiencyFactor, EfficiencyOverrides, FineTuneMethod } from './types';

const QWEN: Source = { url: 'https://github.com/QwenLM/Qwen/blob/85cb093f20e1faa1d772d6abe8458661f3b09202/README.md#profiling-of-memory-and-speed', asOf: '2026-11-22' };
const LLM_FOUNDRY: Source = { url: 'https://github.com/mosaicml/llm-foundry/blob/061f2c7ce64e655100286584a7629e2a09f827ba/scripts/train/benchmarking/README.md', asOf: '2026-11-22' };

/** A100 80GB, Hugging Face transformers + peft + DeepSpeed, flash attention 2, gradient checkpointing (Qwen README). */
const A100: Readonly<Record<FineTuneMethod, number>> = {
  [FineTuneMethod.LORA]: 0.47,
  [FineTuneMethod.QLORA]: 0.36,
  [FineTuneMethod.FULL]: 0.34,
};
const A100_NOTES: Readonly<Record<FineTuneMethod, string>> = {
  [FineTuneMethod.LORA]: 'fitted to Qwen 1.8B/7B/14B LoRA on one A100 80GB at 1024-8192 tokens (Qwen README)',
  [FineTuneMethod.QLORA]: 'fitted to Qwen 1.8B/7B/14B Q-LoRA on one A100 80GB at 2048 tokens (Qwen README)',
  [FineTuneMethod.FULL]: 'fitted to Qwen-7B full-parameter on two A100 80GB at 1024 tokens (Qwen README)',
};

/**
 * H100 over A100 per peak FLOP, same stack and job: LLM Foundry MPT-7B, 8 GPUs, 2048 tokens, no checkpointing:
 * (10643 tokens/s / 989 TFLOPS) / (4641 tokens/s / 312 TFLOPS) = 0.7235 — the H100 delivers 2.29x the A100, not 3.17x.
 */
export const H100_PER_PEAK_VS_A100 = (10643 / 989) / (4641 / 312);

function factor(accelerator: Accelerator, method: FineTuneMethod): EfficiencyFactor {
  switch (accelerator) {
    case Accelerator.A100_80GB:
      return { accelerator, method, value: A100[method], basis: EfficiencyBasis.MEASURED, note: A100_NOTES[method], sources: [QWEN] };
    case Accelerator.A100_40GB:
      return {
        accelerator, method, value: A100[method], basis: EfficiencyBasis.DERIVED,
        note: 'A100 80GB factor: same GA100 silicon and clocks (LLM Foundry MPT-7B on 40GB vs 80GB agrees within 25%)',
        sources: [QWEN, LLM_FOUNDRY],
      };
    case Accelerator.H100:
      return {
        accelerator, method, value: round3(A100[method] * H100_PER_PEAK_VS_A100), basis: EfficiencyBasis.DERIVED,
        note: `A100 factor x ${H100_PER_PEAK_VS_A100.toFixed(4)}, the measured H100/A100 per-peak ratio (LLM Foundry MPT-7B)`,
        sources: [QWEN, LLM_FOUNDRY],
      };
    case Accelerator.A10G:
    case Accelerator.L40S:
      return {
        accelerator, method, value: A100[method], basis: EfficiencyBasis.ASSUMED,
        note: 'no public fine-tuning measurement found: the A100 factor is assumed until we measure it',
        sources: [QWEN],
      };
  }
}

/** The factor for (accelerator, method), an override replacing the table's value. */
export function efficiencyFactor(accelerator: Accelerator, method: FineTuneMethod, overrides?: EfficiencyOverrides): EfficiencyFactor {
  const base = factor(accelerator, method);
  const override = overrides?.[accelerator]?.[method];
  if (override === undefined) return base;
  return { ...base, value: override, basis: EfficiencyBasis.MEASURED, note: `overridden (table: ${base.value})`, sources: [] };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
