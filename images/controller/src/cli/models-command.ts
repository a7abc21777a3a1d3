import * as path from 'node:path';
import type { CliIo } from '../../../../stacks/cli/io';
import type { ModelRecord } from '../domain/records';
import { runningControllerAdmin } from '../platform/admin-client';
import { importBaseModel } from '../platform/model-registry';
import { LocalDirectoryStorage } from '../storage/local-directory-storage';
import { openStoreToRead, openStoreToWrite } from './command-store';
import { storeLocation, type KeyStoreOptions } from './keys-command';
import { textTable } from './text-table';

export type ModelsAction = { readonly kind: 'import'; readonly id: string; readonly from: string } | { readonly kind: 'list'; readonly project: string };

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** `models list` as a table: id, kind, owner (every project for base models), created, source job. */
export function modelsTable(models: readonly ModelRecord[]): string {
  const rows = [['ID', 'KIND', 'PROJECT', 'CREATED', 'JOB'], ...models.map((m) => [m.id, m.kind, m.projectId ?? '(all)', iso(m.createdAt), m.jobId ?? '-'])];
  return textTable(rows);
}

/**
 * `vpctune models import|list`: import copies base weights into storage and registers them (clusters never need a
 * model hub); list shows the base models and one project's fine-tuned models. Through the running controller when one
 * owns the data directory.
 */
export async function runModels(action: ModelsAction, options: KeyStoreOptions, io: CliIo): Promise<number> {
  const admin = options.databaseUrl === undefined ? runningControllerAdmin(options.dataDir) : undefined;
  if (admin !== undefined) {
    if (action.kind === 'list') return listed(((await admin('/admin/models/list', { project: action.project })) as { data: ModelRecord[] }).data, storeLocation(options), io);
    await admin('/admin/models/import', { id: action.id, from: path.resolve(action.from) });
    io.stdout.write(`registered base model ${action.id} (through the running controller)\n`);
    return 0;
  }
  const store = action.kind === 'import' ? await openStoreToWrite(options) : await openStoreToRead(options);
  if (store === undefined) return listed([], `${storeLocation(options)} (no platform there yet)`, io);
  try {
    if (action.kind === 'list') return listed(await store.listModels(action.project), storeLocation(options), io);
    await importBaseModel(store, new LocalDirectoryStorage(path.join(options.dataDir, 'storage')), action.id, path.resolve(action.from), Math.floor(Date.now() / 1000));
    io.stdout.write(`registered base model ${action.id}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

/** The table on stdout; how many and where on stderr (an empty list in the wrong data directory is then plain to see). */
function listed(models: readonly ModelRecord[], where: string, io: CliIo): number {
  io.stdout.write(modelsTable(models));
  io.stderr.write(`${models.length} model${models.length === 1 ? '' : 's'} in ${where}\n`);
  return 0;
}
