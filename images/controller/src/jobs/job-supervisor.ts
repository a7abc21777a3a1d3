import type { Clock } from '../domain/clock';
import { seconds } from '../domain/clock';
import { fineTunedModelName } from '../domain/ids';
import { hyperparametersOf, isTerminal, type JobError, type JobRecord, type JobStatus } from '../domain/job';
import type { Executor, RunEnd, RunListener, RunRequest } from '../executor/executor';
import { TRAINER_EXIT, type RunNotice, type TrainerEvent } from '../executor/trainer-contract';
import type { Logger } from '../ops/logger';
import type { BlobStorage } from '../storage/blob-storage';
import { AsyncMutex } from '../store/async-mutex';
import type { Store } from '../store/store';
import { pickJobsToStart } from './fair-scheduler';
import { jobEvent } from './job-events';
import { JobPauseService } from './job-pause-service';
import { registerResults } from './job-results';
import { storageFaultIn, storageFaultOf, storageJobError } from '../storage/storage-fault';
import { relayedProgress } from './relayed-progress';
import { runRequestOf } from './run-request';
import { type MappedBatch, TrainerEventMapper } from './trainer-event-mapper';

/** Why a run is resumed, as its resume event says. */
export const RESUME_REASON = {
  stopped: 'the trainer stopped at a checkpoint',
  lostWhileDown: 'the trainer was lost while the controller was down',
  lostWhileRunning: 'the trainer process ended without an exit code (killed or crashed) while the controller was running',
} as const;

/** Events, patch and checkpoints of a trainer batch not yet committed; they go in with the end state. */
type PendingBatch = MappedBatch;
const NO_PENDING: PendingBatch = { patch: {}, events: [], checkpoints: [] };

export interface SupervisorOptions {
  /** Jobs running at once on this controller. @default 1 */
  readonly maxConcurrentJobs: number;
  /** Jobs one project may run at once; the rest stay queued. @default 1 */
  readonly perProjectRunningLimit: number;
  /** Runs per job before it fails (a run lost to a crash resumes from its last checkpoint). @default 3 */
  readonly maxAttempts: number;
  /** How often queued jobs are looked at even without a trigger. @default 1000 */
  readonly scheduleIntervalMs: number;
}

export const DEFAULT_SUPERVISOR_OPTIONS: SupervisorOptions = { maxConcurrentJobs: 1, perProjectRunningLimit: 1, maxAttempts: 3, scheduleIntervalMs: 1000 };

/**
 * Moves jobs through their states: starts queued jobs on the executor (fair across projects), relays trainer events
 * into job events, checkpoints and metrics, registers results, maps run ends to states, and on start re-attaches to
 * or resumes the runs a previous controller process left.
 */
export class JobSupervisor implements RunListener {
  private readonly mapper = new TrainerEventMapper();
  private readonly lastServed = new Map<string, number>();
  private readonly scheduling = new AsyncMutex();
  private readonly perJob = new Map<string, AsyncMutex>();
  /** Jobs whose runs are being re-attached at start. */
  private readonly recovering = new Set<string>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** Pause and resume (`POST .../pause`, `.../resume`); a paused job stays out of the queue until resumed. */
  readonly pauses: JobPauseService;

  constructor(
    private readonly store: Store,
    private readonly storage: BlobStorage,
    private readonly executor: Executor,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: SupervisorOptions = DEFAULT_SUPERVISOR_OPTIONS,
  ) {
    this.pauses = new JobPauseService({ store, executor, clock, kick: () => void this.kick() });
  }

  async start(): Promise<void> {
    await this.recover();
    this.timer = setInterval(() => void this.kick(), this.options.scheduleIntervalMs);
    this.timer.unref();
    // the first pass at start reports a store that does not answer to the caller
    await this.scheduleQueued();
  }

  /** Stops scheduling and following runs; trainers keep running for the next controller process. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.executor.detachAll();
  }

  private now(): number {
    return seconds(this.clock.nowMs());
  }

  private lock(jobId: string): AsyncMutex {
    let m = this.perJob.get(jobId);
    if (m === undefined) this.perJob.set(jobId, (m = new AsyncMutex()));
    return m;
  }

  /** The run request of a job (run-request.ts): spec with storage keys, and the placement stored when it was queued. */
  runRequest(job: JobRecord): RunRequest {
    return runRequestOf(job);
  }

  /** Re-attaches to runs left by a previous process; resumes those that are gone. */
  private async recover(): Promise<void> {
    for (const job of await this.store.listJobsByStatus(['running'])) {
      // A run found gone here ends (onEnd) inside attach: it was lost while no controller was running.
      this.recovering.add(job.id);
      const alive = await this.executor.attach(this.runRequest(job), job.eventsCursor, this).finally(() => this.recovering.delete(job.id));
      this.log.info(alive ? 'following a run left by the previous controller' : 'run of a running job is gone', { job_id: job.id });
    }
  }

  /**
   * Starts queued jobs into free slots. Never rejects: it runs from timers and callbacks nobody awaits, so a store
   * error (or a store closed under a late timer) is logged, and the next kick tries again.
   */
  kick(): Promise<void> {
    return this.scheduleQueued().catch((err: unknown) => {
      if (!this.stopped) this.log.error('scheduling queued jobs failed', { error: String(err) });
    });
  }

  private scheduleQueued(): Promise<void> {
    return this.scheduling.run(async () => {
      if (this.stopped) return;
      const running = await this.store.listJobsByStatus(['running']);
      const freeSlots = this.options.maxConcurrentJobs - Math.max(running.length, this.executor.activeRuns());
      if (freeSlots <= 0) return;
      const queued = (await this.store.listJobsByStatus(['queued'])).filter((j) => j.pausedAt === null);
      if (queued.length === 0) return;
      const runningByProject = new Map<string, number>();
      for (const j of running) runningByProject.set(j.projectId, (runningByProject.get(j.projectId) ?? 0) + 1);
      const picked = pickJobsToStart({ queued, runningByProject, freeSlots, perProjectLimit: this.options.perProjectRunningLimit, lastServed: this.lastServed });
      let turn = Math.max(0, ...this.lastServed.values());
      const byId = new Map(queued.map((j) => [j.id, j]));
      for (const pick of picked) {
        const q = byId.get(pick.id) as JobRecord;
        this.lastServed.set(q.projectId, (turn += 1));
        const job = await this.store.transitionJob(q.id, {
          from: ['queued'],
          // the queued estimate now counts from the start; the trainer's ETA replaces it with its first progress
          patch: { status: 'running', attempt: 1, startedAt: q.startedAt ?? this.now(), estimatedFinish: q.estimatedRunSeconds === null ? null : this.now() + q.estimatedRunSeconds },
          // a job that has started before was paused and resumed: its run continues from its checkpoint
          events: [jobEvent(this.now(), q.startedAt === null ? 'Fine-tuning job started' : 'Fine-tuning job started again after a pause')],
        });
        if (job !== undefined) await this.launch(job);
      }
    });
  }

  /**
   * A data file deleted while the job was queued: the job fails naming it (not with the trainer's error about a
   * missing path on this server).
   */
  private async missingDataFile(job: JobRecord): Promise<JobError | undefined> {
    const files: readonly [string | null, 'training_file' | 'validation_file', string][] = [
      [job.trainingFile, 'training_file', 'training file'],
      [job.validationFile, 'validation_file', 'validation file'],
    ];
    for (const [id, param, what] of files) {
      if (id === null) continue;
      const record = await this.store.getFile(job.projectId, id);
      if (record === undefined || (await this.storage.stat(record.storageKey)) === undefined) {
        return { code: 'file_not_found', message: `The ${what} '${id}' was deleted before the job started; upload it again and create a new job.`, param };
      }
    }
    return undefined;
  }

  private async launch(job: JobRecord): Promise<void> {
    const missing = await this.missingDataFile(job);
    if (missing !== undefined) {
      await this.fail(job.id, missing);
      return;
    }
    try {
      const ref = await this.executor.start(this.runRequest(job), job.eventsCursor, this);
      const still = await this.store.transitionJob(job.id, { from: ['running'], patch: { runRef: ref } });
      // Cancelled or paused while the trainer was being started: that call found no process to stop, so stop it now.
      if (still === undefined || still.pausedAt !== null) await this.executor.stop(job.id);
    } catch (err) {
      this.log.error('could not start the trainer', { job_id: job.id, error: String(err) });
      const fault = storageFaultOf(err);
      await this.fail(job.id, fault !== undefined ? storageJobError(fault) : { code: 'internal', message: `The trainer could not be started: ${String(err)}`, param: null });
    }
  }

  /** Cancels a job that has not ended; returns the job as it is afterwards, or undefined if it had already ended. */
  async cancel(projectId: string, jobId: string): Promise<JobRecord | undefined> {
    for (;;) {
      const job = await this.store.getJob(projectId, jobId);
      if (job === undefined || isTerminal(job.status)) return undefined;
      const updated = await this.store.transitionJob(jobId, {
        from: [job.status],
        patch: { status: 'cancelled', finishedAt: this.now(), estimatedFinish: null },
        events: [jobEvent(this.now(), 'Fine-tuning job cancelled')],
      });
      if (updated === undefined) continue;
      if (job.status === 'running') await this.executor.stop(jobId);
      this.mapper.forget(jobId);
      void this.kick();
      return updated;
    }
  }

  // --- RunListener ---

  /**
   * A platform event about a running job that is not a trainer event (the Kubernetes executor's Kueue admission,
   * image pull warnings, preemptions): kept as a job event.
   */
  onNotice(jobId: string, notice: RunNotice): Promise<void> {
    return this.lock(jobId).run(async () => {
      await this.store.transitionJob(jobId, { from: ['running'], patch: {}, events: [jobEvent(this.now(), notice.message, { level: notice.level, ...(notice.data !== undefined ? { data: notice.data } : {}) })] });
    });
  }

  onEvents(jobId: string, batch: readonly TrainerEvent[], cursor: number): Promise<void> {
    return this.lock(jobId).run(async () => {
      const job = await this.store.getJobById(jobId);
      if (job === undefined || job.status !== 'running') return;
      const terminalAt = batch.findIndex((e) => e.type === 'finished' || e.type === 'failed');
      const before = terminalAt === -1 ? batch : batch.slice(0, terminalAt);
      if (this.mapper.needsProgress(jobId)) this.mapper.seedProgress(jobId, await relayedProgress(this.store, jobId));
      const mapped = this.mapper.map(job, before, this.now());
      const terminal = terminalAt === -1 ? undefined : batch[terminalAt];
      if (terminal === undefined) {
        await this.store.transitionJob(jobId, { from: ['running'], patch: { ...mapped.patch, eventsCursor: cursor }, events: mapped.events, checkpoints: mapped.checkpoints });
        return;
      }
      // The batch's events, the end state and the cursor commit in ONE transaction: a controller killed in between
      // (e.g. while results are registered) must not leave events stored with the cursor behind them, or the next
      // controller would relay them twice.
      if (terminal.type === 'finished') await this.succeed(jobId, terminal.trained_tokens, cursor, mapped);
      else if (terminal.type === 'failed') await this.fail(jobId, { code: terminal.code, message: terminal.message, param: terminal.param ?? null }, cursor, mapped);
    });
  }

  onEnd(jobId: string, end: RunEnd): Promise<void> {
    const work = this.lock(jobId).run(async () => {
      const job = await this.store.getJobById(jobId);
      if (job === undefined || job.status !== 'running') return;
      if (job.pausedAt !== null && (end.exitCode === TRAINER_EXIT.stopped || end.exitCode === null)) {
        // Paused: stopped at its checkpoint (or gone); back to the queue, paused, and its slot is free.
        await this.pauses.settle(job);
      } else if (end.exitCode === TRAINER_EXIT.finished) {
        // Exit 0 without a `finished` event (should not happen): trust the manifest.
        await this.succeed(jobId, job.trainedTokens ?? 0, job.eventsCursor);
      } else if (end.failure !== undefined && end.exitCode !== TRAINER_EXIT.stopped) {
        // A `failed` event only on stdout (e.g. an invalid spec found before the output directory was known).
        await this.fail(jobId, end.failure);
      } else if (end.exitCode === TRAINER_EXIT.invalid) {
        await this.fail(jobId, { code: 'invalid_spec', message: end.logTail.split('\n').pop() || 'The trainer rejected the job spec or data.', param: null });
      } else if (end.exitCode === TRAINER_EXIT.stopped || end.exitCode === null) {
        await this.resume(job, end.exitCode === TRAINER_EXIT.stopped ? RESUME_REASON.stopped : this.recovering.has(jobId) ? RESUME_REASON.lostWhileDown : RESUME_REASON.lostWhileRunning);
      } else if (storageFaultIn(end.logTail) !== undefined) {
        // A full or read-only volume: said as such (not "exited with code 1"), so the operator knows what to fix.
        await this.fail(jobId, storageJobError(storageFaultIn(end.logTail) as string));
      } else {
        const detail = end.logTail.split('\n').slice(-3).join(' ').trim();
        await this.fail(jobId, { code: 'internal', message: `The trainer exited with code ${end.exitCode}${detail ? `: ${detail}` : ''}`, param: null });
      }
    });
    return work.finally(() => void this.kick());
  }

  private async resume(job: JobRecord, why: string): Promise<void> {
    if (job.attempt >= this.options.maxAttempts) {
      await this.fail(job.id, { code: 'internal', message: `The job was interrupted ${job.attempt} times (${why}); giving up after ${this.options.maxAttempts} attempts.`, param: null });
      return;
    }
    // One event says from which step and why; the resumed run's `started` adds none, and the steps it trains again
    // (after the checkpoint, up to where the lost run got) are not relayed twice (trainer-event-mapper.ts).
    const relayed = await relayedProgress(this.store, job.id);
    const from =
      relayed.lastCheckpointStep > 0
        ? `Resuming from the checkpoint at step ${relayed.lastCheckpointStep}${relayed.totalSteps !== null ? ` of ${relayed.totalSteps}` : ''}`
        : 'Restarting from the beginning (no checkpoint yet)';
    const updated = await this.store.transitionJob(job.id, {
      from: ['running'],
      patch: { attempt: job.attempt + 1 },
      events: [jobEvent(this.now(), `${from} (attempt ${job.attempt + 1} of ${this.options.maxAttempts}): ${why}`, { level: 'warn', data: { resumed_from_step: relayed.lastCheckpointStep, attempt: job.attempt + 1 } })],
    });
    if (updated === undefined) return;
    this.mapper.announceResume(job.id);
    await this.launch(updated);
  }

  private async succeed(jobId: string, trainedTokens: number, cursor: number, pending: PendingBatch = NO_PENDING): Promise<void> {
    const job = await this.store.getJobById(jobId);
    if (job === undefined || job.status !== 'running') return;
    const model = fineTunedModelName(job.model, job.suffix, job.id);
    try {
      const results = await registerResults(this.store, this.storage, job, model, this.clock.nowMs());
      await this.store.transitionJob(jobId, {
        from: ['running'],
        patch: { ...pending.patch, status: 'succeeded', fineTunedModel: model, finishedAt: this.now(), trainedTokens: trainedTokens || results.trainedTokens, resultFiles: results.resultFiles, estimatedFinish: null, eventsCursor: cursor },
        events: [...pending.events, jobEvent(this.now(), `New fine-tuned model created: ${model}`, { data: { fine_tuned_model: model } }), jobEvent(this.now(), 'The job has successfully completed')],
        checkpoints: pending.checkpoints,
      });
      this.log.info('job succeeded', { job_id: jobId, fine_tuned_model: model });
    } catch (err) {
      const fault = storageFaultOf(err);
      const error = fault !== undefined ? storageJobError(fault) : { code: 'internal', message: `The trainer finished but its results could not be registered: ${String(err)}`, param: null };
      await this.fail(jobId, error, cursor, pending);
    }
    this.mapper.forget(jobId);
  }

  private async fail(jobId: string, error: JobError, cursor?: number, pending: PendingBatch = NO_PENDING): Promise<void> {
    await this.store.transitionJob(jobId, {
      from: ['running', 'queued'] as JobStatus[],
      patch: { ...pending.patch, status: 'failed', error, finishedAt: this.now(), estimatedFinish: null, ...(cursor !== undefined ? { eventsCursor: cursor } : {}) },
      events: [...pending.events, jobEvent(this.now(), `Fine-tuning job failed: ${error.message}`, { level: 'error', data: { code: error.code, param: error.param } })],
      checkpoints: pending.checkpoints,
    });
    this.log.warn('job failed', { job_id: jobId, code: error.code, message: error.message });
    this.mapper.forget(jobId);
  }

  /** Hyperparameters shown on the job: what the trainer resolved, else what was asked. */
  static hyperparameters(job: JobRecord): Readonly<Record<string, number | 'auto'>> {
    return { ...hyperparametersOf(job.method), ...(job.resolvedHyperparameters ?? {}) };
  }
}
