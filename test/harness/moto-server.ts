/**
 * Starts the moto AWS emulator (`moto_server`) on 127.0.0.1 and a free port for one test file, and stops it.
 *
 *   const moto = await startMotoServer();
 *   try { ... moto.endpoint ... } finally { await moto.stop(); }
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';

/** Raised when moto cannot be found or does not come up; the message says what to install. */
export class MotoSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MotoSetupError';
  }
}

export interface MotoServerOptions {
  /** Port to listen on. @default - a free port chosen by the OS */
  readonly port?: number;
  /** How long to wait for the server to answer. @default 30000 ms */
  readonly startTimeoutMs?: number;
  /** Extra environment for the server. @default - MOTO_IAM_LOAD_MANAGED_POLICIES=true only */
  readonly env?: Readonly<Record<string, string>>;
}

export interface MotoServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** The command that was started, e.g. `moto_server` or `python3 -m moto.server`. */
  readonly command: string;
  /** The server's stdout+stderr so far (last 64 KiB), for failure messages. */
  output(): string;
  /** Clears every emulated resource (`POST /moto-api/reset`). */
  reset(): Promise<void>;
  /** Stops the server and its process group; waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

/** A command that runs moto's server: `moto_server` on PATH, else `python3 -m moto.server` if moto imports. */
export function findMotoCommand(): { file: string; args: string[] } {
  const explicit = process.env['VPCTUNE_MOTO_SERVER'];
  if (explicit !== undefined && explicit !== '') return { file: explicit, args: [] };
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, 'moto_server');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return { file: candidate, args: [] };
    } catch {
      // not here
    }
  }
  // env passed explicitly: under jest, child_process would otherwise see the real process environment, not process.env.
  const probe = spawnSync('python3', ['-c', 'import moto.server'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env } });
  if (probe.status === 0) return { file: 'python3', args: ['-m', 'moto.server'] };
  throw new MotoSetupError(
    'moto_server is not on PATH and `python3 -m moto.server` is not importable ' +
      `(${(probe.stderr ?? probe.error?.message ?? '').trim().split('\n').pop() ?? ''}); ` +
      "install moto with its server extra: pip install 'moto[server]' (or set VPCTUNE_MOTO_SERVER to its path)",
  );
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function request(url: string, method: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Starts moto on 127.0.0.1 and resolves once `GET /moto-api/` answers 200. */
export async function startMotoServer(options: MotoServerOptions = {}): Promise<MotoServer> {
  const { file, args } = findMotoCommand();
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('AWS_')) env[k] = v;
  Object.assign(env, { MOTO_IAM_LOAD_MANAGED_POLICIES: 'true', ...options.env });

  // detached: the server gets its own process group, so stop() can signal it and any children it spawns.
  const child = spawn(file, [...args, '-H', '127.0.0.1', '-p', String(port)], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const command = [file, ...args].join(' ');
  let log = '';
  const append = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-65_536);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let spawnError: Error | undefined;
  child.on('error', (e) => {
    spawnError = e;
  });
  const exitPromise = new Promise<void>((resolve) => {
    if (exited(child)) resolve();
    else child.once('exit', () => resolve());
  });

  const killGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined || exited(child)) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }
  };
  // If the test process ends without stop() (a crash, a killed jest worker), take the server with it.
  const onExit = (): void => killGroup('SIGKILL');
  process.once('exit', onExit);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return exitPromise;
    stopped = true;
    process.removeListener('exit', onExit);
    killGroup('SIGTERM');
    const timer = setTimeout(() => killGroup('SIGKILL'), 5_000);
    await exitPromise;
    clearTimeout(timer);
    child.stdout?.destroy();
    child.stderr?.destroy();
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    if (spawnError !== undefined) throw new MotoSetupError(`could not start ${command}: ${spawnError.message}`);
    if (exited(child)) {
      throw new MotoSetupError(`${command} exited (code ${String(child.exitCode)}, signal ${String(child.signalCode)}) before answering on ${endpoint}:\n${log}`);
    }
    try {
      if ((await request(`${endpoint}/moto-api/`, 'GET', 2_000)) === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new MotoSetupError(`${command} did not answer on ${endpoint} within ${options.startTimeoutMs ?? 30_000} ms:\n${log}`);
    }
    await sleep(150);
  }

  return {
    endpoint,
    port,
    pid: child.pid!,
    command,
    output: () => log,
    reset: async () => {
      const status = await request(`${endpoint}/moto-api/reset`, 'POST', 10_000);
      if (status !== 200) throw new Error(`moto reset answered HTTP ${status}`);
    },
    stop,
  };
}
