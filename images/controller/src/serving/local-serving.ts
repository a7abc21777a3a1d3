/** Serving on the local platform: the CPU worker for a base model, registered as the base's upstream. */
import * as path from 'node:path';
import { isLocalPathStorage } from '../storage/blob-storage';
import type { RunningPlatform } from '../platform/platform';
import { startLocalWorker, type LocalWorker } from './local-worker';

/** Starts the local worker for `model` over the platform's storage (`<dataDir>/serving`) and routes the base to it. */
export async function serveLocally(platform: RunningPlatform, python: string, model: string, dataDir: string): Promise<LocalWorker> {
  if (!isLocalPathStorage(platform.storage)) throw new Error(`the local inference worker needs local storage; this platform has ${platform.storage.kind} storage`);
  const worker = await startLocalWorker({ python, model, storage: platform.storage, workDir: path.join(dataDir, 'serving') });
  platform.serving.directory.register({ model, urls: [worker.url] });
  return worker;
}
