/**
 * `estimateJob`: time and cost of one fine-tuning job on every catalog GPU shape, with the hosted per-token prices
 * beside it. The controller uses `estimateRunSeconds` (same models) for a queued job's `estimated_finish`.
 */
import { Accelerator, ALL_CLOUDS, Cloud, GpuSku, Interconnect, skusFor } from '../catalog';
import { efficiencyFactor } from './efficiency-data';
import { DEFAULT_SETUP, MAX_NODES, memoryPerGpu, smallestGpuCount, usableBytes } from './memory-model';
import { parameterCounts } from './model-catalog';
import { REFERENCE_PROVIDERS } from './reference-price-data';
import { clusterTokensPerSecond, flopsPerToken } from './throughput-model';
import {
  EfficiencyBasis,
  EfficiencyOverrides,
  Estimate,
  EstimateRequest,
  FineTuneMethod,
  ModelSpec,
  ReferenceQuote,
  ShapeEstimate,
  TrainingSetup,
} from './types';

/** A request the estimator cannot answer; the message names the field, the value and what is allowed. */
export class EstimateInputError extends Error {}

/** The full training setup: the request's choices over DEFAULT_SETUP. */
export function resolveSetup(setup: Partial<TrainingSetup> & { readonly method: FineTuneMethod }): TrainingSetup {
  return { ...DEFAULT_SETUP, ...setup };
}

export function estimateJob(request: EstimateRequest): Estimate {
  const setup = resolveSetup(request.setup ?? { method: FineTuneMethod.LORA });
  const epochs = request.epochs ?? 1;
  validate(request.datasetTokens, epochs, setup);
  const trainedTokens = request.datasetTokens * epochs;
  const skus = request.skus ?? defaultSkus(request.clouds ?? ALL_CLOUDS, request.accelerators);
  const shapes = skus.map((sku) => estimateShape(request.model, setup, trainedTokens, sku, request.efficiencyOverrides));
  const fitting = shapes.filter((s) => s.gpusNeeded !== undefined);
  const calibrated = fitting.filter((s) => s.efficiency.basis !== EfficiencyBasis.ASSUMED);
  return {
    model: request.model,
    parameters: parameterCounts(request.model),
    setup,
    datasetTokens: request.datasetTokens,
    epochs,
    trainedTokens,
    flopsPerToken: flopsPerToken(request.model, setup),
    shapes,
    references: referenceQuotes(parameterCounts(request.model).total, trainedTokens, setup.method),
    cheapestOnDemand: cheapest(fitting, (s) => s.onDemandUsd),
    cheapestSpot: cheapest(fitting, (s) => s.spotUsd),
    cheapestCalibratedOnDemand: cheapest(calibrated, (s) => s.onDemandUsd),
    cheapestCalibratedSpot: cheapest(calibrated, (s) => s.spotUsd),
  };
}

/** Seconds a job runs on a pool (the controller's `estimated_finish` = start + this). */
export function estimateRunSeconds(args: {
  readonly model: ModelSpec;
  readonly trainedTokens: number;
  readonly setup: Partial<TrainingSetup> & { readonly method: FineTuneMethod };
  readonly accelerator: Accelerator;
  readonly gpusPerNode: number;
  readonly nodes: number;
  readonly interconnect: Interconnect;
  readonly efficiencyOverrides?: EfficiencyOverrides;
}): number {
  const setup = resolveSetup(args.setup);
  const tps = clusterTokensPerSecond(args.model, setup, args.accelerator, args.gpusPerNode, args.nodes, args.interconnect, args.efficiencyOverrides);
  return args.trainedTokens / tps;
}

/** Every default shape (one per cloud, accelerator and GPU count), clouds in the given order. */
export function defaultSkus(clouds: readonly Cloud[], accelerators?: readonly Accelerator[]): readonly GpuSku[] {
  return clouds.flatMap((c) =>
    skusFor(c).filter((s) => s.defaultForCount && (accelerators === undefined || accelerators.includes(s.accelerator))),
  );
}

function estimateShape(
  model: ModelSpec,
  setup: TrainingSetup,
  trainedTokens: number,
  sku: GpuSku,
  overrides: EfficiencyOverrides | undefined,
): ShapeEstimate {
  const maxGpus = sku.gpuCount * MAX_NODES;
  const gpusNeeded = smallestGpuCount(model, setup, sku.gpuMemoryGiB, maxGpus);
  const efficiency = efficiencyFactor(sku.accelerator, setup.method, overrides);
  const base = {
    cloud: sku.cloud,
    instanceType: sku.instanceType,
    accelerator: sku.accelerator,
    gpusPerNode: sku.gpuCount,
    gpusNeeded,
    usableGpuMemoryBytes: usableBytes(sku.gpuMemoryGiB),
    efficiency,
    sku,
  };
  if (gpusNeeded === undefined) {
    return {
      ...base,
      nodes: undefined,
      memory: memoryPerGpu(model, setup, maxGpus),
      tokensPerSecond: undefined,
      hours: undefined,
      onDemandUsd: undefined,
      spotUsd: undefined,
      onDemandUsdPerMillionTokens: undefined,
      spotUsdPerMillionTokens: undefined,
    };
  }
  const nodes = Math.ceil(gpusNeeded / sku.gpuCount);
  const tokensPerSecond = clusterTokensPerSecond(model, setup, sku.accelerator, sku.gpuCount, nodes, sku.interconnect, overrides);
  const hours = trainedTokens / tokensPerSecond / 3600;
  const onDemandUsd = sku.spotOnly === true ? undefined : hours * nodes * sku.onDemand.usdPerHour;
  const spotUsd = hours * nodes * sku.spotSnapshot.usdPerHour;
  const perMillion = (usd: number | undefined): number | undefined => (usd === undefined ? undefined : usd / (trainedTokens / 1e6));
  return {
    ...base,
    nodes,
    memory: memoryPerGpu(model, setup, gpusNeeded),
    tokensPerSecond,
    hours,
    onDemandUsd,
    spotUsd,
    onDemandUsdPerMillionTokens: perMillion(onDemandUsd),
    spotUsdPerMillionTokens: perMillion(spotUsd),
  };
}

/**
 * The hosted services' price for the job, by the tier that covers the model's size. Both price adapter (LoRA)
 * fine-tuning; for a full fine-tuning job the note says the comparison is with their adapter price.
 */
export function referenceQuotes(totalParams: number, trainedTokens: number, method: FineTuneMethod = FineTuneMethod.LORA): readonly ReferenceQuote[] {
  const caveat = method === FineTuneMethod.FULL ? '; an adapter fine-tuning price, no full fine-tuning price is published' : '';
  return REFERENCE_PROVIDERS.map((p) => {
    const tier = p.tiers.find((t) => totalParams <= t.maxParams);
    if (tier === undefined) {
      const largest = p.tiers[p.tiers.length - 1];
      return {
        provider: p.provider,
        tier: `no published price above ${formatBillions(largest?.maxParams ?? 0)}`,
        costUsd: undefined,
        usdPerMillionTokens: undefined,
        note: p.note + caveat,
        source: p.source,
      };
    }
    const costUsd = (trainedTokens / 1e6) * tier.usdPerMillionTokens + p.usdPerJob;
    return {
      provider: p.provider,
      tier: tier.tier,
      costUsd,
      usdPerMillionTokens: costUsd / (trainedTokens / 1e6),
      note: p.note + caveat,
      source: p.source,
    };
  });
}

function cheapest(shapes: readonly ShapeEstimate[], cost: (s: ShapeEstimate) => number | undefined): ShapeEstimate | undefined {
  let best: ShapeEstimate | undefined;
  for (const s of shapes) {
    const c = cost(s);
    if (c === undefined) continue;
    const b = best === undefined ? undefined : cost(best);
    if (b === undefined || c < b) best = s;
  }
  return best;
}

function validate(datasetTokens: number, epochs: number, setup: TrainingSetup): void {
  const positiveInteger = (name: string, v: number): void => {
    if (!Number.isInteger(v) || v <= 0) throw new EstimateInputError(`${name} must be a positive integer, got ${v}`);
  };
  positiveInteger('datasetTokens', datasetTokens);
  if (!Number.isFinite(epochs) || epochs <= 0) throw new EstimateInputError(`epochs must be a positive number, got ${epochs}`);
  positiveInteger('contextLength', setup.contextLength);
  positiveInteger('microBatchSize', setup.microBatchSize);
  positiveInteger('lora.rank', setup.lora.rank);
}

export function formatBillions(params: number): string {
  return `${(params / 1e9).toFixed(params < 10e9 ? 2 : 1)}B`;
}
