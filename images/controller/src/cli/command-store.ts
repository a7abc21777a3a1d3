import * as fs from 'node:fs';
import * as path from 'node:path';
import { openStoreWithoutController, SQLITE_STORE_FILE } from '../store/open-store';
import type { Store } from '../store/store';

/** Where `keys` and `models` find a platform's store when no controller owns the data directory. */
export interface CommandStoreOptions {
  /** Absolute data directory of the local platform. */
  readonly dataDir: string;
  /** PostgreSQL URL; the data directory's SQLite store otherwise. @default none */
  readonly databaseUrl?: string;
}

/**
 * Opens the store for a command that writes (`keys create`, `models import`): a new user's data directory is made
 * first, so these work before the first `vpctune up --local`.
 */
export async function openStoreToWrite(options: CommandStoreOptions): Promise<Store> {
  if (options.databaseUrl === undefined) fs.mkdirSync(options.dataDir, { recursive: true });
  return openStoreWithoutController({ dataDir: options.dataDir, ...(options.databaseUrl !== undefined ? { databaseUrl: options.databaseUrl } : {}) });
}

/** Opens the store for a command that only reads or revokes; undefined when the data directory has no store yet (nothing is made). */
export async function openStoreToRead(options: CommandStoreOptions): Promise<Store | undefined> {
  if (options.databaseUrl === undefined && !fs.existsSync(path.join(options.dataDir, SQLITE_STORE_FILE))) return undefined;
  return openStoreToWrite(options);
}
