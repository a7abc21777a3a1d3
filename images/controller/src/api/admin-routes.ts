import { timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as http from 'node:http';
import { ApiError, invalidParam, shown } from '../domain/api-error';
import { createApiKey, PROJECT_PATTERN } from '../platform/api-keys';
import { importBaseModel, MODEL_ID_PATTERN } from '../platform/model-registry';
import type { ApiContext } from './api-context';
import { readJsonBody } from './json-body';

/** The admin calls (all POST); each path is also its metrics label. */
export enum AdminPath {
  CREATE_KEY = '/admin/keys',
  LIST_KEYS = '/admin/keys/list',
  REVOKE_KEY = '/admin/keys/revoke',
  LIST_MODELS = '/admin/models/list',
  IMPORT_MODEL = '/admin/models/import',
}

const ADMIN_PATHS: ReadonlySet<string> = new Set(Object.values(AdminPath));
const PROJECT_RULE = "allowed: 1-63 lowercase letters, digits, '-' or '_', starting with a letter or digit.";
const MODEL_RULE = "allowed: a Hugging Face style id like 'org/name' (letters, digits, '.', '_' and '-', at most one '/').";

/** The metrics label of an admin request: its path when it is an admin call, `unmatched` otherwise. */
export function adminRouteLabel(method: string, pathName: string): string {
  return method === 'POST' && ADMIN_PATHS.has(pathName) ? pathName : 'unmatched';
}

/** Throws the 401 unless the request carries the controller's admin token (compared in constant time). */
export function verifyAdminToken(req: http.IncomingMessage, adminToken: string): void {
  const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(req.headers['authorization'] ?? '')?.[1] ?? '');
  const want = Buffer.from(adminToken);
  if (given.length !== want.length || !timingSafeEqual(given, want)) throw new ApiError(401, 'invalid_request_error', 'invalid_admin_token', 'Admin calls need the token in <data dir>/admin.token.');
}

/**
 * `/admin/...`: what `vpctune keys` and `vpctune models import` do while a controller owns the data directory
 * (the embedded SQLite store is then held by the controller). Authorized by the token in `<dataDir>/admin.token`
 * (verifyAdminToken, before this), readable only by whoever can read the data directory (and with it the store).
 * Bad input is a 400 naming the field and the value, which the CLI prints.
 */
export async function handleAdmin(ctx: ApiContext, req: http.IncomingMessage, pathName: string): Promise<{ status: number; body: unknown }> {
  if (adminRouteLabel(req.method ?? '', pathName) === 'unmatched') throw new ApiError(404, 'invalid_request_error', 'unknown_url', `Invalid URL (${req.method} ${shown(pathName)}).`);
  const body = (await readJsonBody(req)) as Record<string, unknown>;
  const now = Math.floor(ctx.clock.nowMs() / 1000);
  const str = (k: string) => {
    const v = body[k];
    if (typeof v !== 'string' || v === '') throw invalidParam(k, `'${k}' must be a non-empty string.`);
    return v;
  };
  const project = (required: boolean): string | undefined => {
    if (!required && body['project'] === undefined) return undefined;
    const v = str('project');
    if (!PROJECT_PATTERN.test(v)) throw invalidParam('project', `Invalid 'project': ${shown(v)}; ${PROJECT_RULE}`);
    return v;
  };
  switch (pathName as AdminPath) {
    case AdminPath.CREATE_KEY:
      return { status: 200, body: await createApiKey(ctx.store, project(true) as string, now) };
    case AdminPath.LIST_KEYS: {
      // Never the key or its hash: what `vpctune keys list` shows.
      const keys = await ctx.store.listApiKeys(project(false));
      return { status: 200, body: { data: keys.map(({ hash: _hash, ...k }) => k) } };
    }
    case AdminPath.LIST_MODELS:
      return { status: 200, body: { data: await ctx.store.listModels(project(true) as string) } };
    case AdminPath.REVOKE_KEY:
      return { status: 200, body: { revoked: await ctx.store.revokeApiKey(str('id'), now) } };
    case AdminPath.IMPORT_MODEL: {
      const id = str('id');
      if (!MODEL_ID_PATTERN.test(id)) throw invalidParam('id', `Invalid 'id': ${shown(id)}; ${MODEL_RULE}`);
      const from = str('from');
      if (!fs.existsSync(from) || !fs.statSync(from).isDirectory()) throw invalidParam('from', `Invalid 'from': ${shown(from)} is not a directory on the controller's machine.`);
      if (!fs.existsSync(path.join(from, 'config.json'))) throw invalidParam('from', `Invalid 'from': ${shown(from)} has no config.json; expected a Hugging Face model directory.`);
      await importBaseModel(ctx.store, ctx.storage, id, from, now);
      return { status: 200, body: { id } };
    }
  }
}
