import * as fs from 'node:fs';
import * as path from 'node:path';
import { findModel, loraAdapterParameters, ModelConfigError, modelFromConfig, parameterCounts } from '../../constructs/estimate/model-catalog';
import { MODELS } from '../../constructs/estimate/model-data';
import { ModelSpec } from '../../constructs/estimate/types';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'estimate');

function model(alias: string): ModelSpec {
  const m = findModel(alias);
  if (m === undefined) throw new Error(`no model ${alias}`);
  return m;
}

describe('model catalog', () => {
  test('aliases and Hugging Face ids resolve, ids case-insensitively', () => {
    expect(model('llama-3.1-8b').id).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(model('META-LLAMA/llama-3.1-8b-instruct').id).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(model('qwen3-8b').id).toBe('Qwen/Qwen3-8B');
    expect(findModel('llama-9b')).toBeUndefined();
  });

  test('covers the families the issue names: Llama 3.x 1B-70B, Mistral 7B, Mixtral 8x7B, Qwen 2.5/3 0.5B-72B, Gemma 2/3', () => {
    const aliases = MODELS.flatMap((m) => m.aliases);
    for (const a of ['llama-3.2-1b', 'llama-3.2-3b', 'llama-3.1-8b', 'llama-3.1-70b', 'mistral-7b', 'mixtral-8x7b', 'qwen2.5-0.5b', 'qwen2.5-72b', 'qwen3-0.6b', 'qwen3-32b', 'gemma-2-9b', 'gemma-3-27b']) {
      expect(aliases).toContain(a);
    }
    expect(new Set(aliases).size).toBe(aliases.length);
    for (const m of MODELS) expect(m.source.url).toBe(`https://huggingface.co/${m.id}/blob/main/config.json`);
  });

  // Published parameter counts from each model card (Hugging Face "Model size" / the vendor's announcement).
  test.each([
    ['llama-3.2-1b', 1.24e9, 'https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct (1.24B params)'],
    ['llama-3.1-8b', 8.03e9, 'https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct (8.03B params)'],
    ['llama-3.1-70b', 70.6e9, 'https://huggingface.co/meta-llama/Llama-3.1-70B-Instruct (70.6B params)'],
    ['mistral-7b', 7.25e9, 'https://huggingface.co/mistralai/Mistral-7B-Instruct-v0.3 (7.25B params)'],
    ['mixtral-8x7b', 46.7e9, 'https://mistral.ai/news/mixtral-of-experts (46.7B total parameters)'],
    ['qwen2.5-7b', 7.61e9, 'https://huggingface.co/Qwen/Qwen2.5-7B-Instruct (Number of Parameters: 7.61B)'],
    ['qwen2.5-72b', 72.7e9, 'https://huggingface.co/Qwen/Qwen2.5-72B-Instruct (Number of Parameters: 72.7B)'],
    ['qwen3-8b', 8.2e9, 'https://huggingface.co/Qwen/Qwen3-8B (Number of Parameters: 8.2B)'],
    ['gemma-2-9b', 9.24e9, 'https://huggingface.co/google/gemma-2-9b-it (9.24B params)'],
  ])('%s: parameter count from the architecture is within 2%% of the published %d (%s)', (alias, published) => {
    // GIVEN the catalog's architecture numbers WHEN counting THEN it matches the model card
    const total = parameterCounts(model(alias as string)).total;
    expect(Math.abs(total / (published as number) - 1)).toBeLessThan(0.02);
  });

  test('Mixtral activates 2 of 8 experts: 12.9B active parameters per token (Mistral announcement)', () => {
    // GIVEN Mixtral WHEN counting the matmul parameters one token uses THEN ≈ 12.9B
    expect(Math.abs(parameterCounts(model('mixtral-8x7b')).activeMatmul / 12.9e9 - 1)).toBeLessThan(0.02);
  });

  test('Llama 3.1 8B counts exactly: 32 blocks of 218,103,808 linear weights + two 525,336,576 embeddings', () => {
    const p = parameterCounts(model('llama-3.1-8b'));
    expect(p.perLayer).toBe(218_103_808);
    expect(p.embedding).toBe(525_336_576);
    expect(p.outputProjection).toBe(525_336_576);
    expect(p.total).toBe(32 * 218_103_808 + 2 * 525_336_576);
    // rank 16 on q, k, v, o, gate, up, down: 16 × (8192 + 5120 + 5120 + 8192 + 3 × 18432) × 32 layers
    expect(loraAdapterParameters(model('llama-3.1-8b'), 16)).toBe(16 * 81_920 * 32);
  });

  test('any other model: its config.json gives the same facts', () => {
    // GIVEN a Llama-style config.json WHEN read THEN every field comes from it
    const config = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'custom-model', 'config.json'), 'utf8'));
    const m = modelFromConfig(config, 'custom-model', 'file:///config.json');
    expect(m).toMatchObject({
      id: 'acme/tiny-llama-1b', layers: 22, hiddenSize: 2048, intermediateSize: 5632, attentionHeads: 32, kvHeads: 4,
      headDim: 64, vocabSize: 32000, tiedEmbeddings: false, gatedMlp: true, experts: 1, expertsPerToken: 1,
    });
    expect(parameterCounts(m).total).toBe(22 * (2048 * 2048 * 2 + 2048 * 256 * 2 + 3 * 2048 * 5632) + 2 * 32000 * 2048);
  });

  test('a multimodal config is read from its text_config; GPT-style keys are understood', () => {
    const gemma3 = modelFromConfig({ model_type: 'gemma3', text_config: { hidden_size: 2560, num_hidden_layers: 34, num_attention_heads: 8, num_key_value_heads: 4, head_dim: 256, intermediate_size: 10240, vocab_size: 262208 } }, 'g', 'u');
    expect([gemma3.hiddenSize, gemma3.layers, gemma3.headDim, gemma3.tiedEmbeddings]).toEqual([2560, 34, 256, true]);
    const gpt2 = modelFromConfig({ model_type: 'gpt2', n_layer: 12, n_embd: 768, n_head: 12, vocab_size: 50257 }, 'gpt2', 'u');
    expect([gpt2.layers, gpt2.hiddenSize, gpt2.intermediateSize, gpt2.gatedMlp]).toEqual([12, 768, 3072, false]);
  });

  test('a config without the needed keys is refused, naming them', () => {
    // GIVEN a config with only hidden_size WHEN read THEN the error lists the missing keys
    const config = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'custom-model', 'incomplete-config.json'), 'utf8'));
    expect(() => modelFromConfig(config, 'x', 'file:///incomplete-config.json')).toThrow(ModelConfigError);
    expect(() => modelFromConfig(config, 'x', 'file:///incomplete-config.json')).toThrow(
      'config.json lacks num_hidden_layers, num_attention_heads, vocab_size (positive numbers)',
    );
  });
});
