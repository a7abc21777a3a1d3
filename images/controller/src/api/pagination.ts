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

/** `metadata[key]=value` query parameters (OpenAI's metadata filter). */
export function metadataFilter(query: URLSearchParams): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [k, v] of query) {
    const m = /^metadata\[(.+)\]$/.exec(k);
    if (m?.[1] !== undefined) out[m[1]] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function listBody<T extends { id: string }>(data: readonly T[], hasMore: boolean, withIds = false) {
  return withIds
    ? { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, has_more: hasMore }
    : { object: 'list', data, has_more: hasMore };
}
