import { newId } from '../domain/ids';
import { jobOutputPrefix, keyUnder } from '../../../../constructs/platform/bucket-keys';
import type { JobPatch, JobRecord } from '../domain/job';
import type { CheckpointRecord } from '../domain/records';
import type { NewEvent } from '../store/store';
import type { MetricsEvent, TrainerEvent } from '../executor/trainer-contract';
import { jobEvent } from './job-events';
import type { RelayedProgress } from './relayed-progress';

/** What a batch of trainer events changes on a running job (terminal events are handled by the supervisor). */
export interface MappedBatch {
  readonly patch: JobPatch;
  readonly events: readonly NewEvent[];
  readonly checkpoints: readonly CheckpointRecord[];
}

function fmt(v: number | null | undefined): string {
  return v === null || v === undefined ? 'n/a' : v.toFixed(4);
}

/**
 * Remembers, per job, what later events need (total steps, last metrics) and how far the relayed steps and
 * checkpoints go: a run resumed from a checkpoint trains the steps after it again, and those repeats are not relayed
 * twice (each step is one event). Lost on restart: the supervisor seeds the progress from the store
 * (relayed-progress.ts) before mapping a job's first batch.
 */
export class TrainerEventMapper {
  private readonly totalSteps = new Map<string, number>();
  private readonly lastMetrics = new Map<string, MetricsEvent>();
  private readonly progress = new Map<string, { lastStep: number; lastCheckpointStep: number }>();
  private readonly resumeAnnounced = new Set<string>();

  /** Whether the job's relayed progress must be read from the store before its next batch is mapped. */
  needsProgress(jobId: string): boolean {
    return !this.progress.has(jobId);
  }

  seedProgress(jobId: string, relayed: RelayedProgress): void {
    this.progress.set(jobId, { lastStep: relayed.lastStep, lastCheckpointStep: relayed.lastCheckpointStep });
    if (relayed.totalSteps !== null && !this.totalSteps.has(jobId)) this.totalSteps.set(jobId, relayed.totalSteps);
  }

  /** The supervisor has written the resume's one event: the resumed run's `started` adds none. */
  announceResume(jobId: string): void {
    this.resumeAnnounced.add(jobId);
  }

  map(job: JobRecord, batch: readonly TrainerEvent[], nowSeconds: number): MappedBatch {
    const patch: { -readonly [K in keyof JobPatch]: JobPatch[K] } = {};
    const events: NewEvent[] = [];
    const checkpoints: CheckpointRecord[] = [];
    const progress = this.progress.get(job.id) ?? { lastStep: 0, lastCheckpointStep: 0 };
    this.progress.set(job.id, progress);
    for (const e of batch) {
      const at = Math.floor(e.time ?? nowSeconds);
      switch (e.type) {
        case 'started':
          this.totalSteps.set(job.id, e.total_steps);
          patch.resolvedHyperparameters = e.hyperparameters;
          if (e.resumed_from_step && this.resumeAnnounced.delete(job.id)) break;
          events.push(
            jobEvent(at, e.resumed_from_step ? `Training resumed from step ${e.resumed_from_step} of ${e.total_steps}` : `Training started: ${e.total_steps} steps over ${e.n_epochs} epochs`, {
              data: { total_steps: e.total_steps, n_epochs: e.n_epochs, resumed_from_step: e.resumed_from_step, hyperparameters: e.hyperparameters },
            }),
          );
          break;
        case 'progress':
          this.totalSteps.set(job.id, e.total_steps);
          patch.estimatedFinish = e.eta_seconds === null || e.eta_seconds === undefined ? null : Math.ceil(nowSeconds + e.eta_seconds);
          break;
        case 'metrics': {
          this.lastMetrics.set(job.id, e);
          if (e.iteration <= progress.lastStep) break; // trained again after a resume: already described
          progress.lastStep = e.iteration;
          const total = this.totalSteps.get(job.id);
          const valid = e.valid_loss === null || e.valid_loss === undefined ? '' : `, validation loss=${fmt(e.valid_loss)}`;
          events.push(
            jobEvent(at, `Step ${e.iteration}${total === undefined ? '' : `/${total}`}: training loss=${fmt(e.train_loss)}${valid}`, {
              type: 'metrics',
              data: { step: e.iteration, total_steps: total ?? null, epoch: e.epoch, train_loss: e.train_loss, valid_loss: e.valid_loss, perplexity: e.perplexity, trained_tokens: e.trained_tokens },
            }),
          );
          if (e.trained_tokens !== null && e.trained_tokens !== undefined) patch.trainedTokens = e.trained_tokens;
          break;
        }
        case 'checkpoint': {
          if (e.step <= progress.lastCheckpointStep) break;
          progress.lastCheckpointStep = e.step;
          const m = this.lastMetrics.get(job.id);
          checkpoints.push({
            id: newId('ftckpt'),
            jobId: job.id,
            createdAt: at,
            step: e.step,
            storageKey: keyUnder(jobOutputPrefix(job.id), e.path.replace(/\/?$/, '/')),
            metrics: { step: e.step, train_loss: m?.train_loss ?? null, valid_loss: m?.valid_loss ?? null, full_valid_loss: m?.valid_loss ?? null, perplexity: m?.perplexity ?? null },
          });
          events.push(jobEvent(at, `Checkpoint created at step ${e.step}`, { data: { step: e.step } }));
          break;
        }
        case 'stopped':
          events.push(jobEvent(at, `Training stopped at step ${e.step}${e.checkpoint ? ` (checkpoint ${e.checkpoint})` : ''}`, { level: 'warn', data: { step: e.step } }));
          break;
        case 'finished':
        case 'failed':
          break;
      }
    }
    return { patch, events, checkpoints };
  }

  forget(jobId: string): void {
    this.totalSteps.delete(jobId);
    this.lastMetrics.delete(jobId);
    this.progress.delete(jobId);
    this.resumeAnnounced.delete(jobId);
  }
}
