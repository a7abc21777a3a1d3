import * as path from 'node:path';
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

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl !== undefined && /^postgres(ql)?:\/\//.test(options.databaseUrl)) {
    return SqlStore.open(new PostgresDriver(options.databaseUrl));
  }
  return SqlStore.open(new SqliteDriver(path.join(options.dataDir, 'controller.db'), { exclusive: options.exclusive ?? false }));
}
