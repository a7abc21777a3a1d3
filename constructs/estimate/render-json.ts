/** The `--json` answer: the same estimate as plain data, undefined as null, with every source. */
import { TokenCount } from './token-count';
import { Estimate, ShapeEstimate } from './types';

export interface CheapestJson {
  readonly cloud: string;
  readonly instanceType: string;
  readonly nodes: number;
  readonly usd: number;
  readonly usdPerMillionTokens: number;
  readonly efficiencyBasis: string;
}

export interface EstimateJson {
  readonly model: { readonly id: string; readonly parameters: number; readonly source: string };
  readonly job: {
    readonly method: string;
    readonly datasetTokens: number;
    readonly epochs: number;
    readonly trainedTokens: number;
    readonly tokenCount: TokenCount | null;
    readonly contextLength: number;
    readonly microBatchSize: number;
    readonly gradientCheckpointing: boolean;
    readonly loraRank: number | null;
    readonly optimizer: string;
    readonly flopsPerToken: number;
  };
  readonly shapes: readonly Record<string, unknown>[];
  readonly references: readonly Record<string, unknown>[];
  readonly cheapest: {
    readonly onDemand: CheapestJson | null;
    readonly spot: CheapestJson | null;
    /** Among shapes whose efficiency is measured or derived, not assumed. */
    readonly calibratedOnDemand: CheapestJson | null;
    readonly calibratedSpot: CheapestJson | null;
  };
}

export function toJson(e: Estimate, tokenCount?: TokenCount): EstimateJson {
  const pick = (s: ShapeEstimate | undefined, usd: number | undefined, perMillion: number | undefined): CheapestJson | null =>
    s === undefined || usd === undefined || perMillion === undefined || s.nodes === undefined
      ? null
      : { cloud: s.cloud, instanceType: s.instanceType, nodes: s.nodes, usd, usdPerMillionTokens: perMillion, efficiencyBasis: s.efficiency.basis };
  return {
    model: { id: e.model.id, parameters: e.parameters.total, source: e.model.source.url },
    job: {
      method: e.setup.method,
      datasetTokens: e.datasetTokens,
      epochs: e.epochs,
      trainedTokens: e.trainedTokens,
      tokenCount: tokenCount ?? null,
      contextLength: e.setup.contextLength,
      microBatchSize: e.setup.microBatchSize,
      gradientCheckpointing: e.setup.gradientCheckpointing,
      loraRank: e.setup.method === 'full' ? null : e.setup.lora.rank,
      optimizer: e.setup.optimizer.name,
      flopsPerToken: e.flopsPerToken,
    },
    shapes: e.shapes.map((s) => ({
      cloud: s.cloud,
      instanceType: s.instanceType,
      accelerator: s.accelerator,
      gpusPerNode: s.gpusPerNode,
      fits: s.gpusNeeded !== undefined,
      gpusNeeded: s.gpusNeeded ?? null,
      nodes: s.nodes ?? null,
      memoryPerGpuBytes: Math.round(s.memory.totalBytes),
      usableGpuMemoryBytes: Math.round(s.usableGpuMemoryBytes),
      tokensPerSecond: s.tokensPerSecond ?? null,
      hours: s.hours ?? null,
      onDemandUsd: s.onDemandUsd ?? null,
      spotUsd: s.spotUsd ?? null,
      onDemandUsdPerMillionTokens: s.onDemandUsdPerMillionTokens ?? null,
      spotUsdPerMillionTokens: s.spotUsdPerMillionTokens ?? null,
      spotOnly: s.sku.spotOnly === true,
      efficiency: { value: s.efficiency.value, basis: s.efficiency.basis, note: s.efficiency.note, sources: s.efficiency.sources.map((x) => x.url) },
      prices: {
        region: s.sku.onDemand.region,
        onDemandUsdPerHour: s.sku.onDemand.usdPerHour,
        onDemandSource: s.sku.onDemand.source,
        spotUsdPerHour: s.sku.spotSnapshot.usdPerHour,
        spotSource: s.sku.spotSnapshot.source,
      },
    })),
    references: e.references.map((r) => ({
      provider: r.provider,
      tier: r.tier,
      usd: r.costUsd ?? null,
      usdPerMillionTokens: r.usdPerMillionTokens ?? null,
      note: r.note,
      source: r.source,
    })),
    cheapest: {
      onDemand: pick(e.cheapestOnDemand, e.cheapestOnDemand?.onDemandUsd, e.cheapestOnDemand?.onDemandUsdPerMillionTokens),
      spot: pick(e.cheapestSpot, e.cheapestSpot?.spotUsd, e.cheapestSpot?.spotUsdPerMillionTokens),
      calibratedOnDemand: pick(e.cheapestCalibratedOnDemand, e.cheapestCalibratedOnDemand?.onDemandUsd, e.cheapestCalibratedOnDemand?.onDemandUsdPerMillionTokens),
      calibratedSpot: pick(e.cheapestCalibratedSpot, e.cheapestCalibratedSpot?.spotUsd, e.cheapestCalibratedSpot?.spotUsdPerMillionTokens),
    },
  };
}

export function renderJson(e: Estimate, tokenCount?: TokenCount): string {
  return `${JSON.stringify(toJson(e, tokenCount), null, 2)}\n`;
}
