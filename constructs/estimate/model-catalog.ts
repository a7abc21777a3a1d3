import { MODELS } from './model-data';
import { ModelSpec, ParameterCounts } from './types';

/** The model by Hugging Face repo id or alias (case-insensitive), or undefined. */
export function findModel(idOrAlias: string): ModelSpec | undefined {
  const wanted = idOrAlias.trim().toLowerCase();
  return MODELS.find((m) => m.id.toLowerCase() === wanted || m.aliases.some((a) => a === wanted));
}

/** Every alias, for error messages. */
export function knownModelAliases(): readonly string[] {
  return MODELS.flatMap((m) => m.aliases.slice(0, 1));
}

/** Raised when a config.json lacks what the estimator needs; the message names the keys. */
export class ModelConfigError extends Error {}

/** Model types whose MLP is plain up/down (2 matrices) rather than gated (3). */
const NON_GATED_MODEL_TYPES: readonly string[] = ['gpt2', 'gpt_neox', 'gptj', 'mpt', 'falcon', 'opt', 'phi', 'bloom', 'starcoder2'];

/**
 * A ModelSpec from a Hugging Face `config.json` object. Multimodal configs are read from their `text_config`.
 * `id` names the model in the output (the config's `_name_or_path`, else the file name given).
 */
export function modelFromConfig(config: Readonly<Record<string, unknown>>, fallbackId: string, sourceUrl: string): ModelSpec {
  const text = isRecord(config.text_config) ? { ...config, ...config.text_config } : config;
  const num = (...keys: string[]): number | undefined => {
    for (const k of keys) {
      const v = text[k];
      if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
    }
    return undefined;
  };
  const layers = num('num_hidden_layers', 'n_layer', 'n_layers', 'num_layers');
  const hidden = num('hidden_size', 'd_model', 'n_embd');
  const heads = num('num_attention_heads', 'n_head', 'n_heads');
  const vocab = num('vocab_size');
  const missing = [
    layers === undefined ? 'num_hidden_layers' : undefined,
    hidden === undefined ? 'hidden_size' : undefined,
    heads === undefined ? 'num_attention_heads' : undefined,
    vocab === undefined ? 'vocab_size' : undefined,
  ].filter((k): k is string => k !== undefined);
  if (layers === undefined || hidden === undefined || heads === undefined || vocab === undefined) {
    throw new ModelConfigError(`config.json lacks ${missing.join(', ')} (positive numbers)`);
  }
  const modelType = typeof text.model_type === 'string' ? text.model_type : '';
  const gated = !NON_GATED_MODEL_TYPES.includes(modelType);
  const experts = num('num_local_experts', 'num_experts') ?? 1;
  const name = typeof config._name_or_path === 'string' && config._name_or_path !== '' ? config._name_or_path : fallbackId;
  return {
    id: name,
    aliases: [],
    layers,
    hiddenSize: hidden,
    intermediateSize: num('intermediate_size', 'ffn_dim', 'n_inner') ?? 4 * hidden,
    attentionHeads: heads,
    kvHeads: num('num_key_value_heads', 'num_kv_heads') ?? heads,
    headDim: num('head_dim') ?? hidden / heads,
    vocabSize: vocab,
    tiedEmbeddings: typeof text.tie_word_embeddings === 'boolean' ? text.tie_word_embeddings : true,
    gatedMlp: gated,
    experts,
    expertsPerToken: experts > 1 ? num('num_experts_per_tok', 'moe_topk') ?? 2 : 1,
    source: { url: sourceUrl, asOf: new Date().toISOString().slice(0, 10) },
  };
}

/** Widths (in, out) of every linear layer of one block, one expert's MLP counted once. */
export function blockLinearShapes(m: ModelSpec): { readonly attention: readonly (readonly [number, number])[]; readonly mlp: readonly (readonly [number, number])[] } {
  const q = m.attentionHeads * m.headDim;
  const kv = m.kvHeads * m.headDim;
  const h = m.hiddenSize;
  const i = m.intermediateSize;
  return {
    attention: [[h, q], [h, kv], [h, kv], [q, h]],
    mlp: m.gatedMlp ? [[h, i], [h, i], [i, h]] : [[h, i], [i, h]],
  };
}

/** Parameter counts from the architecture (norms and biases, < 0.1%, left out). */
export function parameterCounts(m: ModelSpec): ParameterCounts {
  const shapes = blockLinearShapes(m);
  const attention = shapes.attention.reduce((s, [a, b]) => s + a * b, 0);
  const mlpOneExpert = shapes.mlp.reduce((s, [a, b]) => s + a * b, 0);
  const router = m.experts > 1 ? m.hiddenSize * m.experts : 0;
  const perLayer = attention + mlpOneExpert * m.experts + router;
  const embedding = m.vocabSize * m.hiddenSize;
  const outputProjection = m.tiedEmbeddings ? 0 : embedding;
  const blockLinear = perLayer * m.layers;
  const activeMatmul = (attention + mlpOneExpert * m.expertsPerToken + router) * m.layers + embedding;
  return { total: blockLinear + embedding + outputProjection, embedding, outputProjection, blockLinear, activeMatmul, perLayer };
}

/** LoRA adapter parameters: rank × (in + out) on every linear layer of every block (each expert has its own). */
export function loraAdapterParameters(m: ModelSpec, rank: number): number {
  const shapes = blockLinearShapes(m);
  const attention = shapes.attention.reduce((s, [a, b]) => s + rank * (a + b), 0);
  const mlp = shapes.mlp.reduce((s, [a, b]) => s + rank * (a + b), 0) * m.experts;
  return (attention + mlp) * m.layers;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
