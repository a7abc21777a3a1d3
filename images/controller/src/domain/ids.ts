import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

export type IdKind = 'ftjob' | 'file' | 'ftevent' | 'ftckpt' | 'key' | 'audit';

/** OpenAI-style ids: `ftjob-…`, `file-…`, `ftevent-…`, `ftckpt-…`. */
export function newId(kind: IdKind): string {
  return `${kind}-${randomToken(24)}`;
}

/** A secret API key: `sk-vpct-` and 40 random characters. */
export function newApiKey(): string {
  return `sk-vpct-${randomToken(40)}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** `sk-vpct-abcd…wxyz`: enough to recognise a key in a message, never enough to use it. */
export function keyHint(key: string): string {
  return key.length <= 12 ? '***' : `${key.slice(0, 12)}…${key.slice(-4)}`;
}

/** `<base>:<suffix>:<hash>` (suffix `ft` when none was given). */
export function fineTunedModelName(base: string, suffix: string | null, jobId: string): string {
  const hash = createHash('sha256').update(jobId).digest('hex').slice(0, 8);
  return `${base}:${suffix ?? 'ft'}:${hash}`;
}
