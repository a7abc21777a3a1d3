import { ModelSpec } from './types';

/**
 * The models `vpctune estimate --model` knows by name: architecture numbers transcribed from each repository's
 * `config.json` on the Hugging Face Hub (for the multimodal Gemma 3 4B/12B/27B, its `text_config`; the vision tower,
 * ~0.4B parameters, is not counted). test/estimate/model-catalog.test.ts checks the parameter counts these give
 * against the counts the model cards publish. The numbers were transcribed by hand (this machine cannot reach the Hub);
 * `asOf` is the day they were transcribed. Any other model: `--model-config path/to/config.json`.
 */
const AS_OF = '2026-11-22';

interface ModelRow {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly layers: number;
  readonly hidden: number;
  readonly intermediate: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim?: number;
  readonly vocab: number;
  readonly tied: boolean;
  readonly experts?: number;
  readonly expertsPerToken?: number;
}

// prettier-ignore
const ROWS: readonly ModelRow[] = [
  // Meta Llama 3.x (SwiGLU, grouped-query attention, 128K vocabulary)
  { id: 'meta-llama/Llama-3.2-1B-Instruct',  aliases: ['llama-3.2-1b'],  layers: 16, hidden: 2048, intermediate: 8192,  heads: 32, kvHeads: 8, headDim: 64,  vocab: 128256, tied: true },
  { id: 'meta-llama/Llama-3.2-3B-Instruct',  aliases: ['llama-3.2-3b'],  layers: 28, hidden: 3072, intermediate: 8192,  heads: 24, kvHeads: 8, headDim: 128, vocab: 128256, tied: true },
  { id: 'meta-llama/Llama-3.1-8B-Instruct',  aliases: ['llama-3.1-8b', 'llama-3-8b'], layers: 32, hidden: 4096, intermediate: 14336, heads: 32, kvHeads: 8, vocab: 128256, tied: false },
  { id: 'meta-llama/Llama-3.1-70B-Instruct', aliases: ['llama-3.1-70b'], layers: 80, hidden: 8192, intermediate: 28672, heads: 64, kvHeads: 8, vocab: 128256, tied: false },
  { id: 'meta-llama/Llama-3.3-70B-Instruct', aliases: ['llama-3.3-70b'], layers: 80, hidden: 8192, intermediate: 28672, heads: 64, kvHeads: 8, vocab: 128256, tied: false },
  // Mistral
  { id: 'mistralai/Mistral-7B-Instruct-v0.3',   aliases: ['mistral-7b'],   layers: 32, hidden: 4096, intermediate: 14336, heads: 32, kvHeads: 8, vocab: 32768, tied: false },
  { id: 'mistralai/Mixtral-8x7B-Instruct-v0.1', aliases: ['mixtral-8x7b'], layers: 32, hidden: 4096, intermediate: 14336, heads: 32, kvHeads: 8, vocab: 32000, tied: false, experts: 8, expertsPerToken: 2 },
  // Qwen 2.5
  { id: 'Qwen/Qwen2.5-0.5B-Instruct', aliases: ['qwen2.5-0.5b'], layers: 24, hidden: 896,  intermediate: 4864,  heads: 14, kvHeads: 2, vocab: 151936, tied: true },
  { id: 'Qwen/Qwen2.5-1.5B-Instruct', aliases: ['qwen2.5-1.5b'], layers: 28, hidden: 1536, intermediate: 8960,  heads: 12, kvHeads: 2, vocab: 151936, tied: true },
  { id: 'Qwen/Qwen2.5-3B-Instruct',   aliases: ['qwen2.5-3b'],   layers: 36, hidden: 2048, intermediate: 11008, heads: 16, kvHeads: 2, vocab: 151936, tied: true },
  { id: 'Qwen/Qwen2.5-7B-Instruct',   aliases: ['qwen2.5-7b'],   layers: 28, hidden: 3584, intermediate: 18944, heads: 28, kvHeads: 4, vocab: 152064, tied: false },
  { id: 'Qwen/Qwen2.5-14B-Instruct',  aliases: ['qwen2.5-14b'],  layers: 48, hidden: 5120, intermediate: 13824, heads: 40, kvHeads: 8, vocab: 152064, tied: false },
  { id: 'Qwen/Qwen2.5-32B-Instruct',  aliases: ['qwen2.5-32b'],  layers: 64, hidden: 5120, intermediate: 27648, heads: 40, kvHeads: 8, vocab: 152064, tied: false },
  { id: 'Qwen/Qwen2.5-72B-Instruct',  aliases: ['qwen2.5-72b'],  layers: 80, hidden: 8192, intermediate: 29568, heads: 64, kvHeads: 8, vocab: 152064, tied: false },
  // Qwen 3 (dense)
  { id: 'Qwen/Qwen3-0.6B', aliases: ['qwen3-0.6b'], layers: 28, hidden: 1024, intermediate: 3072,  heads: 16, kvHeads: 8, headDim: 128, vocab: 151936, tied: true },
  { id: 'Qwen/Qwen3-1.7B', aliases: ['qwen3-1.7b'], layers: 28, hidden: 2048, intermediate: 6144,  heads: 16, kvHeads: 8, headDim: 128, vocab: 151936, tied: true },
  { id: 'Qwen/Qwen3-4B',   aliases: ['qwen3-4b'],   layers: 36, hidden: 2560, intermediate: 9728,  heads: 32, kvHeads: 8, headDim: 128, vocab: 151936, tied: true },
  { id: 'Qwen/Qwen3-8B',   aliases: ['qwen3-8b'],   layers: 36, hidden: 4096, intermediate: 12288, heads: 32, kvHeads: 8, headDim: 128, vocab: 151936, tied: false },
  { id: 'Qwen/Qwen3-14B',  aliases: ['qwen3-14b'],  layers: 40, hidden: 5120, intermediate: 17408, heads: 40, kvHeads: 8, headDim: 128, vocab: 151936, tied: false },
  { id: 'Qwen/Qwen3-32B',  aliases: ['qwen3-32b'],  layers: 64, hidden: 5120, intermediate: 25600, heads: 64, kvHeads: 8, headDim: 128, vocab: 151936, tied: false },
  // Google Gemma 2 / Gemma 3 (GeGLU, 256K vocabulary, tied embeddings)
  { id: 'google/gemma-2-2b-it',  aliases: ['gemma-2-2b'],  layers: 26, hidden: 2304, intermediate: 9216,  heads: 8,  kvHeads: 4,  headDim: 256, vocab: 256000, tied: true },
  { id: 'google/gemma-2-9b-it',  aliases: ['gemma-2-9b'],  layers: 42, hidden: 3584, intermediate: 14336, heads: 16, kvHeads: 8,  headDim: 256, vocab: 256000, tied: true },
  { id: 'google/gemma-2-27b-it', aliases: ['gemma-2-27b'], layers: 46, hidden: 4608, intermediate: 36864, heads: 32, kvHeads: 16, headDim: 128, vocab: 256000, tied: true },
  { id: 'google/gemma-3-1b-it',  aliases: ['gemma-3-1b'],  layers: 26, hidden: 1152, intermediate: 6912,  heads: 4,  kvHeads: 1,  headDim: 256, vocab: 262144, tied: true },
  { id: 'google/gemma-3-4b-it',  aliases: ['gemma-3-4b'],  layers: 34, hidden: 2560, intermediate: 10240, heads: 8,  kvHeads: 4,  headDim: 256, vocab: 262208, tied: true },
  { id: 'google/gemma-3-12b-it', aliases: ['gemma-3-12b'], layers: 48, hidden: 3840, intermediate: 15360, heads: 16, kvHeads: 8,  headDim: 256, vocab: 262208, tied: true },
  { id: 'google/gemma-3-27b-it', aliases: ['gemma-3-27b'], layers: 62, hidden: 5376, intermediate: 21504, heads: 32, kvHeads: 16, headDim: 128, vocab: 262208, tied: true },
];

export const MODELS: readonly ModelSpec[] = ROWS.map((r) => ({
  id: r.id,
  aliases: r.aliases,
  layers: r.layers,
  hiddenSize: r.hidden,
  intermediateSize: r.intermediate,
  attentionHeads: r.heads,
  kvHeads: r.kvHeads,
  headDim: r.headDim ?? r.hidden / r.heads,
  vocabSize: r.vocab,
  tiedEmbeddings: r.tied,
  gatedMlp: true,
  experts: r.experts ?? 1,
  expertsPerToken: r.expertsPerToken ?? 1,
  source: { url: `https://huggingface.co/${r.id}/blob/main/config.json`, asOf: AS_OF },
}));
