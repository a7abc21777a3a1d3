/**
 * The local platform's upstream: `python -m vpctune_local_worker` (images/server) in the trainer's environment,
 * serving one base model from local storage and resolving fine-tuned models under `adapters/` of the same storage.
 * The packages are put on PYTHONPATH from the package root, so the trainer's venv needs no extra install.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { modelPrefix } from '../../../../constructs/platform/bucket-keys';
import { packageRoot } from '../../../../constructs/support/package-root';
import type { LocalPathStorage } from '../storage/blob-storage';

/** The worker's and the resolver's source directories under the package root. */
export const LOCAL_WORKER_PYTHONPATH = ['images/server/vpctune_local_worker/src', 'images/server/vpctune_lora_resolver/src'];

export interface LocalWorkerOptions {
  readonly python: string;
  /** The base model id as served (registered in the store, weights under `models/<id>/`). */
  readonly model: string;
  readonly storage: LocalPathStorage;
  /** Where the worker caches adapters and writes its log (`worker.log`). */
  readonly workDir: string;
  /** How long the worker may take to load the model and listen, ms. @default 120000 */
  readonly startTimeoutMs?: number;
  /** Adapters loaded into the model at once, least recently used unloaded first (`--max-loras`). @default 4 */
  readonly maxLoras?: number;
}

export interface LocalWorker {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startLocalWorker(options: LocalWorkerOptions): Promise<LocalWorker> {
  const root = packageRoot(__dirname);
  fs.mkdirSync(options.workDir, { recursive: true, mode: 0o700 });
  const log = fs.openSync(path.join(options.workDir, 'worker.log'), 'a', 0o600);
  const storageDir = options.storage.localPath('');
  const env = { ...process.env, PYTHONPATH: [...LOCAL_WORKER_PYTHONPATH.map((p) => path.join(root, p)), process.env['PYTHONPATH'] ?? ''].filter((p) => p !== '').join(path.delimiter) };
  const args = ['-m', 'vpctune_local_worker', '--model', options.storage.localPath(modelPrefix(options.model)), '--served-model-name', options.model, '--storage', storageDir, '--port', '0', '--cache-dir', path.join(options.workDir, 'adapter-cache'), '--max-loras', String(options.maxLoras ?? 4), '--parent-pid', String(process.pid)];
  const child = spawn(options.python, args, { env, stdio: ['ignore', 'pipe', log] });
  fs.closeSync(log);
  const port = await listeningPort(child, options.startTimeoutMs ?? 120_000, path.join(options.workDir, 'worker.log'));
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    stop: () => stopChild(child),
  };
}

function listeningPort(child: ChildProcess, timeoutMs: number, logFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`the local inference worker ${why}; see ${logFile}`));
    };
    const timer = setTimeout(() => fail(`did not listen within ${timeoutMs / 1000} s`), timeoutMs);
    child.once('exit', (code) => fail(`exited with code ${String(code)} before listening`));
    lines.on('line', (line) => {
      try {
        const e = JSON.parse(line) as { event?: string; port?: number };
        if (e.event === 'listening' && typeof e.port === 'number') {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          resolve(e.port);
        }
      } catch {
        // not the listening line
      }
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
