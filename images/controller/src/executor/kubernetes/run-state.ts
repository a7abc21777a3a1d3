/** One followed run of the Kubernetes executor: its state, and what its Jobs' labels and conditions say. */
import type { V1Job } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { POOL_LABEL } from '../../../../../constructs/platform';
import { keyUnder } from '../../../../../constructs/platform/bucket-keys';
import type { RunRequest } from '../executor';
import type { RunListener } from '../trainer-contract';

export { acceptsNotices, type RunNotice, type RunNoticeListener } from '../trainer-contract';
import { ATTEMPT_LABEL, PREEMPTIONS_ANNOTATION } from './names';
import type { AttemptObservation } from './observe';
import type { Placement } from './placement';

export interface Run {
  readonly jobId: string;
  readonly request: RunRequest;
  readonly listener: RunListener;
  /** Pool and shape of the run: the job's stored placement (resolved on today's pools), kept across resubmissions. */
  placement: Placement | undefined;
  attempt: number;
  preemptions: number;
  jobName: string;
  cursor: number;
  /** The Job was seen in the informer cache (so its absence later means it was deleted). */
  seen: boolean;
  lastPhase: AttemptObservation['phase'] | undefined;
  noticed: Set<string>;
  imagePullSince: number | undefined;
  stopping: boolean;
  ended: boolean;
  /** When an evaluation first saw the Job failed with no exit code, OOM or disruption to explain it (wall clock). */
  unexplainedEndSince: number | undefined;
  /** Times Kueue suspended the running Job again (quota reclaimed). */
  requeues: number;
  /** Followed after a controller restart rather than created by this process. */
  adopted: boolean;
  /** The pool label of an adopted Job, for notices before its placement is resolved. */
  adoptedPool: string | undefined;
  timer: NodeJS.Timeout | undefined;
  chain: Promise<void>;
}

export const attemptOf = (job: V1Job): number => Number(job.metadata?.labels?.[ATTEMPT_LABEL] ?? '0') || 0;
export const preemptionsOf = (job: V1Job): number => Number(job.metadata?.annotations?.[PREEMPTIONS_ANNOTATION] ?? '0') || 0;

export function isComplete(job: V1Job): boolean {
  return (job.status?.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True');
}

export function isFinished(job: V1Job): boolean {
  return (job.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/** The Job of the highest attempt among a job's Jobs. */
export function latestAttempt(jobs: readonly V1Job[]): V1Job | undefined {
  return [...jobs].sort((a, b) => attemptOf(b) - attemptOf(a))[0];
}

/** A new run; `job` is the Job it adopts (a previous controller created it), undefined for a run about to create one. */
export function newRun(request: RunRequest, cursor: number, listener: RunListener, job: V1Job | undefined): Run {
  return {
    jobId: request.jobId,
    request,
    listener,
    placement: undefined,
    attempt: job !== undefined ? attemptOf(job) : 1,
    preemptions: job !== undefined ? preemptionsOf(job) : 0,
    jobName: job?.metadata?.name ?? '',
    cursor,
    seen: false,
    lastPhase: undefined,
    noticed: new Set(),
    imagePullSince: undefined,
    stopping: false,
    ended: false,
    unexplainedEndSince: undefined,
    requeues: 0,
    adopted: job !== undefined,
    adoptedPool: job?.metadata?.labels?.[POOL_LABEL],
    timer: undefined,
    chain: Promise.resolve(),
  };
}

/** The reference the supervisor stores with the job. */
export function runRef(run: Run, namespace: string): string {
  const p = run.placement;
  return JSON.stringify({ job: run.jobName, attempt: run.attempt, namespace, ...(p !== undefined ? { pool: p.pool.name, nodes: p.nodes, gpus_per_node: p.gpusPerPod } : {}) });
}

/** `events.jsonl` in the run's output directory in the bucket. */
export function eventsKey(request: RunRequest): string {
  return keyUnder(request.spec.output_dir, 'events.jsonl');
}
