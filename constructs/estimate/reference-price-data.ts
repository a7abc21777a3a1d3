/**
 * What hosted services charge per million fine-tuning tokens, for the reference rows. Transcribed from Predibase's pricing
 * page and Anyscale Endpoints' fine-tuning announcement (October 2023), each cited below with the date it was read. Each tier
 * covers models up to `maxParams`; above the last tier the provider publishes no per-token price.
 */
import { Source } from '../catalog';

const PREDIBASE: Source = { url: 'https://predibase.com/pricing', asOf: '2025-10-01' };
const ANYSCALE: Source = {
  url: 'https://www.anyscale.com/blog/announcing-anyscale-private-endpoints-and-anyscale-endpoints-fine-tuning',
  asOf: '2023-10-01',
};

export interface ReferenceTier {
  /** Largest model (total parameters) the tier covers. */
  readonly maxParams: number;
  readonly tier: string;
  readonly usdPerMillionTokens: number;
}

export interface ReferenceProvider {
  readonly provider: string;
  readonly usdPerJob: number;
  readonly tiers: readonly ReferenceTier[];
  /** What the price covers, in words. */
  readonly note: string;
  readonly source: Source;
}

export const REFERENCE_PROVIDERS: readonly ReferenceProvider[] = [
  {
    provider: 'Predibase',
    usdPerJob: 0,
    tiers: [
      { maxParams: 16e9, tier: 'SFT LoRA, models up to 16B', usdPerMillionTokens: 0.5 },
      { maxParams: 80e9, tier: 'SFT LoRA, models 16.1B-80B', usdPerMillionTokens: 3.0 },
    ],
    note: 'per 1M tokens processed (dataset tokens x epochs)',
    source: PREDIBASE,
  },
  {
    provider: 'Anyscale',
    usdPerJob: 5,
    tiers: [
      { maxParams: 9e9, tier: 'small models (7B-8B class, e.g. Llama 2 7B)', usdPerMillionTokens: 1.0 },
      { maxParams: 15e9, tier: 'medium models (13B class, e.g. Llama 2 13B)', usdPerMillionTokens: 2.0 },
    ],
    note: 'per 1M tokens processed, plus $5 per job (October 2023 prices)',
    source: ANYSCALE,
  },
];
