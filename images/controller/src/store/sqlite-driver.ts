import * as fs from 'node:fs';
import { Database } from 'node-sqlite3-wasm';
import { AsyncMutex } from './async-mutex';
import type { SqlDriver, SqlExecutor, SqlRow, SqlValue } from './sql-driver';

const BUSY_RETRY_MS = 10_000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * SQLite through node-sqlite3-wasm: SQLite compiled to WebAssembly with a VFS on Node's fs (fsync on commit, a
 * `<file>.lock` directory as the lock between processes). No native addon, so `npm ci` needs no build step.
 * Calls are synchronous underneath; a mutex keeps a transaction's statements from interleaving with others.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database;
  private readonly mutex = new AsyncMutex();

  constructor(readonly file: string) {
    this.db = new Database(file);
    this.retrying(() => this.db.exec('PRAGMA journal_mode = TRUNCATE; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;'));
  }

  /**
   * A process killed inside a transaction leaves its `<file>.lock` directory behind. Call only when this process
   * owns the database exclusively (the controller holds its data-directory lock).
   */
  static clearStaleLock(file: string): void {
    fs.rmSync(`${file}.lock`, { recursive: true, force: true });
  }

  private retrying<T>(fn: () => T): T {
    const deadline = Date.now() + BUSY_RETRY_MS;
    for (;;) {
      try {
        return fn();
      } catch (err) {
        if (!/locked|busy/i.test(String(err)) || Date.now() > deadline) throw err;
        sleepSync(5);
      }
    }
  }

  private readonly direct: SqlExecutor = {
    query: async (sql, params = []) => this.db.all(sql, params as SqlValue[]) as unknown as SqlRow[],
    run: async (sql, params = []) => this.db.run(sql, params as SqlValue[]).changes,
  };

  query(sql: string, params: readonly SqlValue[] = []): Promise<readonly SqlRow[]> {
    return this.mutex.run(async () => this.retrying(() => this.db.all(sql, params as SqlValue[]) as unknown as SqlRow[]));
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.mutex.run(async () => this.retrying(() => this.db.run(sql, params as SqlValue[]).changes));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      this.retrying(() => this.db.exec('BEGIN IMMEDIATE'));
      try {
        const result = await fn(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    await this.mutex.run(async () => {
      if (this.db.isOpen) this.db.close();
    });
  }
}
