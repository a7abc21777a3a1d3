import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** Finds PostgreSQL's server binaries on PATH or under /usr/lib/postgresql/<version>/bin (newest first). */
export function findPostgresBin(): string {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (onPath !== '') return path.dirname(onPath);
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (fs.existsSync(path.join(root, v, 'bin', 'initdb'))) return path.join(root, v, 'bin');
  throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or under /usr/lib/postgresql/*/bin');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface PostgresServer {
  readonly url: string;
  stop(): void;
}

/**
 * Starts a throwaway PostgreSQL on a free localhost port. PostgreSQL refuses to run as root, so as root the data
 * directory belongs to `nobody` and the server runs through `runuser -u nobody`.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (tool: string, args: readonly string[]) => {
    const cmd = asRoot ? 'runuser' : path.join(bin, tool);
    const full = asRoot ? ['-u', 'nobody', '--', path.join(bin, tool), ...args] : [...args];
    execFileSync(cmd, full, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  };
  if (asRoot) fs.chmodSync(dir, 0o777);
  const data = path.join(dir, 'data');
  if (asRoot) {
    fs.mkdirSync(data, { mode: 0o700 });
    execFileSync('chown', ['nobody', data]);
  }
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  run('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
