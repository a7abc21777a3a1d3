import { Accelerator, Cloud, findSku, Interconnect } from '../../constructs/catalog';
import { defaultSkus, estimateJob, EstimateInputError, estimateRunSeconds, referenceQuotes } from '../../constructs/estimate/estimate';
import { findModel } from '../../constructs/estimate/model-catalog';
import { clusterTokensPerSecond } from '../../constructs/estimate/throughput-model';
import { DEFAULT_SETUP } from '../../constructs/estimate/memory-model';
import { EfficiencyBasis, FineTuneMethod, ModelSpec } from '../../constructs/estimate/types';

function model(alias: string): ModelSpec {
  const m = findModel(alias);
  if (m === undefined) throw new Error(`no model ${alias}`);
  return m;
}

describe('estimateJob', () => {
  // GIVEN the example: Llama 3.1 8B, LoRA, 100M tokens, 1 epoch
  const e = estimateJob({ model: model('llama-3.1-8b'), datasetTokens: 100_000_000, epochs: 1, setup: { method: FineTuneMethod.LORA } });

  test('one row per default shape of every cloud: 10 AWS, 13 GCP, 6 Azure', () => {
    expect(e.shapes.filter((s) => s.cloud === Cloud.AWS)).toHaveLength(10);
    expect(e.shapes.filter((s) => s.cloud === Cloud.GCP)).toHaveLength(13);
    expect(e.shapes.filter((s) => s.cloud === Cloud.AZURE)).toHaveLength(6);
    expect(e.trainedTokens).toBe(100_000_000);
    expect(e.setup).toEqual({ ...DEFAULT_SETUP, method: FineTuneMethod.LORA });
  });

  test('LoRA of an 8B model fits one GPU of every shape; cost = hours x nodes x hourly price', () => {
    for (const s of e.shapes) {
      expect(`${s.instanceType}: ${s.gpusNeeded}/${s.nodes}`).toBe(`${s.instanceType}: 1/1`);
      expect(s.hours).toBeCloseTo(100_000_000 / (s.tokensPerSecond ?? 0) / 3600, 10);
      expect(s.spotUsd).toBeCloseTo((s.hours ?? 0) * s.sku.spotSnapshot.usdPerHour, 10);
      expect(s.spotUsdPerMillionTokens).toBeCloseTo((s.spotUsd ?? 0) / 100, 10);
    }
  });

  test('a shape sold only as spot capacity has no on-demand cost', () => {
    const a3 = e.shapes.find((s) => s.instanceType === 'a3-highgpu-1g');
    expect(a3?.onDemandUsd).toBeUndefined();
    expect(a3?.spotUsd).toBeGreaterThan(0);
  });

  test('reference rows: Predibase $0.50 and Anyscale $1.00 per 1M tokens plus $5 per job', () => {
    expect(e.references.map((r) => [r.provider, r.tier, r.costUsd, r.usdPerMillionTokens])).toEqual([
      ['Predibase', 'SFT LoRA, models up to 16B', 50, 0.5],
      ['Anyscale', 'small models (7B-8B class, e.g. Llama 2 7B)', 105, 1.05],
    ]);
  });

  test('the cheapest rows, and the cheapest among calibrated (not assumed) efficiencies', () => {
    expect([e.cheapestOnDemand?.instanceType, e.cheapestOnDemand?.efficiency.basis]).toEqual(['g6e.2xlarge', EfficiencyBasis.ASSUMED]);
    expect([e.cheapestCalibratedOnDemand?.instanceType, e.cheapestCalibratedOnDemand?.efficiency.basis]).toEqual(['p4d.24xlarge', EfficiencyBasis.DERIVED]);
    expect(e.cheapestSpot?.instanceType).toBe('Standard_ND96asr_v4');
    expect(e.cheapestCalibratedSpot?.instanceType).toBe('Standard_ND96asr_v4');
    for (const s of e.shapes) if (s.onDemandUsd !== undefined) expect(s.onDemandUsd).toBeGreaterThanOrEqual(e.cheapestOnDemand?.onDemandUsd ?? 0);
  });

  test('70B full fine-tuning does not fit 24 GB or single-GPU shapes within 8 nodes, and spreads over nodes elsewhere', () => {
    // GIVEN Llama 3.1 70B full fine-tuning WHEN estimated
    const big = estimateJob({ model: model('llama-3.1-70b'), datasetTokens: 10_000_000, setup: { method: FineTuneMethod.FULL } });
    const row = (type: string) => big.shapes.find((s) => s.instanceType === type);
    // THEN the A10G shapes cannot hold it, and 8x H100 nodes need 3 of them (17 GPUs)
    expect([row('g5.48xlarge')?.gpusNeeded, row('g5.48xlarge')?.hours, row('g5.48xlarge')?.onDemandUsd]).toEqual([undefined, undefined, undefined]);
    expect([row('p5.48xlarge')?.gpusNeeded, row('p5.48xlarge')?.nodes]).toEqual([17, 3]);
    // AND the hosted references: Predibase's 16.1B-80B tier; Anyscale publishes no price above its 13B class
    expect(big.references.map((r) => [r.provider, r.costUsd])).toEqual([['Predibase', 30], ['Anyscale', undefined]]);
    expect(big.references[1]?.tier).toBe('no published price above 15.0B');
  });

  test('QLoRA puts a 70B model on one 80 GB GPU, and on two 48 GB L40S at 2048 tokens', () => {
    const q = estimateJob({ model: model('llama-3.1-70b'), datasetTokens: 1_000_000, setup: { method: FineTuneMethod.QLORA } });
    expect(q.shapes.find((s) => s.instanceType === 'p5.4xlarge')?.gpusNeeded).toBe(1);
    expect(q.shapes.find((s) => s.instanceType === 'g6e.2xlarge')?.gpusNeeded).toBe(2);
  });

  test('clouds and accelerators narrow the shapes; epochs multiply the trained tokens', () => {
    const aws = estimateJob({ model: model('qwen2.5-7b'), datasetTokens: 1_000_000, epochs: 3, setup: { method: FineTuneMethod.QLORA }, clouds: [Cloud.AWS], accelerators: [Accelerator.A10G] });
    expect(aws.shapes.map((s) => s.instanceType)).toEqual(['g5.2xlarge', 'g5.12xlarge', 'g5.48xlarge']);
    expect(aws.trainedTokens).toBe(3_000_000);
    expect(defaultSkus([Cloud.AZURE], [Accelerator.H100]).map((s) => s.instanceType)).toEqual(['Standard_ND96isr_H100_v5']);
  });

  test('bad requests are refused with the field, the value and what is allowed', () => {
    const m = model('llama-3.1-8b');
    expect(() => estimateJob({ model: m, datasetTokens: -5, setup: { method: FineTuneMethod.LORA } })).toThrow(new EstimateInputError('datasetTokens must be a positive integer, got -5'));
    expect(() => estimateJob({ model: m, datasetTokens: 10, epochs: 0, setup: { method: FineTuneMethod.LORA } })).toThrow('epochs must be a positive number, got 0');
    expect(() => estimateJob({ model: m, datasetTokens: 10, setup: { method: FineTuneMethod.LORA, contextLength: 1.5 } })).toThrow('contextLength must be a positive integer, got 1.5');
  });
});

describe('estimateRunSeconds (the controller’s estimated_finish)', () => {
  test('uses the same throughput model as the table', () => {
    // GIVEN a queued job on an 8x H100 pool WHEN the controller asks for its run time
    const m = model('llama-3.1-8b');
    const seconds = estimateRunSeconds({ model: m, trainedTokens: 50_000_000, setup: { method: FineTuneMethod.LORA }, accelerator: Accelerator.H100, gpusPerNode: 8, nodes: 1, interconnect: Interconnect.EFA });
    // THEN it equals trained tokens / the cluster's tokens per second, and matches the estimate's p5.48xlarge row
    const tps = clusterTokensPerSecond(m, { ...DEFAULT_SETUP, method: FineTuneMethod.LORA }, Accelerator.H100, 8, 1, Interconnect.EFA);
    expect(seconds).toBeCloseTo(50_000_000 / tps, 6);
    const row = estimateJob({ model: m, datasetTokens: 50_000_000, setup: { method: FineTuneMethod.LORA }, skus: [findSku(Cloud.AWS, Accelerator.H100, 8)!] }).shapes[0];
    expect(seconds).toBeCloseTo((row?.hours ?? 0) * 3600, 6);
  });
});

describe('referenceQuotes', () => {
  test('tiers by total parameters: 13B is Anyscale medium ($2/1M), 20B is Predibase 16.1B-80B ($3/1M)', () => {
    expect(referenceQuotes(13e9, 2_000_000).map((r) => r.costUsd)).toEqual([1, 9]);
    expect(referenceQuotes(20e9, 2_000_000).map((r) => r.costUsd)).toEqual([6, undefined]);
    expect(referenceQuotes(100e9, 2_000_000).map((r) => r.tier)).toEqual(['no published price above 80.0B', 'no published price above 15.0B']);
  });

  test('for full fine-tuning the note says the reference is an adapter price', () => {
    expect(referenceQuotes(8e9, 1_000_000, FineTuneMethod.FULL)[0]?.note).toBe(
      'per 1M tokens processed (dataset tokens x epochs); an adapter fine-tuning price, no full fine-tuning price is published',
    );
    expect(referenceQuotes(8e9, 1_000_000, FineTuneMethod.LORA)[0]?.note).toBe('per 1M tokens processed (dataset tokens x epochs)');
  });
});
