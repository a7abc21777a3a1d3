/**
 * The upstream protocol: the subset of vLLM's OpenAI-compatible HTTP API the controller uses, in one place. vLLM
 * (`vllm serve` with the vpctune LoRA resolver, images/server) and the local CPU worker (`python -m
 * vpctune_local_worker`) both speak it; test/serving's fake upstream speaks it too.
 *
 * - Inference: `POST /v1/chat/completions`, `POST /v1/completions`; `model` is the served base id or a fine-tuned model
 *   id, which the upstream's resolver finds under `adapters/<id>/` of the platform storage. `stream: true` answers
 *   server-sent events (`data: {chunk}\n\n` … `data: [DONE]\n\n`); `stream_options.include_usage` adds a last chunk with
 *   `choices: []` and `usage`.
 * - `GET /v1/models`: what the upstream has loaded; `GET /health`: 200 when it can serve.
 * - `POST /v1/load_lora_adapter {lora_name, lora_path}`, `POST /v1/unload_lora_adapter {lora_name}`: plain-text
 *   success (vLLM with `VLLM_ALLOW_RUNTIME_LORA_UPDATING=True`).
 * - Errors: `{"error": {"message", "type", "param", "code"}}` (older vLLM: `{"object": "error", "message", …}`);
 *   429 or 503 when overloaded.
 */

export enum UpstreamPath {
  CHAT_COMPLETIONS = '/v1/chat/completions',
  COMPLETIONS = '/v1/completions',
  MODELS = '/v1/models',
  HEALTH = '/health',
  LOAD_LORA_ADAPTER = '/v1/load_lora_adapter',
  UNLOAD_LORA_ADAPTER = '/v1/unload_lora_adapter',
}

/** The two inference endpoints the controller forwards. */
export type InferencePath = UpstreamPath.CHAT_COMPLETIONS | UpstreamPath.COMPLETIONS;

/** What the controller reads of an inference request; every other field goes to the upstream unchanged. */
export interface InferenceRequestBody {
  readonly model: string;
  readonly stream?: boolean;
  readonly stream_options?: { readonly include_usage?: boolean } | null;
  readonly [field: string]: unknown;
}

export interface Usage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens?: number;
}

/** What the controller reads of a completion (or of a stream chunk). */
export interface CompletionBody {
  readonly id?: string;
  readonly object?: string;
  readonly model?: string;
  readonly choices?: readonly unknown[];
  readonly usage?: Usage | null;
}

export interface UpstreamModelCard {
  readonly id: string;
  readonly object: 'model';
  readonly owned_by?: string;
  /** The base a LoRA card belongs to (vLLM: `parent`). */
  readonly parent?: string | null;
  readonly root?: string;
}

export interface UpstreamModelList {
  readonly object: 'list';
  readonly data: readonly UpstreamModelCard[];
}

export interface LoadLoraAdapterBody {
  readonly lora_name: string;
  readonly lora_path: string;
}

export interface UnloadLoraAdapterBody {
  readonly lora_name: string;
}

export interface UpstreamErrorBody {
  readonly error?: { readonly message?: string; readonly type?: string; readonly param?: string | null; readonly code?: string | number | null };
  /** Older vLLM's flat error. */
  readonly object?: 'error';
  readonly message?: string;
}

/** The line that ends a stream. */
export const SSE_DONE = 'data: [DONE]';

/** The message of an upstream error body, whichever of the two shapes it has. */
export function upstreamErrorMessage(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const b = body as UpstreamErrorBody;
  if (typeof b.error?.message === 'string') return b.error.message;
  if (typeof b.message === 'string') return b.message;
  return undefined;
}
