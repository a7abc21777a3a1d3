/**
 * Deciding what a Job's state means for the fine-tuning job: a trainer exit code goes to `onEnd` as the local
 * executor's does; a node preemption is resubmitted (up to `maxPreemptions`) on the run's placement; failures only the
 * platform sees (image pull, out of memory, deadline, too many preemptions) end the run with the trainer contract's
 * `failed` event; a Job failure nothing explains ends it without an exit code (the supervisor resumes).
 */
import type { V1Pod } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { RunEnd, RunListener, RunRequest } from '../executor';
import { parseTrainerEvent, TRAINER_EXIT, type FailedEvent } from '../trainer-contract';
import { TRAINER_CONTAINER } from './names';
import { livePods, type AttemptEnd, type AttemptObservation } from './observe';
import type { RunContext } from './run-context';
import type { RunFollower, RunOutcomeHandler } from './run-follower';
import type { Run } from './run-state';
import type { RunSubmitter } from './run-submitter';

/** Least wait for the pod watch before a Job failure nothing explains is reported as a lost run. */
const UNEXPLAINED_END_GRACE_MS = 2000;

export interface OutcomeLimits {
  /** Node preemptions a job survives. */
  readonly maxPreemptions: number;
  /** How long a pod may fail to pull its image before the job fails, ms. */
  readonly imagePullTimeoutMs: number;
}

export class RunOutcomes implements RunOutcomeHandler {
  constructor(
    private readonly ctx: RunContext,
    private readonly follower: RunFollower,
    private readonly submitter: RunSubmitter,
    private readonly limits: OutcomeLimits,
  ) {}

  failedEvent(code: string, message: string, param: string | null = null): FailedEvent {
    return { type: 'failed', time: this.ctx.now() / 1000, code, message, param };
  }

  /**
   * A start that could not be placed: told after start() returns (the supervisor may call start() while it holds the
   * job's lock, which its listener methods take too).
   */
  reportUnplaced(request: RunRequest, cursor: number, listener: RunListener, failed: FailedEvent): void {
    setImmediate(() => {
      listener
        .onEvents(request.jobId, [failed], cursor)
        .then(() => listener.onEnd(request.jobId, { exitCode: null, logTail: failed.message }))
        .catch((e: unknown) => this.ctx.log.error('reporting a placement failure failed', { job_id: request.jobId, error: String(e) }));
    });
  }

  async deleted(run: Run): Promise<void> {
    // By our cancel (foreground: its pods are gone), or by someone else (resume from the checkpoint).
    const exitCode = run.stopping ? TRAINER_EXIT.stopped : null;
    await this.finish(run, { exitCode, logTail: run.stopping ? 'cancelled: the Kubernetes Job was deleted' : `the Kubernetes Job ${run.jobName} was deleted` });
  }

  async observed(run: Run, obs: AttemptObservation, pods: readonly V1Pod[]): Promise<void> {
    if (obs.imagePull !== undefined && obs.end === undefined) {
      run.imagePullSince ??= this.ctx.now();
      const p = obs.imagePull;
      await this.follower.notice(run, `image-pull-${run.attempt}`, { level: 'warn', message: `The trainer image ${p.image} cannot be pulled (${p.reason}): ${p.message}`, data: { pod: p.pod, reason: p.reason } });
      const waited = this.ctx.now() - run.imagePullSince;
      if (p.permanent || waited >= this.limits.imagePullTimeoutMs) {
        await this.submitter.deleteAttempt(run.jobName);
        const why = p.permanent ? p.reason : `${p.reason} for ${Math.round(waited / 1000)} s`;
        await this.failRun(run, 'image_pull_failed', `The trainer image ${p.image} could not be pulled (${why}): ${p.message}`);
      }
      return;
    }
    run.imagePullSince = undefined;
    if (obs.end !== undefined) await this.ended(run, obs.end, pods);
  }

  private async ended(run: Run, end: AttemptEnd, pods: readonly V1Pod[]): Promise<void> {
    if (run.stopping) {
      await this.finish(run, { exitCode: end.kind === 'exit' ? end.exitCode : TRAINER_EXIT.stopped, logTail: 'cancelled' });
      return;
    }
    switch (end.kind) {
      case 'exit':
        await this.finish(run, end.exitCode === 0 ? { exitCode: 0, logTail: '' } : { exitCode: end.exitCode, ...(await this.podOutput(end.pod)) });
        return;
      case 'preempted':
        if (livePods(pods).length > 0) return; // the other pods are still checkpointing; wait for them
        await this.preempted(run, end.detail);
        return;
      case 'oom':
        await this.failRun(run, 'out_of_memory', `The trainer ran out of host memory (OOMKilled in pod ${end.pod}${end.memoryLimit !== undefined ? `, memory limit ${end.memoryLimit}` : ''}) on pool ${run.placement?.pool.name ?? '?'}; use a pool with more memory per GPU, a smaller batch size or context length.`);
        return;
      case 'deadline':
        await this.failRun(run, 'deadline_exceeded', `The job ran longer than its deadline (activeDeadlineSeconds ${end.seconds ?? '?'}) and was stopped; its last checkpoint is kept.`);
        return;
      case 'image-pull':
        await this.failRun(run, 'image_pull_failed', `The trainer image ${end.image} could not be pulled (${end.reason}): ${end.message}`);
        return;
      case 'failed':
        // The pods' final states may still be on their way (a separate watch): wait while any pod is live, and give
        // the pod watch a while (two polls, at least 2 s) to deliver a pod the failure counted.
        if (livePods(pods).length > 0) return;
        run.unexplainedEndSince ??= Date.now();
        if (Date.now() - run.unexplainedEndSince < Math.max(2 * this.ctx.pollMs, UNEXPLAINED_END_GRACE_MS)) return;
        // No exit code to go by (pods gone): resume from the last checkpoint, as for a lost process.
        await this.finish(run, { exitCode: null, logTail: `Kubernetes Job ${run.jobName} failed (${end.reason}): ${end.message}` });
        return;
    }
  }

  /**
   * The end of a failed pod's log, split as the local executor splits the trainer's two streams: JSON event lines
   * (stdout) are not log text, and a `failed` event there — the trainer writes an invalid spec's failure to stdout only,
   * before it knows its output directory — becomes the run's `failure`.
   */
  private async podOutput(pod: string | undefined): Promise<Pick<RunEnd, 'logTail' | 'failure'>> {
    if (pod === undefined) return { logTail: '' };
    const lines = (await this.ctx.api().podLogTail(this.ctx.settings.namespace, pod, TRAINER_CONTAINER, 200)).split('\n');
    const text: string[] = [];
    let failure: RunEnd['failure'];
    for (const line of lines) {
      const event = line.trim().startsWith('{') ? parseTrainerEvent(line) : undefined;
      if (event === undefined) text.push(line);
      else if (event.type === 'failed') failure = { code: event.code, message: event.message, param: event.param ?? null };
    }
    return { logTail: text.slice(-20).join('\n').trim(), ...(failure !== undefined ? { failure } : {}) };
  }

  /** A node preemption: the next attempt on the same placement, counted on the Job, up to `maxPreemptions`. */
  private async preempted(run: Run, detail: string): Promise<void> {
    const count = run.preemptions + 1;
    const max = this.limits.maxPreemptions;
    if (count > max) {
      await this.failRun(run, 'preempted', `The job's nodes were preempted ${count} times (last: ${detail}); giving up after ${max} resubmissions.`);
      return;
    }
    const old = run.jobName;
    await this.follower.relay(run);
    await this.follower.notice(run, `preempted-${run.attempt}`, {
      level: 'warn',
      message: `Node preempted (${detail}); resubmitting to resume from the last checkpoint (preemption ${count} of at most ${max})`,
      data: { k8s_job: old, preemptions: count },
    });
    run.preemptions = count;
    run.attempt += 1;
    try {
      await this.submitter.deleteAttempt(old);
      await this.submitter.createAttempt(run);
    } catch (err) {
      // The supervisor resumes a run that ended without an exit code: its start() creates the next attempt.
      await this.finish(run, { exitCode: null, logTail: `could not resubmit after a preemption: ${String(err)}` });
    }
  }

  /** Ends the run with a failure only the platform sees, as the trainer contract's `failed` event. */
  private async failRun(run: Run, code: string, message: string): Promise<void> {
    if (run.ended) return;
    await this.follower.relay(run);
    await run.listener.onEvents(run.jobId, [this.failedEvent(code, message)], run.cursor);
    await this.finish(run, { exitCode: null, logTail: message });
  }

  private async finish(run: Run, end: RunEnd): Promise<void> {
    if (run.ended) return;
    await this.follower.relay(run, true);
    run.ended = true;
    this.follower.forget(run);
    this.ctx.log.info('Kubernetes Job ended', { job_id: run.jobId, k8s_job: run.jobName, exit_code: end.exitCode });
    await run.listener.onEnd(run.jobId, end);
  }
}
