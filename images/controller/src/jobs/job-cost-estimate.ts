/**
 * What a job's run is expected to cost: the `estimate` extension field of the fine-tuning job object. It is read from
 * what the job stored when it was queued — the executor's placement (pool, GPUs, the pool's machine shape and capacity
 * type) and the estimator's run time on it (run-time-estimate.ts) — priced by the accelerator catalog
 * (constructs/catalog: on-demand price and dated spot snapshot per machine shape).
 *
 * The run is charged for the GPUs it holds at its node's price per GPU: `run_seconds / 3600 × gpus × (node price /
 * GPUs per node)`, in US dollars rounded to 1/100 cent. A run on part of a node pays its share (other jobs may use the
 * rest); a run on whole nodes pays whole nodes, as `vpctune estimate` prices them. Time waiting for a GPU is free and
 * not counted.
 */
import { CapacityType, Cloud, skuByInstanceType, type GpuSku } from '../../../../constructs/catalog';
import type { JobRecord, PlacedMachine } from '../domain/job';

/** The `estimate` field of the job object (snake_case, as the API's other fields). */
export interface JobCostEstimate {
  /** Seconds the run takes by the estimator on its placement (the basis of `estimated_finish` while queued). */
  readonly run_seconds: number;
  /** The GPU pool the job is placed on. */
  readonly pool: string;
  /** The accelerator, as a platform config names it: `A10G`, `H100`. */
  readonly gpu: string;
  /** The pool's node shape: `g5.2xlarge`. */
  readonly instance_type: string;
  /** GPUs the run holds: nodes × GPUs per node. */
  readonly gpus: number;
  /** How the pool's nodes are bought: `spot` or `on-demand`; the figure that applies is the one of that name. */
  readonly capacity: CapacityType;
  /** At the on-demand price; null when the cloud sells the shape only as spot capacity. */
  readonly on_demand_usd: number | null;
  /** At the catalog's dated spot price snapshot (spot prices move every few minutes). */
  readonly spot_usd: number;
}

/** US dollars rounded to 1/100 cent, the precision the field carries. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 10_000) / 10_000;
}

/** What `gpus` GPUs of `sku` cost for `runSeconds` at `usdPerNodeHour` (the node's price). */
export function gpuShareUsd(runSeconds: number, gpus: number, sku: Pick<GpuSku, 'gpuCount'>, usdPerNodeHour: number): number {
  return roundUsd((runSeconds / 3600) * gpus * (usdPerNodeHour / sku.gpuCount));
}

function skuOf(machine: PlacedMachine): GpuSku | undefined {
  const cloud = Object.values(Cloud).find((c) => c === machine.cloud);
  return cloud === undefined ? undefined : skuByInstanceType(cloud, machine.instanceType);
}

function capacityOf(machine: PlacedMachine): CapacityType | undefined {
  return Object.values(CapacityType).find((c) => c === machine.capacity);
}

/**
 * The job's cost estimate, or null where there is none: no placement (the local executor, which runs on CPU), no run
 * time (DPO, or a base model the estimator does not know), or a placement stored without its machine shape, or with a
 * shape the catalog no longer lists.
 */
export function jobCostEstimate(job: Pick<JobRecord, 'placement' | 'estimatedRunSeconds'>): JobCostEstimate | null {
  const { placement, estimatedRunSeconds: runSeconds } = job;
  if (placement === null || runSeconds === null || placement.machine === undefined) return null;
  const sku = skuOf(placement.machine);
  const capacity = capacityOf(placement.machine);
  if (sku === undefined || capacity === undefined) return null;
  const gpus = placement.nodes * placement.gpusPerNode;
  return {
    run_seconds: runSeconds,
    pool: placement.pool,
    gpu: sku.accelerator,
    instance_type: sku.instanceType,
    gpus,
    capacity,
    on_demand_usd: sku.spotOnly === true ? null : gpuShareUsd(runSeconds, gpus, sku, sku.onDemand.usdPerHour),
    spot_usd: gpuShareUsd(runSeconds, gpus, sku, sku.spotSnapshot.usdPerHour),
  };
}
