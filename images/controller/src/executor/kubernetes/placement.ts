/**
 * Which GPU pool a fine-tuning job runs on, how many GPUs each pod asks for and over how many nodes.
 *
 * The rule: the pool the request names in the `adapter.pool` extension field, else the smallest configured
 * pool whose GPU type and per-node count can hold the job, with memory from the estimator (`constructs/estimate`) when
 * the model is known to it. "Holds" follows what the trainer does (images/trainer/README.md): LoRA and QLoRA run data
 * parallel (DDP), so every GPU holds the whole frozen model and the job fits a pool only if it fits one of its GPUs;
 * full fine-tuning shards weights and optimizer states (FSDP) over all GPUs of the run, so it may span GPUs and nodes.
 */
import type { GpuSku } from '../../../../../constructs/catalog';
import type { ResolvedGpuPool } from '../../../../../constructs/config';
import { estimateRunSeconds, FineTuneMethod, fits, resolveSetup, smallestGpuCount, type ModelSpec, type TrainingSetup } from '../../../../../constructs/estimate';
import type { AdapterChoice } from '../../domain/job';
import { RunRefusedError } from '../executor';

/** The pool facts placement needs (a `ResolvedGpuPool` of the platform config has them all). */
export type PlacementPool = Pick<ResolvedGpuPool, 'name' | 'gpu' | 'gpusPerNode' | 'maxNodes' | 'capacity'> & { readonly sku: GpuSku };

export interface PlacementRequest {
  readonly pools: readonly PlacementPool[];
  /** The base model's architecture; undefined when the estimator does not know the model (no memory estimate). */
  readonly model: ModelSpec | undefined;
  /** The model id as the request wrote it, for messages. */
  readonly modelId: string;
  readonly adapter: Pick<AdapterChoice, 'type' | 'r'>;
  /** Tokens per packed row. @default the estimator's default (2048) */
  readonly contextLength?: number;
  /** The pool named in the request's `adapter.pool` extension field. @default - the smallest pool that fits */
  readonly requestedPool?: string;
}

export interface Placement {
  readonly pool: PlacementPool;
  /** Nodes (pods) of the run: 1, or more for an Indexed Job with a headless Service. */
  readonly nodes: number;
  /** `nvidia.com/gpu` each pod requests (= torchrun processes per node). */
  readonly gpusPerPod: number;
  /** Why this pool, in one sentence (kept as an annotation on the Job and shown by `vpctune jobs render`). */
  readonly reason: string;
}

/**
 * A request placement cannot satisfy; `param` is the request field to blame, the message names value and choices.
 * Code `invalid_pool` for a bad `adapter.pool`, `no_pool_fits` when no pool can hold the model.
 */
export class PlacementError extends RunRefusedError {
  constructor(param: string, message: string) {
    super(param === 'adapter.pool' ? 'invalid_pool' : 'no_pool_fits', param, message);
    this.name = 'PlacementError';
  }
}

const METHODS: Readonly<Record<AdapterChoice['type'], FineTuneMethod>> = { lora: FineTuneMethod.LORA, qlora: FineTuneMethod.QLORA, full: FineTuneMethod.FULL };

interface Fit {
  readonly pool: PlacementPool;
  readonly gpus: number;
  readonly nodes: number;
  readonly gpusPerPod: number;
}

function setupFor(request: Pick<PlacementRequest, 'adapter' | 'contextLength'>): TrainingSetup {
  return resolveSetup({
    method: METHODS[request.adapter.type],
    lora: { rank: request.adapter.r },
    ...(request.contextLength !== undefined ? { contextLength: request.contextLength } : {}),
  });
}

/** GPUs the job needs on a pool's GPU, or undefined when no run on that pool can hold it. */
function fitOn(pool: PlacementPool, model: ModelSpec, setup: TrainingSetup): Fit | undefined {
  const memory = pool.sku.gpuMemoryGiB;
  let gpus: number | undefined;
  if (setup.method === FineTuneMethod.FULL) gpus = smallestGpuCount(model, setup, memory, pool.gpusPerNode * pool.maxNodes);
  else gpus = fits(model, setup, memory, 1) ? 1 : undefined;
  if (gpus === undefined) return undefined;
  if (gpus <= pool.gpusPerNode) return { pool, gpus, nodes: 1, gpusPerPod: gpus };
  // Several nodes: whole nodes, so every rank's node runs the same number of processes.
  const nodes = Math.ceil(gpus / pool.gpusPerNode);
  return { pool, gpus, nodes, gpusPerPod: pool.gpusPerNode };
}

/** GPU memory of one node of the pool, GiB: the "size" pools are ordered by. */
function nodeGpuMemory(pool: PlacementPool): number {
  return pool.gpusPerNode * pool.sku.gpuMemoryGiB;
}

function bySize(a: PlacementPool, b: PlacementPool): number {
  return nodeGpuMemory(a) - nodeGpuMemory(b) || a.sku.onDemand.usdPerHour - b.sku.onDemand.usdPerHour || a.name.localeCompare(b.name);
}

function describePool(pool: PlacementPool): string {
  return `${pool.gpusPerNode}x ${pool.gpu} ${pool.sku.gpuMemoryGiB} GiB per node, at most ${pool.maxNodes} node${pool.maxNodes === 1 ? '' : 's'}`;
}

function describeFit(f: Fit): string {
  return f.nodes === 1 ? `${f.gpusPerPod} GPU${f.gpusPerPod === 1 ? '' : 's'} on one node` : `${f.nodes} nodes x ${f.gpusPerPod} GPUs`;
}

function methodName(adapter: PlacementRequest['adapter']): string {
  return adapter.type === 'full' ? 'full fine-tuning' : `${adapter.type === 'qlora' ? 'QLoRA' : 'LoRA'} rank ${adapter.r}`;
}

/** Chooses the pool and the shape of the run; throws PlacementError naming the field, the value and what is allowed. */
export function choosePlacement(request: PlacementRequest): Placement {
  const pools = [...request.pools].sort(bySize);
  if (pools.length === 0) throw new PlacementError('adapter.pool', 'The platform config has no GPU pool to run fine-tuning jobs on.');
  const names = pools.map((p) => p.name);
  let candidates = pools;
  if (request.requestedPool !== undefined) {
    const named = pools.find((p) => p.name === request.requestedPool);
    if (named === undefined) {
      throw new PlacementError('adapter.pool', `Invalid 'adapter.pool': ${JSON.stringify(request.requestedPool)} is not a GPU pool of this platform; allowed: ${names.join(', ')}.`);
    }
    candidates = [named];
  }
  const what = `${request.modelId} ${methodName(request.adapter)}`;

  if (request.model === undefined) {
    // No memory estimate: the named pool, else the smallest; one GPU for adapters, one whole node for full.
    const pool = candidates[0] as PlacementPool;
    const gpusPerPod = request.adapter.type === 'full' ? pool.gpusPerNode : 1;
    const why = request.requestedPool !== undefined ? 'named in the request' : 'the smallest pool';
    return { pool, nodes: 1, gpusPerPod, reason: `${what}: no memory estimate (the model is not in the estimator's catalog); pool ${pool.name} (${why}), ${gpusPerPod} GPU${gpusPerPod === 1 ? '' : 's'} on one node.` };
  }

  const setup = setupFor(request);
  const fitsAll = pools.map((p) => fitOn(p, request.model as ModelSpec, setup)).filter((f): f is Fit => f !== undefined);
  const fitting = fitsAll.filter((f) => candidates.includes(f.pool));
  if (fitting.length === 0) {
    const elsewhere = fitsAll.map((f) => f.pool.name);
    if (request.requestedPool !== undefined) {
      const pool = candidates[0] as PlacementPool;
      throw new PlacementError(
        'adapter.pool',
        `Invalid 'adapter.pool': ${JSON.stringify(pool.name)} (${describePool(pool)}) cannot hold ${what}; ${elsewhere.length > 0 ? `pools that can: ${elsewhere.join(', ')}` : 'no pool of this platform can'}.`,
      );
    }
    throw new PlacementError('model', `Invalid 'model': no GPU pool of this platform can hold ${what} (pools: ${pools.map((p) => `${p.name}: ${describePool(p)}`).join('; ')}); add a pool with more GPU memory or use qlora.`);
  }
  // One node before several; then the smallest node; then the fewest GPUs.
  const best = [...fitting].sort((a, b) => Math.min(a.nodes, 2) - Math.min(b.nodes, 2) || a.nodes - b.nodes || bySize(a.pool, b.pool) || a.gpus - b.gpus)[0] as Fit;
  const why = request.requestedPool !== undefined ? 'named in the request' : best.nodes === 1 ? 'the smallest pool that holds it' : 'no pool holds it on one node; the fewest nodes';
  return { pool: best.pool, nodes: best.nodes, gpusPerPod: best.gpusPerPod, reason: `${what} needs ${best.gpus} ${best.pool.gpu} GPU${best.gpus === 1 ? '' : 's'}: pool ${best.pool.name} (${why}), ${describeFit(best)}.` };
}

/**
 * Seconds a run of `trainedTokens` tokens takes on a placement: the estimator's throughput model for the pool's GPU,
 * the GPUs per node and the nodes of the run (the same model `vpctune estimate` prints).
 */
export function placedRunSeconds(placement: Placement, model: ModelSpec, request: Pick<PlacementRequest, 'adapter' | 'contextLength'>, trainedTokens: number): number {
  const sku = placement.pool.sku;
  return estimateRunSeconds({ model, trainedTokens, setup: setupFor(request), accelerator: sku.accelerator, gpusPerNode: placement.gpusPerPod, nodes: placement.nodes, interconnect: sku.interconnect });
}
