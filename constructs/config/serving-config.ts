/**
 * The platform config's `serving` section: which base models the cluster serves, on which GPU pool, and the vLLM
 * LoRA limits (images/server/README.md). A served model must fit one node of its pool with room for the KV cache.
 */
import { z } from 'zod';
import { Accelerator, acceleratorSpec } from '../catalog';
import { findModel, loraAdapterParameters, parameterCounts } from '../estimate/model-catalog';
import { usableBytes } from '../estimate/memory-model';
import type { ConfigIssue } from './issues';
import { show } from './issues';

/** The LoRA ranks vLLM accepts for `--max-lora-rank`. */
export const VLLM_LORA_RANKS = [1, 8, 16, 32, 64, 128, 256, 320, 512] as const;

/** Share of a node's usable GPU memory kept free for the KV cache (vLLM fills what is left with cache blocks). */
export const KV_CACHE_HEADROOM = 0.25;

/** Bytes per weight when serving: bf16. */
const SERVING_BYTES_PER_WEIGHT = 2;

export const servingEntrySchema = z
  .object({
    /** The base model id as imported (`vpctune models import --id`) and as clients name it. */
    model: z.string().min(1),
    /** A gpuPools name; the model is served tensor-parallel across one node's GPUs. */
    pool: z.string().min(1),
    /** Pods (vLLM servers) behind the model's Service. @default 1 */
    replicas: z.number().int().min(1).max(64).default(1),
    /** Adapters in one batch on the GPU (`--max-loras`). @default 4 */
    maxLoras: z.number().int().min(1).max(256).default(4),
    /** Largest LoRA rank served (`--max-lora-rank`): 1, 8, 16, 32, 64, 128, 256, 320 or 512. @default 16 */
    maxLoraRank: z
      .number()
      .int()
      .refine((r) => (VLLM_LORA_RANKS as readonly number[]).includes(r), { message: `must be one of ${VLLM_LORA_RANKS.join(', ')}` })
      .default(16),
    /** Adapters kept in CPU memory (`--max-cpu-loras`), at least maxLoras. @default 4 × maxLoras */
    maxCpuLoras: z.number().int().min(1).max(4096).optional(),
  })
  .strict();

export type ServingEntry = z.infer<typeof servingEntrySchema>;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const GIB = 2 ** 30;
const gib = (bytes: number): string => `${(bytes / GIB).toFixed(1)} GiB`;

/**
 * Cross-field rules of `serving`: the pool exists, maxCpuLoras ≥ maxLoras, a model is listed once, and a model the
 * estimator knows fits one node of its pool: bf16 weights + maxLoras adapters of maxLoraRank within
 * (1 − KV_CACHE_HEADROOM) of the node's usable GPU memory. Models the estimator does not know are not checked.
 */
export function servingIssues(input: Obj): ConfigIssue[] {
  const serving = Array.isArray(input['serving']) ? input['serving'] : [];
  const pools = (Array.isArray(input['gpuPools']) ? input['gpuPools'] : []).filter(isObj);
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  serving.forEach((raw, i) => {
    if (!isObj(raw) || typeof raw['model'] !== 'string' || typeof raw['pool'] !== 'string') return;
    const at = `serving[${i}]`;
    const model = raw['model'];
    if (seen.has(model)) issues.push({ path: `${at}.model`, value: model, message: `${show(model)} is served twice; list each model once (use replicas for more servers)` });
    seen.add(model);
    const maxLoras = typeof raw['maxLoras'] === 'number' ? raw['maxLoras'] : 4;
    if (typeof raw['maxCpuLoras'] === 'number' && raw['maxCpuLoras'] < maxLoras) {
      issues.push({ path: `${at}.maxCpuLoras`, value: raw['maxCpuLoras'], message: `${raw['maxCpuLoras']} is below maxLoras (${maxLoras}); allowed: ${maxLoras} or more` });
    }
    const pool = pools.find((p) => p['name'] === raw['pool']);
    if (pool === undefined) {
      issues.push({ path: `${at}.pool`, value: raw['pool'], message: `${show(raw['pool'])} is not a gpuPools name; allowed: ${pools.map((p) => String(p['name'])).join(', ')}` });
      return;
    }
    const spec = findModel(model);
    if (spec === undefined) return;
    const rank = typeof raw['maxLoraRank'] === 'number' ? raw['maxLoraRank'] : 16;
    const needed = (parameterCounts(spec).total + maxLoras * loraAdapterParameters(spec, rank)) * SERVING_BYTES_PER_WEIGHT;
    const fitsOn = (gpu: Accelerator, gpus: number): boolean => needed <= usableBytes(acceleratorSpec(gpu).memoryGiB) * gpus * (1 - KV_CACHE_HEADROOM);
    const gpu = pool['gpu'] as Accelerator;
    const gpus = typeof pool['gpusPerNode'] === 'number' ? pool['gpusPerNode'] : 1;
    if (!Object.values(Accelerator).includes(gpu) || fitsOn(gpu, gpus)) return;
    const fitting = pools.filter((p) => Object.values(Accelerator).includes(p['gpu'] as Accelerator) && typeof p['gpusPerNode'] === 'number' && fitsOn(p['gpu'] as Accelerator, p['gpusPerNode'])).map((p) => String(p['name']));
    const smallest = Object.values(Accelerator)
      .map((g) => ({ g, n: [1, 2, 4, 8].find((n) => fitsOn(g, n)) }))
      .filter((x) => x.n !== undefined)
      .map((x) => `${x.n} × ${x.g}`);
    const would = fitting.length > 0 ? `pools that fit: ${fitting.join(', ')}` : `no pool of this config fits; one node with ${smallest.length > 0 ? smallest.join(' or ') : 'more than 8 of the largest GPUs'} would`;
    issues.push({
      path: `${at}.pool`,
      value: raw['pool'],
      message: `${model} does not fit pool ${show(raw['pool'])} (${gpus} × ${gpu}): it needs ${gib(needed)} for bf16 weights and ${maxLoras} adapters of rank ${rank}, with ${KV_CACHE_HEADROOM * 100}% of the node's usable ${gib(usableBytes(acceleratorSpec(gpu).memoryGiB) * gpus)} kept for the KV cache; ${would}`,
    });
  });
  return issues;
}
