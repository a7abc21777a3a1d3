import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../domain/api-error';
import { hashApiKey, keyHint } from '../domain/ids';
import type { Logger } from '../ops/logger';
import type { KeyStore } from '../store/store';
import type { AuthContext } from './http-types';

/**
 * How stale a key's recorded last use may get, seconds: a key's `last_used_at` is written when it authenticates and
 * the recorded use is this old or older (or missing), so a key's reads cost at most one write a minute, and
 * `vpctune keys list` shows its last use to within a minute.
 */
export const LAST_USED_RESOLUTION_SECONDS = 60;

function unauthorized(code: string, message: string): ApiError {
  return new ApiError(401, 'invalid_request_error', code, message);
}

/**
 * Resolves `Authorization: Bearer <key>` to its project; keys are looked up by hash, revoked keys fail at once. Records
 * the key's use (see LAST_USED_RESOLUTION_SECONDS); a failure to record it is logged and does not fail the request.
 */
export async function authenticate(headers: IncomingHttpHeaders, keys: KeyStore, nowSeconds: number, log: Logger): Promise<AuthContext> {
  const header = headers['authorization'];
  if (header === undefined || header.trim() === '') {
    throw unauthorized('missing_api_key', "You didn't provide an API key. Provide it in the Authorization header as 'Bearer YOUR_KEY'; `vpctune keys create --project P` makes one.");
  }
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (m?.[1] === undefined) throw unauthorized('invalid_authorization_header', "Malformed Authorization header; expected 'Bearer YOUR_KEY'.");
  const key = await keys.findApiKeyByHash(hashApiKey(m[1]));
  if (key === undefined) throw unauthorized('invalid_api_key', `Incorrect API key provided: ${keyHint(m[1])}.`);
  if (key.revokedAt !== null) throw unauthorized('invalid_api_key', `API key ${key.hint} (${key.id}) was revoked.`);
  const since = nowSeconds - LAST_USED_RESOLUTION_SECONDS;
  if (key.lastUsedAt === null || key.lastUsedAt <= since) {
    await keys.recordApiKeyUse(key.id, nowSeconds, since + 1).catch((e: unknown) => log.warn('recording the API key use failed', { key_id: key.id, error: String(e) }));
  }
  return { key, projectId: key.projectId };
}
