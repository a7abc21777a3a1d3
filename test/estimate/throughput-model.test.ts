import { Accelerator, Interconnect } from '../../constructs/catalog';
import { RATIO_MEASUREMENTS, THROUGHPUT_MEASUREMENTS } from '../../constructs/estimate/calibration-data';
import { efficiencyFactor, H100_PER_PEAK_VS_A100 } from '../../constructs/estimate/efficiency-data';
import { DEFAULT_SETUP } from '../../constructs/estimate/memory-model';
import { findModel, loraAdapterParameters, parameterCounts } from '../../constructs/estimate/model-catalog';
import {
  attentionFlopsPerToken,
  clusterTokensPerSecond,
  flopsPerToken,
  narrowModelFactor,
  tokensPerSecondPerGpu,
} from '../../constructs/estimate/throughput-model';
import { EfficiencyBasis, FineTuneMethod, ModelSpec, TrainingSetup } from '../../constructs/estimate/types';

function model(alias: string): ModelSpec {
  const m = findModel(alias);
  if (m === undefined) throw new Error(`no model ${alias}`);
  return m;
}
const setup = (method: FineTuneMethod, over: Partial<TrainingSetup> = {}): TrainingSetup => ({ ...DEFAULT_SETUP, method, ...over });

describe('throughput model against published measurements (±25%)', () => {
  test.each(THROUGHPUT_MEASUREMENTS.map((t) => [t.label, t.figure, t.source.url, t] as const))('%s: published "%s" (%s)', (_label, _figure, _url, t) => {
    // GIVEN the model, setup and GPU the source measured WHEN the model predicts tokens/s per GPU
    const ours = tokensPerSecondPerGpu(t.model, t.setup, t.accelerator);
    // THEN it is within ±25% of the published figure (Qwen README: 8 sequences per iteration / seconds per iteration)
    expect(t.source.url).toBe('https://github.com/QwenLM/Qwen/blob/85cb093f20e1faa1d772d6abe8458661f3b09202/README.md#profiling-of-memory-and-speed');
    expect({ label: t.label, figure: t.figure, withinTolerance: Math.abs(ours / t.measuredTokensPerSecondPerGpu - 1) <= 0.25 })
      .toEqual({ label: t.label, figure: t.figure, withinTolerance: true });
  });

  test.each(RATIO_MEASUREMENTS.map((r) => [r.label, r.figure, r.source.url, r] as const))('%s: published "%s" (%s)', (_label, _figure, _url, r) => {
    // GIVEN two measurements of one stack WHEN the model predicts their ratio THEN within ±25%
    const ours = tokensPerSecondPerGpu(r.model, r.numerator.setup, r.numerator.accelerator) /
      tokensPerSecondPerGpu(r.model, r.denominator.setup, r.denominator.accelerator);
    const measured = r.numerator.tokensPerSecondPerGpu / r.denominator.tokensPerSecondPerGpu;
    expect(r.source.url).toBe('https://github.com/mosaicml/llm-foundry/blob/061f2c7ce64e655100286584a7629e2a09f827ba/scripts/train/benchmarking/README.md');
    expect({ figure: r.figure, withinTolerance: Math.abs(ours / measured - 1) <= 0.25 }).toEqual({ figure: r.figure, withinTolerance: true });
  });

  test('the Qwen README example: Qwen-7B LoRA at 2048 tokens, 5.2 s per 8 sequences = 3,151 tokens/s; we predict 3,209', () => {
    const t = THROUGHPUT_MEASUREMENTS[0];
    expect(t?.measuredTokensPerSecondPerGpu).toBeCloseTo(3150.77, 2);
    expect(Math.round(tokensPerSecondPerGpu(t!.model, t!.setup, t!.accelerator))).toBe(3209);
  });
});

describe('FLOPs per trained token', () => {
  const m = model('llama-3.1-8b');
  const n = parameterCounts(m).activeMatmul;
  const a = attentionFlopsPerToken(m, 2048);

  test('full fine-tuning costs 6N + 3A; with checkpointing 8N + 4A', () => {
    expect(a).toBe(2 * 32 * 4096 * 2048);
    expect(flopsPerToken(m, setup(FineTuneMethod.FULL, { gradientCheckpointing: false }))).toBe(6 * n + 3 * a);
    expect(flopsPerToken(m, setup(FineTuneMethod.FULL))).toBe(8 * n + 4 * a);
  });

  test('LoRA and QLoRA skip weight gradients: 4N + 3A + 6 x adapter parameters (6N + 4A + ... with checkpointing)', () => {
    const adapters = 6 * loraAdapterParameters(m, 16);
    expect(flopsPerToken(m, setup(FineTuneMethod.LORA, { gradientCheckpointing: false }))).toBe(4 * n + 3 * a + adapters);
    expect(flopsPerToken(m, setup(FineTuneMethod.QLORA))).toBe(6 * n + 4 * a + adapters);
  });
});

describe('efficiency factors', () => {
  test('A100 80GB factors are measured; QLoRA is the lowest LoRA-family factor (dequantisation costs time)', () => {
    const lora = efficiencyFactor(Accelerator.A100_80GB, FineTuneMethod.LORA);
    const qlora = efficiencyFactor(Accelerator.A100_80GB, FineTuneMethod.QLORA);
    expect([lora.value, lora.basis]).toEqual([0.47, EfficiencyBasis.MEASURED]);
    expect([qlora.value, qlora.basis]).toEqual([0.36, EfficiencyBasis.MEASURED]);
    expect(efficiencyFactor(Accelerator.A100_80GB, FineTuneMethod.FULL).value).toBe(0.34);
  });

  test('H100 factors are the A100 factors times the measured per-peak ratio 0.7235', () => {
    expect(H100_PER_PEAK_VS_A100).toBeCloseTo(0.7235, 4);
    expect(efficiencyFactor(Accelerator.H100, FineTuneMethod.LORA)).toMatchObject({ value: 0.34, basis: EfficiencyBasis.DERIVED });
    expect(efficiencyFactor(Accelerator.A10G, FineTuneMethod.LORA)).toMatchObject({ value: 0.47, basis: EfficiencyBasis.ASSUMED });
  });

  test('an override replaces the table value and says so', () => {
    const f = efficiencyFactor(Accelerator.L40S, FineTuneMethod.LORA, { [Accelerator.L40S]: { [FineTuneMethod.LORA]: 0.25 } });
    expect(f).toMatchObject({ value: 0.25, basis: EfficiencyBasis.MEASURED, note: 'overridden (table: 0.47)' });
    const base = tokensPerSecondPerGpu(model('llama-3.1-8b'), setup(FineTuneMethod.LORA), Accelerator.L40S);
    const over = tokensPerSecondPerGpu(model('llama-3.1-8b'), setup(FineTuneMethod.LORA), Accelerator.L40S, { [Accelerator.L40S]: { [FineTuneMethod.LORA]: 0.235 } });
    expect(over / base).toBeCloseTo(0.5, 10);
  });

  test('narrow models run below the calibrated efficiency: (hidden / 4096)^0.5', () => {
    expect(narrowModelFactor(model('llama-3.1-8b'))).toBe(1);
    expect(narrowModelFactor(model('llama-3.2-1b'))).toBeCloseTo(Math.SQRT1_2, 10);
  });

  test('nodes scale by 0.9 over a fast fabric and 0.7 without one', () => {
    const m = model('llama-3.1-8b');
    const s = setup(FineTuneMethod.LORA);
    const one = tokensPerSecondPerGpu(m, s, Accelerator.H100);
    expect(clusterTokensPerSecond(m, s, Accelerator.H100, 8, 1, Interconnect.EFA)).toBeCloseTo(8 * one, 6);
    expect(clusterTokensPerSecond(m, s, Accelerator.H100, 8, 2, Interconnect.EFA)).toBeCloseTo(16 * one * 0.9, 6);
    expect(clusterTokensPerSecond(m, s, Accelerator.H100, 8, 2, Interconnect.NONE)).toBeCloseTo(16 * one * 0.7, 6);
  });
});
