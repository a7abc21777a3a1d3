import { defineApiSuite } from './api-suite';
import { startPostgres, type PostgresServer } from './helpers/postgres-server';

// A real PostgreSQL server, started as an unprivileged user (it refuses root) on a free localhost port.
let pg: PostgresServer | undefined;

defineApiSuite('PostgreSQL', {
  start: async () => {
    pg = await startPostgres();
    return pg.url;
  },
  stop: () => pg?.stop(),
});
