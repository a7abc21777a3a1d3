import { timingSafeEqual } from 'node:crypto';
import type * as http from 'node:http';
import { ApiError } from '../domain/api-error';
import { createApiKey } from '../platform/api-keys';
import { importBaseModel } from '../platform/model-registry';
import type { ApiContext } from './api-context';
import { readJsonBody } from './json-body';

/**
 * `/admin/...`: what `vpctune keys` and `vpctune models import` do while a controller owns the data directory
 * (the embedded SQLite store is then held by the controller). Authorized by the token in `<dataDir>/admin.token`,
 * readable only by whoever can read the data directory (and with it the store).
 */
export async function handleAdmin(ctx: ApiContext, adminToken: string, req: http.IncomingMessage, pathName: string): Promise<{ status: number; body: unknown }> {
  const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(req.headers['authorization'] ?? '')?.[1] ?? '');
  const want = Buffer.from(adminToken);
  if (given.length !== want.length || !timingSafeEqual(given, want)) throw new ApiError(401, 'invalid_request_error', 'invalid_admin_token', 'Admin calls need the token in <data dir>/admin.token.');
  const body = (await readJsonBody(req)) as Record<string, unknown>;
  const now = Math.floor(ctx.clock.nowMs() / 1000);
  const str = (k: string) => {
    const v = body[k];
    if (typeof v !== 'string' || v === '') throw new ApiError(400, 'invalid_request_error', 'invalid_value', `'${k}' must be a non-empty string.`, k);
    return v;
  };
  if (req.method === 'POST' && pathName === '/admin/keys') return { status: 200, body: await createApiKey(ctx.store, str('project'), now) };
  if (req.method === 'POST' && pathName === '/admin/keys/list') {
    const project = body['project'];
    if (project !== undefined && typeof project !== 'string') throw new ApiError(400, 'invalid_request_error', 'invalid_value', "'project' must be a string when given.", 'project');
    // Never the key or its hash: what `vpctune keys list` shows.
    const keys = await ctx.store.listApiKeys(project);
    return { status: 200, body: { data: keys.map(({ hash: _hash, ...k }) => k) } };
  }
  if (req.method === 'POST' && pathName === '/admin/models/list') return { status: 200, body: { data: await ctx.store.listModels(str('project')) } };
  if (req.method === 'POST' && pathName === '/admin/keys/revoke') return { status: 200, body: { revoked: await ctx.store.revokeApiKey(str('id'), now) } };
  if (req.method === 'POST' && pathName === '/admin/models/import') {
    await importBaseModel(ctx.store, ctx.storage, str('id'), str('from'), now);
    return { status: 200, body: { id: str('id') } };
  }
  throw new ApiError(404, 'invalid_request_error', 'unknown_url', `Invalid URL (${req.method} ${pathName}).`);
}
