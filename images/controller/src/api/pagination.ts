import { invalidParam, shown } from '../domain/api-error';

/** Parses `limit` (an integer in [1, max], default `fallback`) and `after`. */
export function pageParams(query: URLSearchParams, fallback: number, max: number): { limit: number; after?: string } {
  const raw = query.get('limit');
  let limit = fallback;
  if (raw !== null) {
    limit = Number(raw);
    if (!/^\d+$/.test(raw) || limit < 1 || limit > max) throw invalidParam('limit', `Invalid 'limit': ${shown(raw)}; allowed: an integer from 1 to ${max}.`);
  }
  const after = query.get('after');
  return after === null || after === '' ? { limit } : { limit, after };
}

/** Most `metadata[key]=value` pairs a list may filter by: as many as a job may carry. @default 16 */
export const MAX_METADATA_FILTERS = 16;

/** `metadata[key]=value` query parameters (OpenAI's metadata filter); more than MAX_METADATA_FILTERS pairs is a 400. */
export function metadataFilter(query: URLSearchParams): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let pairs = 0;
  for (const [k, v] of query) {
    const m = /^metadata\[(.+)\]$/.exec(k);
    if (m?.[1] === undefined) continue;
    out[m[1]] = v;
    pairs += 1;
  }
  if (pairs > MAX_METADATA_FILTERS) throw invalidParam('metadata', `Invalid 'metadata' filter: ${pairs} pairs; at most ${MAX_METADATA_FILTERS} are allowed.`);
  return pairs > 0 ? out : undefined;
}

export function listBody<T extends { id: string }>(data: readonly T[], hasMore: boolean, withIds = false) {
  return withIds
    ? { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, has_more: hasMore }
    : { object: 'list', data, has_more: hasMore };
}
