import type { ServedModel, ServedModels } from './served-models';

export interface ServedModelCacheOptions {
  /** How long a found model is reused without asking the store again, ms (0: never). @default 2000 */
  readonly ttlMs: number;
  /** Entries kept at most; the oldest goes first. @default 1000 */
  readonly maxEntries: number;
}

export const DEFAULT_SERVED_MODEL_CACHE_OPTIONS: ServedModelCacheOptions = { ttlMs: 2000, maxEntries: 1000 };

/**
 * The inference hot path's model lookup: a model a project asked for (its route, job, checkpoint) is reused for
 * `ttlMs`, so a stream of requests does not read the store for each. Only models found are kept (a model that just
 * appeared is served at once); deleting a model clears the cache (model-retirement.ts), so a deleted model is not
 * routed from here.
 */
export class ServedModelCache {
  private readonly entries = new Map<string, { readonly model: ServedModel; readonly atMs: number }>();

  constructor(
    private readonly models: ServedModels,
    private readonly options: ServedModelCacheOptions = DEFAULT_SERVED_MODEL_CACHE_OPTIONS,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async find(projectId: string, id: string): Promise<ServedModel | undefined> {
    const key = `${projectId}\n${id}`;
    const now = this.nowMs();
    const hit = this.entries.get(key);
    if (hit !== undefined && now - hit.atMs < this.options.ttlMs) return hit.model;
    this.entries.delete(key);
    const model = await this.models.find(projectId, id);
    if (model !== undefined && this.options.ttlMs > 0) {
      if (this.entries.size >= this.options.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(key, { model, atMs: now });
    }
    return model;
  }

  /** Forgets every model (a model was deleted: it and its checkpoints must not be routed any more). */
  clear(): void {
    this.entries.clear();
  }
}
