/** The human-readable answer: one table per cloud, the hosted reference rows, the cheapest rows, and the sources. */
import { acceleratorSpec, ALL_CLOUDS, Source } from '../catalog';
import { cloudProfile } from '../platform/cloud-profiles';
import { formatBillions } from './estimate';
import { columns, gib, hours, integer, usd, usdPerMillion } from './format';
import { MAX_NODES, USABLE_MEMORY_FRACTION } from './memory-model';
import { TokenCount } from './token-count';
import { EfficiencyBasis, Estimate, FineTuneMethod, ShapeEstimate } from './types';

const BASIS_MARK: Readonly<Record<EfficiencyBasis, string>> = {
  [EfficiencyBasis.MEASURED]: '',
  [EfficiencyBasis.DERIVED]: '~',
  [EfficiencyBasis.ASSUMED]: '*',
};

export interface RenderContext {
  /** Present when the token count came from --training-file. */
  readonly tokenCount?: TokenCount;
  readonly trainingFile?: string;
}

export function renderTable(e: Estimate, context: RenderContext = {}): string {
  const sources = new SourceList();
  const out: string[] = [];
  out.push(`vpctune estimate: ${e.model.id} (${formatBillions(e.parameters.total)} parameters${sourceRef(sources, e.model.source)}), ${methodText(e)}`);
  out.push(`Job: ${integer(e.datasetTokens)} tokens x ${e.epochs} epoch${e.epochs === 1 ? '' : 's'} = ${integer(e.trainedTokens)} trained tokens; context ${e.setup.contextLength}, micro-batch ${e.setup.microBatchSize}, gradient checkpointing ${e.setup.gradientCheckpointing ? 'on' : 'off'}`);
  if (context.tokenCount !== undefined) {
    const t = context.tokenCount;
    out.push(`Tokens: ${integer(t.tokens)} in ${integer(t.examples)} examples of ${context.trainingFile ?? 'the training file'} (${t.rule})`);
  }
  out.push(`Model: ${(e.flopsPerToken / 1e9).toFixed(1)} GFLOP per trained token; ${e.setup.optimizer.name}; fits when it needs at most ${USABLE_MEMORY_FRACTION * 100}% of a GPU's memory`);

  const clouds = ALL_CLOUDS.filter((c) => e.shapes.some((s) => s.cloud === c));
  for (const cloud of clouds) {
    const rows = e.shapes.filter((s) => s.cloud === cloud);
    const skus = rows.map((r) => r.sku);
    const refs = (pick: (s: ShapeEstimate['sku']) => Source): string => [...new Set(skus.map((s) => pick(s).url))]
      .map((url) => sourceRef(sources, pick(skus.find((s) => pick(s).url === url) ?? skus[0]!))).join('');
    const dates = [...new Set(skus.flatMap((s) => [s.onDemand.source.asOf, s.spotSnapshot.source.asOf]))].join(', ');
    out.push('');
    out.push(`${cloudProfile(cloud).title} (${skus[0]?.onDemand.region ?? ''}; on-demand prices${refs((s) => s.onDemand.source)}, spot snapshot${refs((s) => s.spotSnapshot.source)}, as of ${dates})`);
    out.push(...columns([
      ['Shape', 'GPUs/node', 'GPUs needed', 'Nodes', 'Mem/GPU', 'Eff.', 'Tokens/s', 'Hours', 'On-demand', 'Spot', '$/1M on-demand', '$/1M spot'],
      ...rows.map((s) => shapeRow(s, sources)),
    ]));
  }

  out.push('');
  out.push('Hosted per-token services (reference)');
  out.push(...columns(e.references.map((r) => [
    r.provider,
    r.tier,
    r.usdPerMillionTokens === undefined ? '-' : `${usdPerMillion(r.usdPerMillionTokens)}/1M`,
    r.costUsd === undefined ? 'no price' : usd(r.costUsd),
    `${r.note}${sourceRef(sources, r.source)}`,
  ])));

  out.push('');
  out.push(...cheapestLines(e));
  out.push('');
  out.push(`Eff. = share of peak dense bf16 FLOPS: measured on this GPU; ~ derived (same silicon or measured cross-GPU ratio); * assumed (no public measurement yet).`);
  for (const s of uniqueEfficiencies(e.shapes)) {
    out.push(`  ${s.accelerator} ${s.method}: ${s.value} (${s.basis}: ${s.note})${s.sources.map((src) => sourceRef(sources, src)).join('')}`);
  }
  out.push(`Costs are GPU hours only (no storage, egress, or node start-up). Spot prices are a dated snapshot.`);
  out.push('');
  out.push('Sources');
  out.push(...sources.lines());
  return `${out.join('\n')}\n`;
}

function methodText(e: Estimate): string {
  switch (e.setup.method) {
    case FineTuneMethod.FULL:
      return 'full fine-tuning';
    case FineTuneMethod.LORA:
      return `LoRA rank ${e.setup.lora.rank} on every linear layer (bf16 base)`;
    case FineTuneMethod.QLORA:
      return `QLoRA rank ${e.setup.lora.rank} on every linear layer (NF4 base)`;
  }
}

function shapeRow(s: ShapeEstimate, sources: SourceList): string[] {
  const spec = acceleratorSpec(s.accelerator);
  const gpu = `${s.gpusPerNode}x ${s.accelerator}${sourceRef(sources, spec.source)}`;
  const eff = `${s.efficiency.value}${BASIS_MARK[s.efficiency.basis]}`;
  if (s.gpusNeeded === undefined) {
    return [s.instanceType, gpu, `does not fit in ${MAX_NODES} nodes`, '-', `${gib(s.memory.totalBytes)} > ${gib(s.usableGpuMemoryBytes)}`, eff, '-', '-', '-', '-', '-', '-'];
  }
  const od = s.sku.spotOnly === true ? 'spot only' : usd(s.onDemandUsd);
  return [
    s.instanceType,
    gpu,
    String(s.gpusNeeded),
    String(s.nodes),
    gib(s.memory.totalBytes),
    eff,
    integer(s.tokensPerSecond ?? 0),
    hours(s.hours),
    od,
    usd(s.spotUsd),
    s.sku.spotOnly === true ? '-' : usdPerMillion(s.onDemandUsdPerMillionTokens),
    usdPerMillion(s.spotUsdPerMillionTokens),
  ];
}

function cheapestLines(e: Estimate): string[] {
  const refs = e.references
    .map((r) => `${r.provider} ${r.usdPerMillionTokens === undefined ? 'no published price' : usdPerMillion(r.usdPerMillionTokens)}`)
    .join(', ');
  const describe = (s: ShapeEstimate, perMillion: number | undefined, total: number | undefined): string =>
    `${cloudProfile(s.cloud).title} ${s.instanceType} x${s.nodes} ${usdPerMillion(perMillion)} per 1M tokens (${usd(total)}, ${hours(s.hours)} h)` +
    (s.efficiency.basis === EfficiencyBasis.ASSUMED ? ` [${s.accelerator} efficiency assumed*]` : '');
  const line = (label: string, pick: (x: Estimate) => ShapeEstimate | undefined, cost: (s: ShapeEstimate) => [number | undefined, number | undefined], calibratedPick: (x: Estimate) => ShapeEstimate | undefined): string[] => {
    const s = pick(e);
    if (s === undefined) return [`Cheapest ${label}: no shape fits`];
    const lines = [`Cheapest ${label}: ${describe(s, ...cost(s))}   vs ${refs} per 1M tokens`];
    const c = calibratedPick(e);
    if (c !== undefined && c !== s) lines.push(`  cheapest with measured or derived efficiency: ${describe(c, ...cost(c))}`);
    return lines;
  };
  return [
    ...line('on-demand', (x) => x.cheapestOnDemand, (s) => [s.onDemandUsdPerMillionTokens, s.onDemandUsd], (x) => x.cheapestCalibratedOnDemand),
    ...line('spot', (x) => x.cheapestSpot, (s) => [s.spotUsdPerMillionTokens, s.spotUsd], (x) => x.cheapestCalibratedSpot),
  ];
}

function uniqueEfficiencies(shapes: readonly ShapeEstimate[]): ShapeEstimate['efficiency'][] {
  const seen = new Map<string, ShapeEstimate['efficiency']>();
  for (const s of shapes) seen.set(s.accelerator, s.efficiency);
  return [...seen.values()];
}

/** Numbers sources in order of first use: `[3]`. */
class SourceList {
  private readonly urls: string[] = [];
  private readonly dates: string[] = [];
  ref(s: Source): number {
    const i = this.urls.indexOf(s.url);
    if (i >= 0) return i + 1;
    this.urls.push(s.url);
    this.dates.push(s.asOf);
    return this.urls.length;
  }
  lines(): string[] {
    return this.urls.map((u, i) => `  [${i + 1}] ${u} (${this.dates[i]})`);
  }
}

function sourceRef(list: SourceList, s: Source): string {
  return ` [${list.ref(s)}]`;
}

