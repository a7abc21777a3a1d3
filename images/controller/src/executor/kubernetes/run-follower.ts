/**
 * Following runs: one Job informer and one Pod informer on the namespace, the bucket's `events.jsonl` read every
 * `pollMs`, the trainer's events relayed to the listener with their cursor, and what Kueue and the scheduler do told as
 * notices. What a Job's end means is not decided here: `RunOutcomeHandler` (run-outcomes.ts) decides.
 */
import type { V1Job, V1Pod } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { KUEUE_LOCAL_QUEUE } from '../../../../../constructs/platform';
import { readBlobEventsAfter } from './blob-events';
import type { ObjectInformer } from './kube-api';
import { ATTEMPT_LABEL, JOB_ID_LABEL, labelValue, MANAGED_SELECTOR } from './names';
import { observeAttempt, type AttemptObservation } from './observe';
import type { RunContext } from './run-context';
import { acceptsNotices, eventsKey, type Run, type RunNotice } from './run-state';

/** What the follower hands on once it has looked at a run's Job. */
export interface RunOutcomeHandler {
  /** The run's Job is gone from the cache after it was seen (deleted by a cancel, or by someone else). */
  deleted(run: Run): Promise<void>;
  /** The run's Job and pods as they are now (phase notices already told). */
  observed(run: Run, observation: AttemptObservation, pods: readonly V1Pod[]): Promise<void>;
}

export class RunFollower {
  private readonly runs = new Map<string, Run>();
  /** Label value of `vpctune.dev/job-id` → job id. */
  private readonly byLabel = new Map<string, string>();
  private informers: { jobs: ObjectInformer<V1Job>; pods: ObjectInformer<V1Pod> } | undefined;
  private informersStarting: Promise<void> | undefined;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private closed = false;
  /** Set once by the executor (the outcome handler needs the follower too). */
  outcomes: RunOutcomeHandler | undefined;

  constructor(private readonly ctx: RunContext) {}

  get(jobId: string): Run | undefined {
    return this.runs.get(jobId);
  }

  get size(): number {
    return this.runs.size;
  }

  /** Starts following a run: informer events and a poll of its events every `pollMs`. */
  follow(run: Run): void {
    this.closed = false;
    this.runs.set(run.jobId, run);
    this.byLabel.set(labelValue(run.jobId), run.jobId);
    run.timer = setInterval(() => this.schedule(run, true), this.ctx.pollMs);
    run.timer.unref();
  }

  forget(run: Run): void {
    if (run.timer !== undefined) clearInterval(run.timer);
    if (this.runs.get(run.jobId) === run) {
      this.runs.delete(run.jobId);
      this.byLabel.delete(labelValue(run.jobId));
    }
  }

  /** Queues an evaluation of the run behind the previous one (one at a time per run). */
  schedule(run: Run, readEvents: boolean): void {
    run.chain = run.chain
      .then(() => this.evaluate(run, readEvents))
      .catch((err: unknown) => this.ctx.log.error('following the Kubernetes Job failed', { job_id: run.jobId, k8s_job: run.jobName, error: String(err) }));
  }

  /** Runs `work` on the run's queue after what is queued now (not awaited by the caller). */
  later(run: Run, work: () => Promise<void>): void {
    run.chain = run.chain.then(work).catch((err: unknown) => this.ctx.log.error('telling the listener failed', { job_id: run.jobId, error: String(err) }));
  }

  /**
   * Relays new events. While the attempt runs, a `finished` event (and what follows) is held back: the trainer pushes
   * its output directory file by file, `events.jsonl` before `manifest.json`, and the supervisor reads the manifest and
   * the adapter as soon as it hears `finished`. The trainer exits after its last push, so once the Job has ended
   * (`final`) everything is there.
   */
  async relay(run: Run, final = false): Promise<void> {
    const read = await readBlobEventsAfter(this.ctx.storage, eventsKey(run.request), run.cursor);
    const held = final ? -1 : read.events.findIndex((e) => e.type === 'finished');
    const events = held === -1 ? read.events : read.events.slice(0, held);
    const cursor = held === -1 ? read.cursor : held === 0 ? run.cursor : (read.ends[held - 1] as number);
    if (events.length > 0) {
      await run.listener.onEvents(run.jobId, events, cursor);
      run.cursor = cursor;
    }
  }

  /** Tells a notice once per key: to the log, and to the listener when it takes notices. */
  async notice(run: Run, key: string, notice: RunNotice): Promise<void> {
    if (run.noticed.has(key)) return;
    run.noticed.add(key);
    this.ctx.log[notice.level === 'error' ? 'error' : notice.level === 'warn' ? 'warn' : 'info'](notice.message, { job_id: run.jobId, ...(notice.data ?? {}) });
    if (acceptsNotices(run.listener)) await run.listener.onNotice(run.jobId, notice);
  }

  private podsOf(run: Run): readonly V1Pod[] {
    return (this.informers?.pods.list() ?? []).filter((p) => p.metadata?.labels?.[JOB_ID_LABEL] === labelValue(run.jobId) && Number(p.metadata?.labels?.[ATTEMPT_LABEL]) === run.attempt);
  }

  private async evaluate(run: Run, readEvents: boolean): Promise<void> {
    if (run.ended || this.runs.get(run.jobId) !== run || run.jobName === '') return;
    const outcomes = this.outcomes;
    if (outcomes === undefined) throw new Error('internal: the run follower has no outcome handler');
    if (readEvents) await this.relay(run);
    const job = this.informers?.jobs.list().find((j) => j.metadata?.name === run.jobName);
    if (job === undefined) {
      if (run.seen) await outcomes.deleted(run); // else: created a moment ago; the informer has not delivered it yet
      return;
    }
    run.seen = true;
    if (job.metadata?.deletionTimestamp !== undefined && job.metadata.deletionTimestamp !== null && !run.stopping) run.stopping = true;
    const pods = this.podsOf(run);
    const observation = observeAttempt(job, pods);
    await this.noticePhase(run, observation);
    await outcomes.observed(run, observation, pods);
  }

  private async noticePhase(run: Run, obs: AttemptObservation): Promise<void> {
    const pool = run.placement?.pool.name ?? run.adoptedPool ?? '?';
    const job = { k8s_job: run.jobName };
    if (run.lastPhase === undefined && run.adopted) {
      // Adopted after a controller restart: what happened before was told by the previous process.
      for (const key of obs.phase === 'suspended' ? ['suspended'] : obs.phase === 'admitted' ? ['suspended', 'admitted'] : ['suspended', 'admitted', 'running']) run.noticed.add(`${key}-${run.attempt}`);
      await this.notice(run, `adopted-${run.attempt}`, { level: 'info', message: `Following Kubernetes Job ${run.jobName} again after a controller restart (${obs.phase})`, data: job });
    }
    if (obs.phase === 'suspended') {
      await this.notice(run, `suspended-${run.attempt}`, { level: 'info', message: `Waiting for Kueue to admit Kubernetes Job ${run.jobName} (queue ${KUEUE_LOCAL_QUEUE}, pool ${pool})`, data: job });
    } else if (obs.phase === 'admitted' || obs.phase === 'running') {
      if (run.lastPhase === 'suspended' || (run.lastPhase === undefined && this.ctx.settings.kueue)) {
        await this.notice(run, `admitted-${run.attempt}-${run.requeues}`, { level: 'info', message: `Kueue admitted Kubernetes Job ${run.jobName}; starting its pods on pool ${pool}`, data: job });
      }
      if (obs.unschedulable !== undefined) {
        await this.notice(run, `unschedulable-${run.attempt}`, { level: 'info', message: `Waiting for a node of pool ${pool}: ${obs.unschedulable}`, data: job });
      }
      if (obs.phase === 'running') await this.notice(run, `running-${run.attempt}-${run.requeues}`, { level: 'info', message: `Trainer running (Kubernetes Job ${run.jobName})`, data: job });
    }
    // Kueue took the quota back (a higher-priority workload): it suspends the Job, whose pods checkpoint on SIGTERM.
    if (obs.phase === 'suspended' && (run.lastPhase === 'admitted' || run.lastPhase === 'running')) {
      run.requeues += 1;
      await this.notice(run, `requeued-${run.attempt}-${run.requeues}`, { level: 'warn', message: `Kueue suspended Kubernetes Job ${run.jobName} to free quota; it resumes from its last checkpoint when admitted again`, data: job });
    }
    run.lastPhase = obs.phase;
  }

  // --- informers ---

  async ensureInformers(): Promise<void> {
    await this.ctx.connected();
    if (this.informersStarting !== undefined) return this.informersStarting;
    const onEvent = (obj: V1Job | V1Pod): void => {
      const jobId = this.byLabel.get(obj.metadata?.labels?.[JOB_ID_LABEL] ?? '');
      const run = jobId === undefined ? undefined : this.runs.get(jobId);
      if (run !== undefined) this.schedule(run, false);
    };
    const api = this.ctx.api();
    const ns = this.ctx.settings.namespace;
    const jobs = api.jobInformer(ns, MANAGED_SELECTOR, (_v, o) => onEvent(o), (err) => this.watchFailed('jobs', err));
    const pods = api.podInformer(ns, MANAGED_SELECTOR, (_v, o) => onEvent(o), (err) => this.watchFailed('pods', err));
    this.informers = { jobs, pods };
    this.informersStarting = Promise.all([jobs.start(), pods.start()]).then(() => undefined);
    return this.informersStarting;
  }

  /** An informer whose list or watch failed stops; start it again after a pause (it resumes from its resourceVersion). */
  private watchFailed(kind: 'jobs' | 'pods', err: unknown): void {
    if (this.closed || this.informers === undefined) return;
    const informer = this.informers[kind];
    this.ctx.log.warn('Kubernetes watch failed; retrying', { kind, error: String(err), retry_ms: this.ctx.watchRetryMs });
    const t = setTimeout(() => {
      this.retryTimers.delete(t);
      if (this.closed || this.informers?.[kind] !== informer) return;
      informer.start().catch((e: unknown) => this.watchFailed(kind, e));
    }, this.ctx.watchRetryMs);
    t.unref();
    this.retryTimers.add(t);
  }

  /** Stops following every run and stops the informers (the Jobs keep running). */
  async detachAll(): Promise<void> {
    this.closed = true;
    for (const run of this.runs.values()) if (run.timer !== undefined) clearInterval(run.timer);
    this.runs.clear();
    this.byLabel.clear();
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    const informers = this.informers;
    this.informers = undefined;
    this.informersStarting = undefined;
    if (informers !== undefined) await Promise.all([informers.jobs.stop(), informers.pods.stop()]);
  }
}
