import { Accelerator, Cloud } from '../../constructs/catalog';
import { estimateJob } from '../../constructs/estimate/estimate';
import { findModel } from '../../constructs/estimate/model-catalog';
import { renderJson, toJson } from '../../constructs/estimate/render-json';
import { renderTable } from '../../constructs/estimate/render-table';
import { countChatTokens } from '../../constructs/estimate/token-count';
import { FineTuneMethod, ModelSpec } from '../../constructs/estimate/types';

function model(alias: string): ModelSpec {
  const m = findModel(alias);
  if (m === undefined) throw new Error(`no model ${alias}`);
  return m;
}
const done = estimateJob({ model: model('llama-3.1-8b'), datasetTokens: 100_000_000, epochs: 1, setup: { method: FineTuneMethod.LORA } });

describe('table', () => {
  const lines = renderTable(done).split('\n');

  test('a header naming the model, the method and the job', () => {
    expect(lines.slice(0, 3)).toEqual([
      'vpctune estimate: meta-llama/Llama-3.1-8B-Instruct (8.03B parameters [1]), LoRA rank 16 on every linear layer (bf16 base)',
      'Job: 100,000,000 tokens x 1 epoch = 100,000,000 trained tokens; context 2048, micro-batch 1, gradient checkpointing on',
      "Model: 47.4 GFLOP per trained token; AdamW, mixed precision; fits when it needs at most 90% of a GPU's memory",
    ]);
  });

  test('one section per cloud, each citing its price sources', () => {
    expect(lines.filter((l) => /^(AWS|GCP|Azure) \(/.test(l))).toEqual([
      'AWS (us-east-1; on-demand prices [2] [3], spot snapshot [4], as of 2025-10-01)',
      'GCP (us-central1; on-demand prices [9], spot snapshot [10], as of 2025-10-01)',
      'Azure (eastus; on-demand prices [11], spot snapshot [12], as of 2025-10-01)',
    ]);
    expect(lines).toContain('  p4d.24xlarge   8x A100-40GB [7]  1            1      18.8 GiB  0.47~  24,735    1.12   $24.66     $11.10  $0.247          $0.111');
    expect(lines).toContain('  a3-highgpu-1g   1x H100 [8]        1            1      18.8 GiB  0.34~  7,090     3.92   spot only  $11.03  -               $0.110');
  });

  test('the cheapest rows stand next to Predibase and Anyscale', () => {
    expect(lines.filter((l) => /^ {0,2}[Cc]heapest/.test(l))).toEqual([
      'Cheapest on-demand: AWS g6e.2xlarge x1 $0.174 per 1M tokens ($17.36, 7.74 h) [L40S efficiency assumed*]   vs Predibase $0.500, Anyscale $1.050 per 1M tokens',
      '  cheapest with measured or derived efficiency: AWS p4d.24xlarge x1 $0.247 per 1M tokens ($24.66, 1.12 h)',
      'Cheapest spot: Azure Standard_ND96asr_v4 x1 $0.061 per 1M tokens ($6.11, 1.12 h)   vs Predibase $0.500, Anyscale $1.050 per 1M tokens',
    ]);
    expect(lines).toContain('  Predibase  SFT LoRA, models up to 16B                   $0.500/1M  $50.00   per 1M tokens processed (dataset tokens x epochs) [13]');
    expect(lines).toContain('  Anyscale   small models (7B-8B class, e.g. Llama 2 7B)  $1.050/1M  $105.00  per 1M tokens processed, plus $5 per job (October 2023 prices) [14]');
  });

  test('every [n] used is listed under Sources with a URL and a date', () => {
    const used = new Set([...renderTable(done).matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])));
    const listed = lines.filter((l) => /^ {2}\[\d+\] https:\/\/\S+ \(\d{4}-\d{2}-\d{2}\)$/.test(l)).map((l) => Number(/\[(\d+)\]/.exec(l)?.[1]));
    expect(listed).toEqual([...used].sort((a, b) => a - b));
    expect(lines).toContain('  [13] https://predibase.com/pricing (2025-10-01)');
  });

  test('a shape that cannot hold the job says so with the memory it would need', () => {
    const big = estimateJob({ model: model('llama-3.1-70b'), datasetTokens: 1_000_000, setup: { method: FineTuneMethod.FULL }, clouds: [Cloud.AWS], accelerators: [Accelerator.A10G] });
    const row = renderTable(big).split('\n').find((l) => l.startsWith('  g5.2xlarge'));
    expect(row).toBe('  g5.2xlarge   1x A10G [4]  does not fit in 8 nodes  -      140.1 GiB > 21.6 GiB  0.34*  -         -      -          -     -               -');
    expect(renderTable(big)).toContain('Cheapest on-demand: no shape fits');
  });

  test('a token count from a file is shown with its rule', () => {
    const count = countChatTokens('{"messages":[{"role":"user","content":"hello there"}]}\n', 'data.jsonl');
    const e = estimateJob({ model: model('qwen2.5-0.5b'), datasetTokens: count.tokens, setup: { method: FineTuneMethod.LORA }, clouds: [Cloud.AZURE] });
    expect(renderTable(e, { tokenCount: count, trainingFile: 'data.jsonl' }).split('\n')[2]).toBe(
      'Tokens: 7 in 1 examples of data.jsonl (estimate: characters / 4 per message + 4 per message for the chat template (no tokenizer run))',
    );
  });
});

describe('--json', () => {
  test('the same numbers as plain data, nulls for what does not apply', () => {
    const j = JSON.parse(renderJson(done));
    expect(j.model).toEqual({ id: 'meta-llama/Llama-3.1-8B-Instruct', parameters: 8_029_995_008, source: 'https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct/blob/main/config.json' });
    expect(j.job).toMatchObject({ method: 'lora', datasetTokens: 100_000_000, epochs: 1, trainedTokens: 100_000_000, tokenCount: null, loraRank: 16 });
    expect(j.shapes).toHaveLength(29);
    const a3 = j.shapes.find((s: { instanceType: string }) => s.instanceType === 'a3-highgpu-1g');
    expect([a3.onDemandUsd, a3.spotOnly, a3.efficiency.basis, a3.prices.spotSource.url]).toEqual([null, true, 'derived', 'https://cloud.google.com/spot-vms/pricing']);
    expect(j.references.map((r: { provider: string; usd: number }) => [r.provider, r.usd])).toEqual([['Predibase', 50], ['Anyscale', 105]]);
    expect([j.cheapest.onDemand.instanceType, j.cheapest.onDemand.efficiencyBasis, j.cheapest.calibratedOnDemand.instanceType]).toEqual(['g6e.2xlarge', 'assumed', 'p4d.24xlarge']);
    expect(j.cheapest.spot.usdPerMillionTokens).toBeCloseTo(done.cheapestSpot?.spotUsdPerMillionTokens ?? 0, 12);
  });

  test('toJson and renderJson agree', () => {
    expect(JSON.parse(renderJson(done))).toEqual(JSON.parse(JSON.stringify(toJson(done))));
  });
});
