import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../domain/api-error';
import { hashApiKey, keyHint } from '../domain/ids';
import type { KeyStore } from '../store/store';
import type { AuthContext } from './http-types';

function unauthorized(code: string, message: string): ApiError {
  return new ApiError(401, 'invalid_request_error', code, message);
}

/** Resolves `Authorization: Bearer <key>` to its project; keys are looked up by hash, revoked keys fail at once. */
export async function authenticate(headers: IncomingHttpHeaders, keys: KeyStore): Promise<AuthContext> {
  const header = headers['authorization'];
  if (header === undefined || header.trim() === '') {
    throw unauthorized('missing_api_key', "You didn't provide an API key. Provide it in the Authorization header as 'Bearer YOUR_KEY'; `vpctune keys create --project P` makes one.");
  }
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (m?.[1] === undefined) throw unauthorized('invalid_authorization_header', "Malformed Authorization header; expected 'Bearer YOUR_KEY'.");
  const key = await keys.findApiKeyByHash(hashApiKey(m[1]));
  if (key === undefined) throw unauthorized('invalid_api_key', `Incorrect API key provided: ${keyHint(m[1])}.`);
  if (key.revokedAt !== null) throw unauthorized('invalid_api_key', `API key ${key.hint} (${key.id}) was revoked.`);
  return { key, projectId: key.projectId };
}
