import * as fs from 'node:fs';
import { Database, type Statement } from 'node-sqlite3-wasm';
import { AsyncMutex } from './async-mutex';
import type { SqlDriver, SqlExecutor, SqlRow, SqlValue } from './sql-driver';

const BUSY_RETRY_MS = 10_000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const STATEMENT_CACHE_SIZE = 128;

export interface SqliteOptions {
  /**
   * Hold the database lock for the life of the connection (`locking_mode = EXCLUSIVE`). The VFS's lock is a
   * `<file>.lock` directory made and removed around every transaction, which costs ~1-3 ms each; the controller,
   * sole owner of its data directory, holds it once instead (admin CLI commands then go through the controller).
   * @default false
   */
  readonly exclusive?: boolean;
}

/**
 * SQLite through node-sqlite3-wasm: SQLite compiled to WebAssembly with a VFS on Node's fs (fsync on commit, a
 * `<file>.lock` directory as the lock between processes). No native addon, so `npm ci` needs no build step.
 * Calls are synchronous underneath; a mutex keeps a transaction's statements from interleaving with others.
 * Prepared statements are cached; one that fails is finalized and dropped, so an error never reaches the next caller.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database;
  private readonly mutex = new AsyncMutex();
  private readonly statements = new Map<string, Statement>();

  constructor(readonly file: string, options: SqliteOptions = {}) {
    // The store holds key hashes and every project's records: owner-only, like the data directory's storage. The
    // rollback journal (kept, empty, between transactions in TRUNCATE mode) is made first so that it is owner-only
    // too; an empty journal is never replayed.
    for (const f of [file, `${file}-journal`]) {
      fs.closeSync(fs.openSync(f, 'a', 0o600));
      fs.chmodSync(f, 0o600);
    }
    this.db = new Database(file);
    this.retrying(() => this.db.exec(`PRAGMA journal_mode = TRUNCATE; PRAGMA synchronous = FULL; PRAGMA cache_size = -32000;${options.exclusive ? ' PRAGMA locking_mode = EXCLUSIVE;' : ''}`));
    // In exclusive mode the lock is taken by the first read and kept.
    this.retrying(() => this.db.get('SELECT count(*) FROM sqlite_master'));
  }

  private statement(sql: string): Statement {
    let st = this.statements.get(sql);
    if (st === undefined) {
      st = this.db.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) {
        const [oldestSql, oldest] = this.statements.entries().next().value as [string, Statement];
        oldest.finalize();
        this.statements.delete(oldestSql);
      }
      this.statements.set(sql, st);
    }
    return st;
  }

  /**
   * Runs `use` on the cached statement for `sql`. A statement whose step or binding failed keeps that error (SQLite's
   * reset returns it, and node-sqlite3-wasm then refuses to bind again), so it is finalized and dropped from the
   * cache: the next use, by any caller, prepares a fresh one.
   */
  private using<T>(sql: string, use: (st: Statement) => T): T {
    const st = this.statement(sql);
    try {
      return use(st);
    } catch (err) {
      this.statements.delete(sql);
      try {
        st.finalize();
      } catch {
        /* finalize reports the same error again; the statement is gone either way */
      }
      throw err;
    }
  }

  private all(sql: string, params: readonly SqlValue[]): SqlRow[] {
    return this.using(sql, (st) => st.all(params as SqlValue[]) as unknown as SqlRow[]);
  }

  private exec1(sql: string, params: readonly SqlValue[]): number {
    return this.using(sql, (st) => st.run(params as SqlValue[]).changes);
  }

  /**
   * A process killed inside a transaction (or a controller killed while holding its exclusive lock) leaves its
   * `<file>.lock` directory behind. Call only when this process owns the database (the controller holds its
   * data-directory lock), or with `olderThanMs` longer than any transaction takes.
   */
  static clearStaleLock(file: string, olderThanMs = 0): void {
    const lock = `${file}.lock`;
    try {
      if (Date.now() - fs.statSync(lock).mtimeMs >= olderThanMs) fs.rmSync(lock, { recursive: true, force: true });
    } catch {
      /* no lock */
    }
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
    query: async (sql, params = []) => this.all(sql, params),
    run: async (sql, params = []) => (/^\s*(CREATE|DROP|ALTER)\b/i.test(sql) ? (this.db.exec(sql), 0) : this.exec1(sql, params)),
  };

  query(sql: string, params: readonly SqlValue[] = []): Promise<readonly SqlRow[]> {
    return this.mutex.run(async () => this.retrying(() => this.all(sql, params)));
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.mutex.run(async () => this.retrying(() => (/^\s*(CREATE|DROP|ALTER)\b/i.test(sql) ? (this.db.exec(sql), 0) : this.exec1(sql, params))));
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
      for (const st of this.statements.values()) st.finalize();
      this.statements.clear();
      if (this.db.isOpen) this.db.close();
    });
  }
}
