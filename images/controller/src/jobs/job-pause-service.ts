import type { Clock } from '../domain/clock';
import { seconds } from '../domain/clock';
import { ApiError, notFound } from '../domain/api-error';
import type { JobRecord } from '../domain/job';
import type { Executor } from '../executor/executor';
import type { Store } from '../store/store';
import { jobEvent } from './job-events';
import { relayedProgress } from './relayed-progress';

/** Error codes of a pause or resume the job's state does not allow (400: asking again cannot help). */
export enum PauseRefusal {
  NotPausable = 'job_not_pausable',
  AlreadyPaused = 'job_already_paused',
  NotPaused = 'job_not_paused',
}

export interface JobPauseServiceDeps {
  readonly store: Store;
  readonly executor: Executor;
  readonly clock: Clock;
  /** Looks at the queue again (a resumed job may start now). */
  readonly kick: () => void;
}

/**
 * Pauses and resumes fine-tuning jobs (`POST /v1/fine_tuning/jobs/{id}/pause` and `/resume`).
 *
 * OpenAI's job schema has no `paused` status (the SDKs' `status` is a closed enum), so a paused job keeps a status
 * of that enum and says it is paused with `paused_at` (and its events):
 * - a queued job is paused at once: it stays `queued`, and the scheduler skips it;
 * - a running job is asked to stop (the executor's SIGTERM: the trainer checkpoints and exits 75); it stays
 *   `running` until the trainer has exited, then `settle` makes it `queued`, and its GPU or CPU slot goes to the next
 *   queued job ("Job paused at step N").
 * Resuming clears `paused_at` ("Job resumed"): the job is queued again and its next run continues from the checkpoint.
 */
export class JobPauseService {
  constructor(private readonly deps: JobPauseServiceDeps) {}

  private now(): number {
    return seconds(this.deps.clock.nowMs());
  }

  private async owned(projectId: string, jobId: string): Promise<JobRecord> {
    const job = await this.deps.store.getJob(projectId, jobId);
    if (job === undefined) throw notFound('fine-tuning job', jobId, 'fine_tuning_job_not_found', 'fine_tuning_job_id');
    return job;
  }

  /** Pauses a queued or running job; returns the job as it is afterwards. */
  async pause(projectId: string, jobId: string): Promise<JobRecord> {
    for (;;) {
      const job = await this.owned(projectId, jobId);
      if (job.pausedAt !== null) throw refused(PauseRefusal.AlreadyPaused, `Job '${job.id}' is already paused (since ${job.pausedAt}); resume it with POST /v1/fine_tuning/jobs/${job.id}/resume.`);
      if (job.status !== 'queued' && job.status !== 'running') {
        throw refused(PauseRefusal.NotPausable, `Job '${job.id}' is ${job.status}; only queued and running jobs can be paused.`);
      }
      const now = this.now();
      const updated =
        job.status === 'queued'
          ? await this.deps.store.transitionJob(job.id, { from: ['queued'], patch: { pausedAt: now, estimatedFinish: null }, events: [await this.pausedEvent(job.id, now)] })
          : await this.deps.store.transitionJob(job.id, {
              from: ['running'],
              patch: { pausedAt: now },
              events: [jobEvent(now, 'Pausing: the trainer saves a checkpoint and stops')],
            });
      if (updated === undefined) continue; // its state changed meanwhile: look again
      // The trainer checkpoints on SIGTERM and exits 75; the supervisor then calls `settle`. A run not started yet
      // is stopped by the supervisor once it has started (it finds `pausedAt` set).
      if (job.status === 'running') await this.deps.executor.stop(job.id);
      return updated;
    }
  }

  /** Resumes a paused job; returns the job as it is afterwards. */
  async resume(projectId: string, jobId: string): Promise<JobRecord> {
    for (;;) {
      const job = await this.owned(projectId, jobId);
      if (job.pausedAt === null || (job.status !== 'queued' && job.status !== 'running')) {
        throw refused(PauseRefusal.NotPaused, `Job '${job.id}' is not paused (status ${job.status}); only a paused job can be resumed.`);
      }
      const event = jobEvent(this.now(), 'Job resumed');
      const updated =
        job.status === 'queued'
          ? await this.deps.store.transitionJob(job.id, { from: ['queued'], patch: { pausedAt: null }, events: [event] })
          : // Still checkpointing: its run ends as a stop at a checkpoint and is resumed at once by the supervisor.
            // That stop was asked for, not an interruption: the attempt it counts is given back.
            await this.deps.store.transitionJob(job.id, { from: ['running'], patch: { pausedAt: null, attempt: Math.max(0, job.attempt - 1) }, events: [event] });
      if (updated === undefined) continue;
      this.deps.kick();
      return updated;
    }
  }

  /**
   * The run of a job being paused has ended at its checkpoint (or is gone): the job goes back to the queue, paused,
   * and frees its slot. Called by the supervisor under the job's lock.
   */
  async settle(job: JobRecord): Promise<void> {
    await this.deps.store.transitionJob(job.id, {
      from: ['running'],
      patch: { status: 'queued', runRef: null, estimatedFinish: null },
      events: [await this.pausedEvent(job.id, this.now())],
    });
  }

  private async pausedEvent(jobId: string, now: number) {
    const { lastCheckpointStep } = await relayedProgress(this.deps.store, jobId);
    const message = lastCheckpointStep > 0 ? `Job paused at step ${lastCheckpointStep}` : 'Job paused before its first checkpoint (it starts from the beginning when resumed)';
    return jobEvent(now, message, { data: { paused: true, step: lastCheckpointStep } });
  }
}

function refused(code: PauseRefusal, message: string): ApiError {
  // 400, not 409: the official SDKs retry 409 (with 408, 429 and 5xx), and asking again cannot help.
  return new ApiError(400, 'invalid_request_error', code, message, 'fine_tuning_job_id');
}
