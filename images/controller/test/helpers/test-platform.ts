import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import OpenAI from 'openai';
import type { Executor } from '../../src/executor/executor';
import type { LocalExecutorOptions } from '../../src/executor/local-executor';
import { silentLogger, type Logger } from '../../src/ops/logger';
import { createApiKey } from '../../src/platform/api-keys';
import { importBaseModel } from '../../src/platform/model-registry';
import { startPlatform, type PlatformOptions, type RunningPlatform } from '../../src/platform/platform';
import type { BlobStorage } from '../../src/storage/blob-storage';

export const FAKE_TRAINER_DIR = path.join(__dirname, '..', 'fixtures', 'fake-trainer');
export const BASE_MODEL = 'vpctune/tiny-chat';

export interface TestPlatform {
  readonly platform: RunningPlatform;
  readonly dataDir: string;
  readonly keyA: string;
  readonly keyB: string;
  readonly keyAId: string;
  client(key: string, options?: { maxRetries?: number }): OpenAI;
  close(): Promise<void>;
}

export interface TestPlatformOptions {
  readonly databaseUrl?: string;
  /** Environment for the fake trainer (FAKE_STEPS, FAKE_STEP_SECONDS, FAKE_FAIL). */
  readonly fakeTrainerEnv?: Readonly<Record<string, string>>;
  readonly api?: PlatformOptions['api'];
  readonly supervisor?: PlatformOptions['supervisor'];
  /** SIGTERM → SIGKILL grace on cancel. @default 3000 */
  readonly stopGraceMs?: number;
  /** Blob storage behind the platform (e.g. S3 on moto). @default the local directory `<dataDir>/storage` */
  readonly storage?: BlobStorage;
  /** Builds the executor from the storage and the fake trainer's settings. @default the local executor */
  readonly executor?: (storage: BlobStorage, log: Logger, trainer: LocalExecutorOptions) => Executor;
  /** Inference upstreams and proxy timeouts. @default none, default timeouts */
  readonly serving?: PlatformOptions['serving'];
}

/** Makes a directory that passes for a Hugging Face model (the fake trainer never loads it). */
export function fakeModelDir(root: string): string {
  const dir = path.join(root, 'fake-model');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), '{"model_type": "llama"}\n');
  return dir;
}

/** A local platform on a free port with the fake trainer, the base model and one key for projects `alpha` and `beta`. */
export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-ctl-'));
  const trainer: LocalExecutorOptions = { python: 'python3', env: { PYTHONPATH: FAKE_TRAINER_DIR, ...options.fakeTrainerEnv }, stopGraceMs: options.stopGraceMs ?? 3000, pollMs: 50 };
  const platform = await startPlatform({
    dataDir,
    ...(options.databaseUrl !== undefined ? { databaseUrl: options.databaseUrl } : {}),
    port: 0,
    trainer,
    ...(options.storage !== undefined ? { storage: options.storage } : {}),
    ...(options.executor !== undefined ? { executor: (storage: BlobStorage, log: Logger) => options.executor!(storage, log, trainer) } : {}),
    supervisor: { scheduleIntervalMs: 100, maxConcurrentJobs: 2, ...options.supervisor },
    api: { rateLimit: null, ...options.api },
    ...(options.serving !== undefined ? { serving: options.serving } : {}),
    log: silentLogger,
  });
  const now = Math.floor(Date.now() / 1000);
  await importBaseModel(platform.store, platform.storage, BASE_MODEL, fakeModelDir(dataDir), now);
  const a = await createApiKey(platform.store, 'alpha', now);
  const b = await createApiKey(platform.store, 'beta', now);
  return {
    platform,
    dataDir,
    keyA: a.key,
    keyB: b.key,
    keyAId: a.id,
    client: (key, o = {}) => new OpenAI({ apiKey: key, baseURL: platform.url, maxRetries: o.maxRetries ?? 0, timeout: 60_000 }),
    close: async () => {
      await platform.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
