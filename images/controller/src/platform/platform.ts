import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import { DEFAULT_API_OPTIONS, type ApiOptions } from '../api/api-context';
import { createApiServer, listen } from '../api/server';
import { systemClock, type Clock } from '../domain/clock';
import type { Executor } from '../executor/executor';
import { isLocalPathStorage, type BlobStorage } from '../storage/blob-storage';
import { LocalExecutor, type LocalExecutorOptions } from '../executor/local-executor';
import { DEFAULT_SUPERVISOR_OPTIONS, JobSupervisor, type SupervisorOptions } from '../jobs/job-supervisor';
import type { Logger } from '../ops/logger';
import { MetricsRegistry } from '../ops/metrics';
import { LocalDirectoryStorage } from '../storage/local-directory-storage';
import { openStore } from '../store/open-store';
import { SqliteDriver } from '../store/sqlite-driver';
import type { Store } from '../store/store';
import { lockDataDir } from './data-dir-lock';
import { createServingContext, type ServingContext } from '../serving/serving-context';
import type { ProxyOptions } from '../serving/inference-proxy';
import { UpstreamDirectory, type UpstreamEntry } from '../serving/upstream-directory';

export interface PlatformOptions {
  readonly dataDir: string;
  /** PostgreSQL URL; the embedded SQLite file otherwise. */
  readonly databaseUrl?: string;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The local executor's trainer (ignored when `executor` is given). */
  readonly trainer: LocalExecutorOptions;
  /** Blob storage. @default a local directory, `<dataDir>/storage` */
  readonly storage?: BlobStorage;
  /** Builds the executor (e.g. the Kubernetes executor). @default the local executor, which needs local-path storage */
  readonly executor?: (storage: BlobStorage, log: Logger) => Executor;
  readonly supervisor?: Partial<SupervisorOptions>;
  readonly api?: Partial<ApiOptions>;
  readonly log: Logger;
  readonly clock?: Clock;
  /** Inference upstreams (more can be registered on `serving.directory` later) and proxy timeouts. @default none, default timeouts */
  readonly serving?: { readonly upstreams?: readonly UpstreamEntry[]; readonly proxy?: Partial<ProxyOptions> };
}

export interface RunningPlatform {
  readonly url: string;
  readonly port: number;
  readonly store: Store;
  readonly storage: BlobStorage;
  readonly supervisor: JobSupervisor;
  readonly executor: Executor;
  readonly server: http.Server;
  readonly serving: ServingContext;
  /** Stops serving and detaches from trainers (they keep running; the next start re-attaches). */
  close(): Promise<void>;
}

/**
 * The platform in one process: store, blob storage, executor, supervisor, API server. Defaults are the local
 * platform (embedded SQLite, `<dataDir>/storage`, local executor); storage and executor can be swapped.
 */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const release = lockDataDir(options.dataDir);
  if (options.databaseUrl === undefined) SqliteDriver.clearStaleLock(path.join(options.dataDir, 'controller.db'));
  const clock = options.clock ?? systemClock;
  const store = await openStore({ dataDir: options.dataDir, exclusive: true, ...(options.databaseUrl !== undefined ? { databaseUrl: options.databaseUrl } : {}) });
  const storage = options.storage ?? new LocalDirectoryStorage(path.join(options.dataDir, 'storage'));
  if (storage instanceof LocalDirectoryStorage) await storage.removeStalePartials();
  const executor = options.executor?.(storage, options.log) ?? localExecutor(storage, options);
  const supervisor = new JobSupervisor(store, storage, executor, clock, options.log, { ...DEFAULT_SUPERVISOR_OPTIONS, ...options.supervisor });
  const metrics = new MetricsRegistry();
  const adminToken = randomBytes(24).toString('hex');
  const serving = createServingContext(store, storage, options.log, new UpstreamDirectory(options.serving?.upstreams ?? []), options.serving?.proxy);
  const server = createApiServer({ store, storage, supervisor, executor, clock, log: options.log, options: { ...DEFAULT_API_OPTIONS, ...options.api }, serving }, metrics, adminToken);
  await supervisor.start();
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port, host);
  writeControllerInfo(options.dataDir, { pid: process.pid, url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}` }, adminToken);
  let closed = false;
  return {
    url: `http://${host}:${port}/v1`,
    port,
    store,
    storage,
    supervisor,
    executor,
    server,
    serving,
    close: async () => {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await supervisor.stop();
      await store.close();
      fs.rmSync(path.join(options.dataDir, CONTROLLER_INFO), { force: true });
      fs.rmSync(path.join(options.dataDir, ADMIN_TOKEN), { force: true });
      release();
    },
  };
}

function localExecutor(storage: BlobStorage, options: PlatformOptions): Executor {
  if (!isLocalPathStorage(storage)) throw new Error(`the local executor needs storage with local paths; ${storage.kind} storage needs another executor`);
  return new LocalExecutor(storage, options.trainer, options.log);
}

export const CONTROLLER_INFO = 'controller.json';
export const ADMIN_TOKEN = 'admin.token';

/** Where the running controller listens and its admin token, for `vpctune keys` and `vpctune models import`. */
function writeControllerInfo(dataDir: string, info: { readonly pid: number; readonly url: string }, adminToken: string): void {
  fs.writeFileSync(path.join(dataDir, ADMIN_TOKEN), `${adminToken}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(dataDir, CONTROLLER_INFO), `${JSON.stringify(info)}\n`);
}
