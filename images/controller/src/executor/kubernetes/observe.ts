/**
 * Reads what Kubernetes says about one attempt — its Job and that Job's pods — and names it: waiting for Kueue,
 * admitted, running, and how it ended (finished, trainer exit code, preempted, out of memory, deadline, image pull).
 * Pure: the executor feeds it the informers' objects and acts on the answer.
 */
import type { V1ContainerStatus, V1Job, V1Pod } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { COMPLETION_INDEX_ANNOTATION, TRAINER_CONTAINER } from './names';

/** How an attempt ended. */
export type AttemptEnd =
  | { readonly kind: 'exit'; readonly exitCode: number; readonly pod: string | undefined }
  | { readonly kind: 'preempted'; readonly detail: string }
  | { readonly kind: 'oom'; readonly pod: string; readonly memoryLimit: string | undefined }
  | { readonly kind: 'deadline'; readonly seconds: number | undefined }
  | { readonly kind: 'image-pull'; readonly image: string; readonly reason: string; readonly message: string }
  | { readonly kind: 'failed'; readonly reason: string; readonly message: string };

/** A pod that cannot pull its image: retried by the kubelet forever, so the executor gives it a deadline. */
export interface ImagePullProblem {
  readonly pod: string;
  readonly image: string;
  readonly reason: string;
  readonly message: string;
  /** InvalidImageName and ErrImageNeverPull will never succeed; back-offs might. */
  readonly permanent: boolean;
}

export interface AttemptObservation {
  /** suspended: created, waiting for Kueue; admitted: unsuspended, no pod running yet; running: a trainer pod runs. */
  readonly phase: 'suspended' | 'admitted' | 'running' | 'ended';
  readonly end?: AttemptEnd;
  readonly imagePull?: ImagePullProblem;
  /** Why pods wait to be scheduled (`0/3 nodes are available: …`), when they do. */
  readonly unschedulable?: string;
}

const IMAGE_PULL_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const PERMANENT_IMAGE_REASONS = new Set(['InvalidImageName', 'ErrImageNeverPull']);
/** Pod status reasons of pods that lost their node. */
const NODE_LOST_REASONS = new Set(['NodeLost', 'Shutdown', 'NodeShutdown', 'Terminated', 'Evicted']);

function condition(job: V1Job, type: string): { reason?: string; message?: string } | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

function trainerStatus(pod: V1Pod): V1ContainerStatus | undefined {
  return pod.status?.containerStatuses?.find((c) => c.name === TRAINER_CONTAINER);
}

function completionIndex(pod: V1Pod): number {
  const v = pod.metadata?.annotations?.[COMPLETION_INDEX_ANNOTATION];
  return v === undefined ? 0 : Number(v);
}

function terminated(pod: V1Pod): { exitCode: number; reason?: string } | undefined {
  const s = trainerStatus(pod);
  return s?.state?.terminated ?? s?.lastState?.terminated ?? undefined;
}

function disrupted(pod: V1Pod): string | undefined {
  const c = pod.status?.conditions?.find((x) => x.type === 'DisruptionTarget' && x.status === 'True');
  if (c !== undefined) return `pod ${pod.metadata?.name ?? '?'} was disrupted (${c.reason ?? 'DisruptionTarget'}${c.message ? `: ${c.message}` : ''})`;
  const reason = pod.status?.reason;
  if (reason !== undefined && NODE_LOST_REASONS.has(reason)) return `pod ${pod.metadata?.name ?? '?'} lost its node (${reason}${pod.status?.message ? `: ${pod.status.message}` : ''})`;
  return undefined;
}

function imagePullProblem(pods: readonly V1Pod[]): ImagePullProblem | undefined {
  for (const pod of pods) {
    const s = trainerStatus(pod);
    const waiting = s?.state?.waiting;
    if (waiting?.reason !== undefined && IMAGE_PULL_REASONS.has(waiting.reason)) {
      return { pod: pod.metadata?.name ?? '?', image: s?.image ?? '?', reason: waiting.reason, message: waiting.message ?? '', permanent: PERMANENT_IMAGE_REASONS.has(waiting.reason) };
    }
  }
  return undefined;
}

function unschedulable(pods: readonly V1Pod[]): string | undefined {
  for (const pod of pods) {
    const c = pod.status?.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'False' && x.reason === 'Unschedulable');
    if (c !== undefined) return c.message ?? 'no node fits the pod';
  }
  return undefined;
}

/** The trainer's exit code: rank 0's (it writes the events) when it has one, else any terminated pod's. */
function exitCode(pods: readonly V1Pod[]): { code: number; pod: string } | undefined {
  const done = pods
    .map((p) => ({ pod: p, t: terminated(p) }))
    .filter((x): x is { pod: V1Pod; t: { exitCode: number } } => x.t !== undefined)
    .sort((a, b) => completionIndex(a.pod) - completionIndex(b.pod));
  const failedFirst = [...done].sort((a, b) => Number(a.t.exitCode === 0) - Number(b.t.exitCode === 0));
  const pick = done.find((x) => completionIndex(x.pod) === 0 && x.t.exitCode !== 0) ?? failedFirst[0];
  return pick === undefined ? undefined : { code: pick.t.exitCode, pod: pick.pod.metadata?.name ?? '?' };
}

/** Pods not yet terminated: a resubmission waits for them, so two trainers never write one output directory. */
export function livePods(pods: readonly V1Pod[]): readonly V1Pod[] {
  return pods.filter((p) => p.status?.phase === 'Running' || p.status?.phase === 'Pending' || p.status?.phase === undefined);
}

/** What the Job and its pods say about the attempt. */
export function observeAttempt(job: V1Job, pods: readonly V1Pod[]): AttemptObservation {
  const complete = condition(job, 'Complete');
  if (complete !== undefined) return { phase: 'ended', end: { kind: 'exit', exitCode: 0, pod: exitCode(pods)?.pod } };
  // Not FailureTarget / SuccessCriteriaMet (1.31+): pods may still be terminating (checkpointing) until the final one.
  const failed = condition(job, 'Failed');
  if (failed !== undefined) return { phase: 'ended', end: failureOf(job, failed, pods) };
  const pull = imagePullProblem(pods);
  const why = unschedulable(pods);
  const extra = { ...(pull !== undefined ? { imagePull: pull } : {}), ...(why !== undefined ? { unschedulable: why } : {}) };
  if (job.spec?.suspend === true) return { phase: 'suspended', ...extra };
  const running = pods.some((p) => trainerStatus(p)?.state?.running !== undefined);
  return { phase: running ? 'running' : 'admitted', ...extra };
}

function failureOf(job: V1Job, failed: { reason?: string; message?: string }, pods: readonly V1Pod[]): AttemptEnd {
  const reason = failed.reason ?? '';
  const message = failed.message ?? '';
  if (reason === 'DeadlineExceeded') return { kind: 'deadline', seconds: job.spec?.activeDeadlineSeconds };
  const oom = pods.find((p) => terminated(p)?.reason === 'OOMKilled');
  if (oom !== undefined) {
    const limit = oom.spec?.containers.find((c) => c.name === TRAINER_CONTAINER)?.resources?.limits?.['memory'];
    return { kind: 'oom', pod: oom.metadata?.name ?? '?', memoryLimit: limit };
  }
  const disruption = pods.map(disrupted).find((d) => d !== undefined);
  if (disruption !== undefined) return { kind: 'preempted', detail: disruption };
  // The pods may be gone already (node deleted): the pod failure policy's message still names the condition.
  if (reason === 'PodFailurePolicy' && /DisruptionTarget/.test(message)) return { kind: 'preempted', detail: message };
  const exit = exitCode(pods);
  if (exit !== undefined) return { kind: 'exit', exitCode: exit.code, pod: exit.pod };
  // The Job and Pod watches are separate streams: the Job's Failed condition may arrive before the pod's terminated
  // state. The pod failure policy's message names both: "Container trainer for pod NS/NAME failed with exit code 2 …".
  const byPolicy = /for pod [^/\s]+\/(\S+) failed with exit code (\d+)/.exec(message);
  if (reason === 'PodFailurePolicy' && byPolicy !== null) return { kind: 'exit', exitCode: Number(byPolicy[2]), pod: byPolicy[1] };
  return { kind: 'failed', reason: reason || 'Failed', message };
}
