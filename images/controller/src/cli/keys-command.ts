import type { CliIo } from '../../../../stacks/cli/io';
import { UsageError } from '../../../../stacks/cli/usage-error';
import { runningControllerAdmin } from '../platform/admin-client';
import { createApiKey, PROJECT_PATTERN, type CreatedKey } from '../platform/api-keys';
import type { ApiKeyRecord } from '../domain/records';
import { openStoreToRead, openStoreToWrite, type CommandStoreOptions } from './command-store';
import { textTable } from './text-table';

/** Where the keys live: the data directory's store (through its running controller, if any) or PostgreSQL. */
export type KeyStoreOptions = CommandStoreOptions;

export type KeysAction =
  | { readonly kind: 'create'; readonly project: string }
  | { readonly kind: 'revoke'; readonly ids: readonly string[] }
  | { readonly kind: 'list'; readonly project?: string };

/** Where a command's keys are, for its messages: the data directory (absolute), or PostgreSQL (never its URL: it may hold a password). */
export function storeLocation(options: KeyStoreOptions): string {
  return options.databaseUrl === undefined ? options.dataDir : 'the PostgreSQL store';
}

/** The operations, either through the running controller's admin API or on the store directly. */
interface KeyOps {
  create(project: string): Promise<CreatedKey>;
  revoke(id: string): Promise<boolean>;
  list(project?: string): Promise<readonly KeyListing[]>;
}

/** A key as `keys list` and the admin API show it: never the key, nor its hash. */
export type KeyListing = Omit<ApiKeyRecord, 'hash'>;

const iso = (seconds: number | null): string => (seconds === null ? '-' : new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));

/**
 * `keys list` as a table: id, project, created, last used (to within a minute: auth.ts records a key's use at most
 * once a minute), revoked; '-' for never. Never the key.
 */
export function keysTable(keys: readonly KeyListing[]): string {
  const rows = [['ID', 'PROJECT', 'CREATED', 'LAST USED', 'REVOKED'], ...keys.map((k) => [k.id, k.projectId, iso(k.createdAt), iso(k.lastUsedAt), iso(k.revokedAt)])];
  return textTable(rows);
}

/**
 * `vpctune keys create|revoke|list`: through the running controller's admin API when one owns the data directory (it
 * holds the embedded store), else on the store directly (also PostgreSQL).
 */
export async function runKeys(action: KeysAction, options: KeyStoreOptions, io: CliIo): Promise<number> {
  if (action.kind === 'create' && !PROJECT_PATTERN.test(action.project)) {
    throw new UsageError(`--project ${JSON.stringify(action.project)}: allowed: 1-63 lowercase letters, digits, '-' or '_', starting with a letter or digit`);
  }
  const admin = options.databaseUrl === undefined ? runningControllerAdmin(options.dataDir) : undefined;
  if (admin !== undefined) {
    return perform(action, io, storeLocation(options), {
      create: async (project) => (await admin('/admin/keys', { project })) as CreatedKey,
      revoke: async (id) => ((await admin('/admin/keys/revoke', { id })) as { revoked: boolean }).revoked,
      list: async (project) => ((await admin('/admin/keys/list', project === undefined ? {} : { project })) as { data: KeyListing[] }).data,
    });
  }
  const store = action.kind === 'create' ? await openStoreToWrite(options) : await openStoreToRead(options);
  if (store === undefined) return perform(action, io, `${storeLocation(options)} (no platform there yet)`, NO_KEYS);
  try {
    const now = () => Math.floor(Date.now() / 1000);
    return await perform(action, io, storeLocation(options), {
      create: (project) => createApiKey(store, project, now()),
      revoke: (id) => store.revokeApiKey(id, now()),
      list: (project) => store.listApiKeys(project),
    });
  } finally {
    await store.close();
  }
}

/** A data directory no platform has used yet: no keys (and nothing is made there by listing or revoking). */
const NO_KEYS: KeyOps = {
  create: () => Promise.reject(new Error('keys create opens the store to write')),
  revoke: async () => false,
  list: async () => [],
};

async function perform(action: KeysAction, io: CliIo, where: string, ops: KeyOps): Promise<number> {
  switch (action.kind) {
    case 'create': {
      const created = await ops.create(action.project);
      io.stdout.write(`${created.key}\n`);
      io.stderr.write(`key ${created.id} for project ${created.projectId} in ${where}; store it now, it is not shown again\n`);
      return 0;
    }
    case 'revoke': {
      let code = 0;
      for (const id of action.ids) {
        if (await ops.revoke(id)) io.stdout.write(`revoked ${id}\n`);
        else {
          io.stderr.write(`no active key ${id}\n`);
          code = 1;
        }
      }
      return code;
    }
    case 'list': {
      const keys = await ops.list(action.project);
      io.stdout.write(keysTable(keys));
      io.stderr.write(`${keys.length} key${keys.length === 1 ? '' : 's'}${action.project === undefined ? '' : ` of project ${action.project}`} in ${where}\n`);
      return 0;
    }
  }
}
