import { hashApiKey, keyHint, newApiKey, newId } from '../domain/ids';
import type { KeyStore } from '../store/store';

export interface CreatedKey {
  readonly id: string;
  readonly projectId: string;
  /** Shown once; only its hash is stored. */
  readonly key: string;
}

export const PROJECT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export async function createApiKey(keys: KeyStore, projectId: string, nowSeconds: number, key: string = newApiKey()): Promise<CreatedKey> {
  if (!PROJECT_PATTERN.test(projectId)) throw new Error(`invalid project '${projectId}': use 1-63 lowercase letters, digits, '-' or '_', starting with a letter or digit`);
  const id = newId('key');
  await keys.insertApiKey({ id, projectId, hash: hashApiKey(key), hint: keyHint(key), createdAt: nowSeconds, revokedAt: null, lastUsedAt: null });
  return { id, projectId, key };
}

/** Makes sure a given key (e.g. VPCTUNE_API_KEY) exists; returns its record id. */
export async function ensureApiKey(keys: KeyStore, projectId: string, key: string, nowSeconds: number): Promise<string> {
  const existing = await keys.findApiKeyByHash(hashApiKey(key));
  if (existing !== undefined) {
    if (existing.revokedAt !== null) throw new Error(`the key in VPCTUNE_API_KEY (${existing.id}) was revoked`);
    return existing.id;
  }
  return (await createApiKey(keys, projectId, nowSeconds, key)).id;
}
