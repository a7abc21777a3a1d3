import * as fs from 'node:fs';
import * as path from 'node:path';
import { isLiveProcess } from '../executor/process-probe';
import { PostgresDriver } from './postgres-driver';
import { SqliteDriver } from './sqlite-driver';
import { SqlStore } from './sql-store';
import type { Store } from './store';

export interface StoreOptions {
  /** `postgres://…` uses PostgreSQL; otherwise the embedded SQLite file `<dataDir>/controller.db`. */
  readonly databaseUrl?: string;
  readonly dataDir: string;
  /** SQLite only: hold the database lock for the life of the process (the controller does). @default false */
  readonly exclusive?: boolean;
}

/**
 * For CLI commands when no controller owns the data directory: a controller killed with -9 leaves the exclusive
 * lock of the embedded store behind, which is cleared here once it is clearly stale.
 */
export async function openStoreWithoutController(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl === undefined) {
    let ownerDead = false;
    try {
      const pid = Number(fs.readFileSync(path.join(options.dataDir, 'controller.pid'), 'utf8').trim());
      ownerDead = !isLiveProcess(pid, '');
    } catch {
      /* no controller ever ran here, or it stopped cleanly */
    }
    SqliteDriver.clearStaleLock(path.join(options.dataDir, 'controller.db'), ownerDead ? 0 : 10_000);
  }
  return openStore(options);
}

/** The embedded SQLite store's file in the data directory. */
export const SQLITE_STORE_FILE = 'controller.db';

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl !== undefined && /^postgres(ql)?:\/\//.test(options.databaseUrl)) {
    return SqlStore.open(new PostgresDriver(options.databaseUrl));
  }
  return SqlStore.open(new SqliteDriver(path.join(options.dataDir, SQLITE_STORE_FILE), { exclusive: options.exclusive ?? false }));
}
