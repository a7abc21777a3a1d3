/**
 * Placement of a run request on the platform's pools: decided once when the job is queued (`RunPlacer.decide`, stored
 * with the job as a `RunPlacement`), and turned back into the pool and shape of the run on every start
 * (`RunPlacer.placementFor`): the stored placement while its pool still exists and still holds the shape, else placed
 * again (a pool removed from the platform config), else placed now (a job queued before placements were stored).
 */
import { findModel, modelFromConfig, type ModelSpec } from '../../../../../constructs/estimate';
import { keyUnder, modelIdOfPrefix, modelPrefix } from '../../../../../constructs/platform/bucket-keys';
import type { RunPlacement } from '../../domain/job';
import type { Logger } from '../../ops/logger';
import type { BlobStorage } from '../../storage/blob-storage';
import type { PlacementDecision, RunRequest } from '../executor';
import { choosePlacement, placedRunSeconds, PlacementError, type Placement, type PlacementRequest } from './placement';
import type { KubernetesRunSettings } from './settings';

/** The model id of a spec's `base_model` key (the key itself when it is not under the models prefix). */
export function modelIdOf(baseModelKey: string): string {
  return modelIdOfPrefix(baseModelKey) ?? baseModelKey.replace(/\/+$/, '');
}

/** The pool named in the request's `adapter.pool` extension field, if any. */
export function requestedPoolOf(request: RunRequest): unknown {
  return (request.spec.adapter as { readonly pool?: unknown }).pool;
}

/** What placement and the run-time estimate read from a request: the adapter and, when the spec fixes it, the context length. */
export function trainingShapeOf(request: RunRequest): Pick<PlacementRequest, 'adapter' | 'contextLength'> {
  return { adapter: request.spec.adapter, ...(typeof request.spec.context_length === 'number' ? { contextLength: request.spec.context_length } : {}) };
}

/** Placement of a run request on the platform's pools (the executor and `vpctune jobs render` share it). */
export function placeRun(request: RunRequest, settings: KubernetesRunSettings, model: ModelSpec | undefined): Placement {
  const requestedPool = requestedPoolOf(request);
  if (requestedPool !== undefined && typeof requestedPool !== 'string') {
    throw new PlacementError('adapter.pool', `Invalid 'adapter.pool': ${JSON.stringify(requestedPool)}; allowed: the name of a GPU pool: ${settings.pools.map((p) => p.name).join(', ')}.`);
  }
  return choosePlacement({
    pools: settings.pools,
    model,
    modelId: modelIdOf(request.spec.base_model),
    ...trainingShapeOf(request),
    ...(requestedPool !== undefined ? { requestedPool } : {}),
  });
}

/** The serialisable form stored with the job. */
export function toRunPlacement(placement: Placement): RunPlacement {
  const machine = { cloud: placement.pool.sku.cloud, instanceType: placement.pool.sku.instanceType, capacity: placement.pool.capacity };
  return { pool: placement.pool.name, nodes: placement.nodes, gpusPerNode: placement.gpusPerPod, reason: placement.reason, machine };
}

/** A stored placement on today's pools; undefined when its pool is gone or no longer holds the shape. */
export function fromRunPlacement(stored: RunPlacement, settings: KubernetesRunSettings): Placement | undefined {
  const pool = settings.pools.find((p) => p.name === stored.pool);
  if (pool === undefined || stored.gpusPerNode > pool.gpusPerNode || stored.nodes > pool.maxNodes) return undefined;
  return { pool, nodes: stored.nodes, gpusPerPod: stored.gpusPerNode, reason: stored.reason };
}

/** Where a start runs, and why it is not the stored placement when it is not. */
export interface StartPlacement {
  readonly placement: Placement;
  /** Set when the stored placement could not be used: its pool is gone or shrank. */
  readonly replacedBecause?: string;
}

export class RunPlacer {
  constructor(
    private readonly settings: KubernetesRunSettings,
    private readonly storage: BlobStorage,
    private readonly log: Logger,
    /** @default - the estimator's catalog, then `config.json` under the model's prefix in storage */
    private readonly modelSpecOverride?: (modelId: string) => Promise<ModelSpec | undefined>,
  ) {}

  /** The base model's architecture, for memory and throughput; undefined when the estimator cannot know it. */
  async modelSpec(modelId: string): Promise<ModelSpec | undefined> {
    if (this.modelSpecOverride !== undefined) return this.modelSpecOverride(modelId);
    const known = findModel(modelId);
    if (known !== undefined) return known;
    const key = keyUnder(modelPrefix(modelId), 'config.json');
    try {
      if ((await this.storage.stat(key)) === undefined) return undefined;
      const chunks: Buffer[] = [];
      for await (const c of await this.storage.get(key)) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
      return modelFromConfig(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>, modelId, `storage:${key}`);
    } catch (err) {
      this.log.warn('no memory estimate for the base model', { model: modelId, error: String(err) });
      return undefined;
    }
  }

  /** Pool and shape of a run, computed now (throws PlacementError). */
  async place(request: RunRequest): Promise<Placement> {
    return placeRun(request, this.settings, await this.modelSpec(modelIdOf(request.spec.base_model)));
  }

  /**
   * The placement to store with a queued job and the seconds the run takes there (the estimator's throughput model;
   * undefined without `trainedTokens` or when the estimator does not know the model). Throws PlacementError.
   */
  async decide(request: RunRequest, trainedTokens: number | undefined): Promise<PlacementDecision> {
    const model = await this.modelSpec(modelIdOf(request.spec.base_model));
    const placement = placeRun(request, this.settings, model);
    const runSeconds = model === undefined || trainedTokens === undefined ? undefined : placedRunSeconds(placement, model, trainingShapeOf(request), trainedTokens);
    return { placement: toRunPlacement(placement), runSeconds };
  }

  /** Where a start of the request runs: its stored placement when it still fits today's pools (throws PlacementError). */
  async placementFor(request: RunRequest): Promise<StartPlacement> {
    if (request.placement === undefined) return { placement: await this.place(request) };
    const stored = fromRunPlacement(request.placement, this.settings);
    if (stored !== undefined) return { placement: stored };
    const pool = this.settings.pools.find((p) => p.name === request.placement?.pool);
    const why =
      pool === undefined
        ? `GPU pool ${request.placement.pool} of its placement is no longer configured`
        : `GPU pool ${pool.name} no longer holds its placement (${request.placement.nodes} node(s) x ${request.placement.gpusPerNode} GPU(s))`;
    return { placement: await this.place(request), replacedBecause: why };
  }
}
