import { Pool, types, type PoolClient } from 'pg';
import type { SqlDriver, SqlExecutor, SqlRow, SqlValue } from './sql-driver';
import { postgresPoolConfig } from './database-tls';

/** `?` placeholders to `$1, $2, …` (our statements never contain a literal `?`). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${(n += 1)}`);
}

const INT8_OID = 20;
const typeParsers = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? (v: string) => Number(v) : types.getTypeParser(oid, format as 'text')) as typeof types.getTypeParser,
};

function executor(client: Pool | PoolClient): SqlExecutor {
  return {
    query: async (sql, params = []) => (await client.query({ text: numbered(sql), values: params as SqlValue[], types: typeParsers })).rows as SqlRow[],
    run: async (sql, params = []) => (await client.query({ text: numbered(sql), values: params as SqlValue[], types: typeParsers })).rowCount ?? 0,
  };
}

/**
 * PostgreSQL through `pg`'s pool; BIGINT columns come back as numbers (our values stay below 2^53). The URL's `sslmode`
 * has libpq's meanings and RDS endpoints are verified against the built-in RDS CA bundle (database-tls.ts); the extra
 * CAs of NODE_EXTRA_CA_CERTS (the chart's `controller.database.caBundle`) are trusted beside it.
 */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  private readonly pool: Pool;
  private readonly exec: SqlExecutor;

  constructor(connectionString: string, maxConnections = 10, extraCaFile: string | undefined = process.env['NODE_EXTRA_CA_CERTS']) {
    this.pool = new Pool({ ...postgresPoolConfig(connectionString, extraCaFile !== undefined ? { extraCaFile } : {}), max: maxConnections });
    // An idle connection dropped by the server must not crash the controller; the pool reconnects on next use.
    this.pool.on('error', () => undefined);
    this.exec = executor(this.pool);
  }

  query(sql: string, params?: readonly SqlValue[]): Promise<readonly SqlRow[]> {
    return this.exec.query(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.exec.run(sql, params);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(executor(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
