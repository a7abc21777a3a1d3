import * as path from 'node:path';
import { PostgresDriver } from './postgres-driver';
import { SqliteDriver } from './sqlite-driver';
import { SqlStore } from './sql-store';
import type { Store } from './store';

export interface StoreOptions {
  /** `postgres://…` uses PostgreSQL; otherwise the embedded SQLite file `<dataDir>/controller.db`. */
  readonly databaseUrl?: string;
  readonly dataDir: string;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl !== undefined && /^postgres(ql)?:\/\//.test(options.databaseUrl)) {
    return SqlStore.open(new PostgresDriver(options.databaseUrl));
  }
  return SqlStore.open(new SqliteDriver(path.join(options.dataDir, 'controller.db')));
}
