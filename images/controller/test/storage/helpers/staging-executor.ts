/**
 * For running the API suite with an object store behind the controller: the local executor (fake trainer, child
 * process) working on a local staging directory, with the job's inputs copied in from the object store before the
 * trainer starts and its output directory copied back before the supervisor hears of a checkpoint or of the run's end — what a
 * Kubernetes training pod does with the bucket. Everything the API itself reads and writes (uploads, file content,
 * training-file validation, result files, adapter copies and tars, model weights) goes to the object store.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Executor, RunEnd, RunListener, RunRequest } from '../../../src/executor/executor';
import { LocalExecutor, type LocalExecutorOptions } from '../../../src/executor/local-executor';
import type { Logger } from '../../../src/ops/logger';
import type { BlobStorage } from '../../../src/storage/blob-storage';
import { LocalDirectoryStorage } from '../../../src/storage/local-directory-storage';

class StagingExecutor implements Executor {
  readonly kind = 'local-staged';
  private readonly local: LocalExecutor;
  private readonly staging: LocalDirectoryStorage;

  constructor(
    private readonly remote: BlobStorage,
    stagingDir: string,
    trainer: LocalExecutorOptions,
    log: Logger,
  ) {
    this.staging = new LocalDirectoryStorage(stagingDir);
    this.local = new LocalExecutor(this.staging, trainer, log);
  }

  /** Copies a key (or every key under a prefix) from the object store into the staging directory. */
  private async pull(key: string): Promise<void> {
    const keys = key.endsWith('/') ? (await this.remote.list(key)).map((rel) => key + rel) : [key];
    for (const k of keys) {
      const target = this.staging.localPath(k);
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      await pipeline(await this.remote.get(k), fs.createWriteStream(target));
    }
  }

  private async stageIn(request: RunRequest): Promise<void> {
    const { spec } = request;
    await this.pull(spec.base_model);
    await this.pull(spec.training_file);
    if (spec.validation_file !== undefined) await this.pull(spec.validation_file);
    await this.pull(spec.output_dir); // a resumed run finds its checkpoints
  }

  private async stageOut(request: RunRequest): Promise<void> {
    const dir = this.staging.localPath(request.spec.output_dir);
    if (fs.existsSync(dir)) await this.remote.putDirectory(request.spec.output_dir, dir);
  }

  private relay(request: RunRequest, listener: RunListener): RunListener {
    return {
      // The supervisor registers results when it sees `finished`, and a resumed run needs its checkpoints: the output
      // directory is in the object store before such events are relayed.
      onEvents: async (jobId, events, cursor) => {
        if (events.some((e) => e.type === 'finished' || e.type === 'failed' || e.type === 'checkpoint')) await this.stageOut(request);
        await listener.onEvents(jobId, events, cursor);
      },
      onEnd: async (jobId: string, end: RunEnd) => {
        await this.stageOut(request);
        await listener.onEnd(jobId, end);
      },
    };
  }

  async start(request: RunRequest, cursor: number, listener: RunListener): Promise<string> {
    await this.stageIn(request);
    return this.local.start(request, cursor, this.relay(request, listener));
  }

  attach(request: RunRequest, cursor: number, listener: RunListener): Promise<boolean> {
    return this.local.attach(request, cursor, this.relay(request, listener));
  }

  stop(jobId: string): Promise<void> {
    return this.local.stop(jobId);
  }

  activeRuns(): number {
    return this.local.activeRuns();
  }

  detachAll(): Promise<void> {
    return this.local.detachAll();
  }
}

/** An executor factory for `startPlatform({ executor })`: the local executor staged through `stagingDir`. */
export function stagingExecutor(stagingDir: string): (storage: BlobStorage, log: Logger, trainer: LocalExecutorOptions) => Executor {
  return (storage, log, trainer) => new StagingExecutor(storage, stagingDir, trainer, log);
}
