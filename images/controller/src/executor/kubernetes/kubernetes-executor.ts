import type { V1Job, V1Pod } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { findModel, modelFromConfig, type ModelSpec } from '../../../../../constructs/estimate';
import { KUEUE_LOCAL_QUEUE, POOL_LABEL } from '../../../../../constructs/platform';
import type { Logger } from '../../ops/logger';
import type { BlobStorage } from '../../storage/blob-storage';
import type { Executor, RunEnd, RunListener, RunRequest } from '../executor';
import { parseTrainerEvent, TRAINER_EXIT, type FailedEvent, type TrainerEvent } from '../trainer-contract';
import { readBlobEventsAfter } from './blob-events';
import { KubeApi, type KubeConnection, type ObjectInformer } from './kube-api';
import { buildRunManifests, type RunManifests } from './manifests';
import { ATTEMPT_LABEL, JOB_ID_LABEL, jobSelector, labelValue, MANAGED_SELECTOR, PREEMPTIONS_ANNOTATION, TRAINER_CONTAINER } from './names';
import { livePods, observeAttempt, type AttemptEnd, type AttemptObservation } from './observe';
import { choosePlacement, placedRunSeconds, PlacementError, type Placement, type PlacementRequest } from './placement';
import { settingsProblems, type KubernetesRunSettings } from './settings';

/** A platform event about a run that is not a trainer event (Kueue admission, image pulls, preemption). */
export interface RunNotice {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** Listeners that also implement `onNotice` get platform events as job events; others see them in the log only. */
export interface RunNoticeListener extends RunListener {
  onNotice(jobId: string, notice: RunNotice): Promise<void>;
}

function acceptsNotices(l: RunListener): l is RunNoticeListener {
  return typeof (l as Partial<RunNoticeListener>).onNotice === 'function';
}

export interface KubernetesExecutorOptions {
  readonly settings: KubernetesRunSettings;
  /** How often a followed run's events.jsonl is read from the bucket (and the run re-checked). @default 5000 */
  readonly pollMs?: number;
  /** Node preemptions a job survives; each resubmits it to resume from its last checkpoint. @default 5 */
  readonly maxPreemptions?: number;
  /** How long a pod may fail to pull its image (ImagePullBackOff) before the job fails. @default 300000 */
  readonly imagePullTimeoutMs?: number;
  /** Wait before an informer whose watch failed starts again (it resumes from its resourceVersion). @default 2000 */
  readonly watchRetryMs?: number;
  /** The base model's architecture, for placement. @default - the estimator's catalog, then `models/<id>/config.json` in storage */
  readonly modelSpec?: (modelId: string) => Promise<ModelSpec | undefined>;
  /** @default Date.now */
  readonly now?: () => number;
}

interface Run {
  readonly jobId: string;
  readonly request: RunRequest;
  readonly listener: RunListener;
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
  /** The pool label of an adopted Job (its placement is recomputed only to resubmit). */
  adoptedPool: string | undefined;
  timer: NodeJS.Timeout | undefined;
  chain: Promise<void>;
}

/** Least wait for the pod watch before a Job failure nothing explains is reported as a lost run. */
const UNEXPLAINED_END_GRACE_MS = 2000;

const ATTEMPT_OF = (job: V1Job): number => Number(job.metadata?.labels?.[ATTEMPT_LABEL] ?? '0') || 0;
const PREEMPTIONS_OF = (job: V1Job): number => Number(job.metadata?.annotations?.[PREEMPTIONS_ANNOTATION] ?? '0') || 0;

function isComplete(job: V1Job): boolean {
  return (job.status?.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True');
}

function isFinished(job: V1Job): boolean {
  return (job.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/** `models/<id>/` → `<id>`. */
export function modelIdOf(baseModelKey: string): string {
  return baseModelKey.replace(/^models\//, '').replace(/\/+$/, '');
}

/** The pool named in the request's `adapter.pool` extension field, if any. */
export function requestedPoolOf(request: RunRequest): unknown {
  return (request.spec.adapter as { readonly pool?: unknown }).pool;
}

/** What placement and the run-time estimate read from a request: the adapter and, when the spec fixes it, the context length. */
function trainingShapeOf(request: RunRequest): Pick<PlacementRequest, 'adapter' | 'contextLength'> {
  return { adapter: request.spec.adapter, ...(typeof request.spec.context_length === 'number' ? { contextLength: request.spec.context_length } : {}) };
}

/** Placement of a run request on the platform's pools (the executor and `vpctune jobs render` share it). */
export function placeRun(request: RunRequest, settings: KubernetesRunSettings, model: ModelSpec | undefined): Placement {
  const requestedPool = requestedPoolOf(request);
  if (requestedPool !== undefined && typeof requestedPool !== 'string') {
    throw new PlacementError('adapter.pool', `Invalid 'adapter.pool': ${JSON.stringify(requestedPool)}; allowed: the name of a GPU pool: ${settings.pools.map((p) => p.name).join(', ')}.`);
  }
  return choosePlacement({
    pools: settings.pools,
    model,
    modelId: modelIdOf(request.spec.base_model),
    ...trainingShapeOf(request),
    ...(requestedPool !== undefined ? { requestedPool } : {}),
  });
}

/**
 * Runs the trainer as Kubernetes Jobs on the platform's GPU pools (issue 6): one Job per attempt, placed by
 * `choosePlacement`, built by `buildRunManifests`, admitted by Kueue, followed through informers on the namespace's
 * Jobs and Pods, with the trainer's events read from `jobs/<id>/output/events.jsonl` in the bucket.
 *
 * How Kubernetes outcomes reach the job: trainer exit codes go to `onEnd` as the local executor's do (0 finished,
 * 2 invalid, 75 stopped at a checkpoint → the supervisor resumes); a lost Job ends with a null exit code (resumed);
 * failures only the platform sees (image pull, out of memory, deadline, too many preemptions, no pool fits) are a
 * `failed` event — the trainer contract's terminal failure — with their own code and message. Node preemptions are
 * resubmitted here, counted on the Job (`vpctune.dev/preemptions`), up to `maxPreemptions`.
 */
export class KubernetesExecutor implements Executor {
  readonly kind = 'kubernetes';
  private readonly runs = new Map<string, Run>();
  /** Label value of `vpctune.dev/job-id` → job id. */
  private readonly byLabel = new Map<string, string>();
  private informers: { jobs: ObjectInformer<V1Job>; pods: ObjectInformer<V1Pod> } | undefined;
  private informersStarting: Promise<void> | undefined;
  private retryTimers = new Set<NodeJS.Timeout>();
  private closed = false;
  private readonly pollMs: number;
  private readonly maxPreemptions: number;
  private readonly imagePullTimeoutMs: number;
  private readonly watchRetryMs: number;
  private readonly now: () => number;
  private readonly settings: KubernetesRunSettings;

  private apiValue: KubeApi | undefined;
  private apiPromise: Promise<KubeApi> | undefined;

  /** `api`: a connected client, or how to connect one on first use (the platform's executor factory is synchronous). */
  constructor(
    api: KubeApi | (() => Promise<KubeApi>),
    private readonly storage: BlobStorage,
    private readonly options: KubernetesExecutorOptions,
    private readonly log: Logger,
  ) {
    if (api instanceof KubeApi) this.apiValue = api;
    else this.connectApi = api;
    const problems = settingsProblems(options.settings);
    if (problems.length > 0) throw new Error(`Kubernetes executor settings: ${problems.join('; ')}`);
    this.settings = options.settings;
    this.pollMs = options.pollMs ?? 5000;
    this.maxPreemptions = options.maxPreemptions ?? 5;
    this.imagePullTimeoutMs = options.imagePullTimeoutMs ?? 300_000;
    this.watchRetryMs = options.watchRetryMs ?? 2000;
    this.now = options.now ?? Date.now;
  }

  private connectApi: (() => Promise<KubeApi>) | undefined;

  /** Connects to the API server (in-cluster, a kubeconfig file, or a given KubeConfig). */
  static async connect(storage: BlobStorage, options: KubernetesExecutorOptions, log: Logger, connection: KubeConnection = {}): Promise<KubernetesExecutor> {
    return new KubernetesExecutor(await KubeApi.connect(connection), storage, options, log);
  }

  /**
   * A factory for `PlatformOptions.executor` (images/controller/src/platform/platform.ts): the client connects on first
   * use. Kueue does the queueing on a cluster, so give the supervisor a `maxConcurrentJobs` as large as the quotas.
   */
  static factory(options: KubernetesExecutorOptions, connection: KubeConnection = {}): (storage: BlobStorage, log: Logger) => KubernetesExecutor {
    return (storage, log) => new KubernetesExecutor(() => KubeApi.connect(connection), storage, options, log);
  }

  /** The API client, connected on first use. */
  private get api(): KubeApi {
    if (this.apiValue === undefined) throw new Error('internal: Kubernetes API used before connecting');
    return this.apiValue;
  }

  private async connected(): Promise<void> {
    if (this.apiValue !== undefined) return;
    if (this.connectApi === undefined) throw new Error('internal: no way to connect to the Kubernetes API');
    this.apiPromise ??= this.connectApi();
    try {
      this.apiValue = await this.apiPromise;
    } catch (err) {
      this.apiPromise = undefined;
      throw err;
    }
  }

  private get namespace(): string {
    return this.settings.namespace;
  }

  // --- placement and manifests ---

  private async modelSpec(modelId: string): Promise<ModelSpec | undefined> {
    if (this.options.modelSpec !== undefined) return this.options.modelSpec(modelId);
    const known = findModel(modelId);
    if (known !== undefined) return known;
    const key = `models/${modelId}/config.json`;
    try {
      if ((await this.storage.stat(key)) === undefined) return undefined;
      const chunks: Buffer[] = [];
      for await (const c of await this.storage.get(key)) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
      return modelFromConfig(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>, modelId, `storage:${key}`);
    } catch (err) {
      this.log.warn('no memory estimate for the base model', { model: modelId, error: String(err) });
      return undefined;
    }
  }

  /** Pool and shape of a run. */
  async place(request: RunRequest): Promise<Placement> {
    return placeRun(request, this.settings, await this.modelSpec(modelIdOf(request.spec.base_model)));
  }

  /**
   * Seconds the run would take on the pool placement gives it (the estimator's throughput model); undefined when the
   * estimator does not know the base model or no pool can hold the job (the start then fails with the reason).
   */
  async estimateRunSeconds(request: RunRequest, trainedTokens: number): Promise<number | undefined> {
    const model = await this.modelSpec(modelIdOf(request.spec.base_model));
    if (model === undefined) return undefined;
    let placement: Placement;
    try {
      placement = placeRun(request, this.settings, model);
    } catch (err) {
      if (err instanceof PlacementError) return undefined;
      throw err;
    }
    return placedRunSeconds(placement, model, trainingShapeOf(request), trainedTokens);
  }

  /** The objects attempt `attempt` of a request consists of (what `vpctune jobs render` prints). */
  manifests(request: RunRequest, placement: Placement, attempt = 1, preemptions = 0, owner?: { name: string; uid: string }): RunManifests {
    return buildRunManifests({ jobId: request.jobId, projectId: request.projectId, spec: request.spec, placement, attempt, preemptions, ...(owner !== undefined ? { owner } : {}) }, this.settings);
  }

  // --- Executor ---

  async start(request: RunRequest, cursor: number, listener: RunListener): Promise<string> {
    const existing = this.runs.get(request.jobId);
    if (existing !== undefined) return this.ref(existing);
    await this.ensureInformers();
    const jobs = await this.api.listJobs(this.namespace, jobSelector(request.jobId));
    const latest = [...jobs].sort((a, b) => ATTEMPT_OF(b) - ATTEMPT_OF(a))[0];
    if (latest !== undefined && (!isFinished(latest) || isComplete(latest))) {
      // A Job of this fine-tuning job is live (a previous controller created it): follow it, never create a second.
      // One that completed is followed too (its end is reported), rather than training the job again.
      const run = this.newRun(request, cursor, listener, latest);
      this.follow(run);
      if (!isFinished(latest)) await this.ensureOwned(run, latest);
      else this.schedule(run, true);
      this.log.info('adopted the Kubernetes Job of the job', { job_id: request.jobId, k8s_job: run.jobName, complete: isComplete(latest) });
      return this.ref(run);
    }
    let placement: Placement;
    try {
      placement = await this.place(request);
    } catch (err) {
      if (!(err instanceof PlacementError)) throw err;
      // Told after start() returns: the supervisor may call start() while it holds the job's lock (a resume).
      const failed = this.failedEvent(err.param === 'adapter.pool' ? 'invalid_pool' : 'no_pool_fits', err.message, err.param);
      setImmediate(() => {
        listener
          .onEvents(request.jobId, [failed], cursor)
          .then(() => listener.onEnd(request.jobId, { exitCode: null, logTail: err.message }))
          .catch((e: unknown) => this.log.error('reporting a placement failure failed', { job_id: request.jobId, error: String(e) }));
      });
      return JSON.stringify({ job: null, error: err.message });
    }
    const run = this.newRun(request, cursor, listener, undefined);
    run.placement = placement;
    run.attempt = latest !== undefined ? ATTEMPT_OF(latest) + 1 : 1;
    run.preemptions = latest !== undefined ? PREEMPTIONS_OF(latest) : 0;
    this.follow(run);
    try {
      await this.createAttempt(run);
    } catch (err) {
      this.forget(run);
      throw err;
    }
    return this.ref(run);
  }

  async attach(request: RunRequest, cursor: number, listener: RunListener): Promise<boolean> {
    if (this.runs.has(request.jobId)) return true;
    await this.ensureInformers();
    const jobs = await this.api.listJobs(this.namespace, jobSelector(request.jobId));
    const latest = [...jobs].sort((a, b) => ATTEMPT_OF(b) - ATTEMPT_OF(a))[0];
    if (latest === undefined) {
      const { events, cursor: next } = await readBlobEventsAfter(this.storage, this.eventsKey(request), cursor);
      if (events.length > 0) await listener.onEvents(request.jobId, events, next);
      await listener.onEnd(request.jobId, { exitCode: null, logTail: 'no Kubernetes Job of this job exists any more' });
      return false;
    }
    // Follow it even when it has ended: the next evaluation relays the rest of its events and reports how it ended.
    const run = this.newRun(request, cursor, listener, latest);
    this.follow(run);
    if (!isFinished(latest)) await this.ensureOwned(run, latest);
    this.log.info('re-adopted the Kubernetes Job of the job', { job_id: request.jobId, k8s_job: run.jobName, finished: isFinished(latest) });
    this.schedule(run, true);
    return !isFinished(latest);
  }

  async stop(jobId: string): Promise<void> {
    await this.connected();
    const run = this.runs.get(jobId);
    const names = run !== undefined ? [run.jobName] : (await this.api.listJobs(this.namespace, jobSelector(jobId))).filter((j) => !isFinished(j)).map((j) => j.metadata?.name ?? '');
    if (run !== undefined) run.stopping = true;
    for (const name of names.filter((n) => n !== '')) {
      // Foreground: the Job stays until its pods are gone; each pod gets SIGTERM and terminationGracePeriodSeconds to
      // checkpoint and exit 75 before SIGKILL.
      await this.api.deleteJob(this.namespace, name, 'Foreground');
      this.log.info('deleting the Kubernetes Job (foreground) to cancel the job', { job_id: jobId, k8s_job: name, grace_seconds: this.settings.terminationGracePeriodSeconds });
    }
  }

  activeRuns(): number {
    return this.runs.size;
  }

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

  // --- following runs ---

  private newRun(request: RunRequest, cursor: number, listener: RunListener, job: V1Job | undefined): Run {
    return {
      jobId: request.jobId,
      request,
      listener,
      placement: undefined,
      attempt: job !== undefined ? ATTEMPT_OF(job) : 1,
      preemptions: job !== undefined ? PREEMPTIONS_OF(job) : 0,
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

  private ref(run: Run): string {
    return JSON.stringify({ job: run.jobName, attempt: run.attempt, namespace: this.namespace, ...(run.placement !== undefined ? { pool: run.placement.pool.name, nodes: run.placement.nodes, gpus_per_node: run.placement.gpusPerPod } : {}) });
  }

  private eventsKey(request: RunRequest): string {
    const dir = request.spec.output_dir.endsWith('/') ? request.spec.output_dir : `${request.spec.output_dir}/`;
    return `${dir}events.jsonl`;
  }

  private follow(run: Run): void {
    this.closed = false;
    this.runs.set(run.jobId, run);
    this.byLabel.set(labelValue(run.jobId), run.jobId);
    run.timer = setInterval(() => this.schedule(run, true), this.pollMs);
    run.timer.unref();
  }

  private forget(run: Run): void {
    if (run.timer !== undefined) clearInterval(run.timer);
    if (this.runs.get(run.jobId) === run) {
      this.runs.delete(run.jobId);
      this.byLabel.delete(labelValue(run.jobId));
    }
  }

  /** Creates the Job of `run.attempt` (suspended for Kueue), then its ConfigMap and Service owned by it. */
  private async createAttempt(run: Run): Promise<void> {
    const placement = run.placement ?? (run.placement = await this.place(run.request));
    const draft = this.manifests(run.request, placement, run.attempt, run.preemptions);
    run.jobName = draft.job.metadata?.name ?? '';
    run.seen = false;
    run.adopted = false;
    run.unexplainedEndSince = undefined;
    run.lastPhase = undefined;
    run.imagePullSince = undefined;
    let job: V1Job;
    try {
      job = await this.api.createJob(this.namespace, draft.job);
    } catch (err) {
      if (KubeApi.statusOf(err) !== 409) throw err;
      // Another controller process created this attempt a moment ago: adopt it.
      const found = (await this.api.listJobs(this.namespace, jobSelector(run.jobId))).find((j) => j.metadata?.name === run.jobName);
      if (found === undefined) throw err;
      job = found;
    }
    const owned = this.manifests(run.request, placement, run.attempt, run.preemptions, { name: run.jobName, uid: job.metadata?.uid ?? '' });
    await this.api.ensureConfigMap(this.namespace, owned.configMap);
    if (owned.service !== undefined) await this.api.ensureService(this.namespace, owned.service);
    this.log.info('created the Kubernetes Job', { job_id: run.jobId, k8s_job: run.jobName, attempt: run.attempt, pool: placement.pool.name, nodes: placement.nodes, gpus_per_node: placement.gpusPerPod });
    // Queued behind the run's evaluations, never awaited here: start() may run under the supervisor's job lock, which
    // the listener's onNotice takes too.
    const created: RunNotice = {
      level: 'info',
      message: `Created Kubernetes Job ${run.jobName} on GPU pool ${placement.pool.name} (${placement.nodes} node${placement.nodes === 1 ? '' : 's'} x ${placement.gpusPerPod} ${placement.pool.gpu} GPU${placement.gpusPerPod === 1 ? '' : 's'})`,
      data: { k8s_job: run.jobName, attempt: run.attempt, pool: placement.pool.name, nodes: placement.nodes, gpus_per_node: placement.gpusPerPod, placement: placement.reason },
    };
    const key = `attempt-${run.attempt}-created`;
    this.later(run, () => this.notice(run, key, created));
  }

  /** Runs `work` on the run's queue after what is queued now (not awaited by the caller). */
  private later(run: Run, work: () => Promise<void>): void {
    run.chain = run.chain.then(work).catch((err: unknown) => this.log.error('telling the listener failed', { job_id: run.jobId, error: String(err) }));
  }

  /**
   * An adopted Job's ConfigMap and Service exist (a controller that died between creating the Job and them would
   * otherwise leave its pods waiting for the spec forever); existing ones are kept as they are.
   */
  private async ensureOwned(run: Run, job: V1Job): Promise<void> {
    try {
      const placement = run.placement ?? (run.placement = await this.place(run.request));
      const owned = this.manifests(run.request, placement, run.attempt, run.preemptions, { name: run.jobName, uid: job.metadata?.uid ?? '' });
      await this.api.ensureConfigMap(this.namespace, owned.configMap);
      if (owned.service !== undefined) await this.api.ensureService(this.namespace, owned.service);
    } catch (err) {
      this.log.warn('could not check the adopted Job\'s ConfigMap and Service', { job_id: run.jobId, k8s_job: run.jobName, error: String(err) });
    }
  }

  /** Queues an evaluation of the run behind the previous one (one at a time per run). */
  private schedule(run: Run, readEvents: boolean): void {
    run.chain = run.chain
      .then(() => this.evaluate(run, readEvents))
      .catch((err: unknown) => this.log.error('following the Kubernetes Job failed', { job_id: run.jobId, k8s_job: run.jobName, error: String(err) }));
  }

  /**
   * Relays new events. While the attempt runs, a `finished` event (and what follows) is held back: the trainer pushes
   * its output directory file by file, `events.jsonl` before `manifest.json`, and the supervisor reads the manifest and
   * the adapter as soon as it hears `finished`. The trainer exits after its last push, so once the Job has ended
   * (`final`) everything is there.
   */
  private async relay(run: Run, final = false): Promise<void> {
    const read = await readBlobEventsAfter(this.storage, this.eventsKey(run.request), run.cursor);
    const held = final ? -1 : read.events.findIndex((e) => e.type === 'finished');
    const events = held === -1 ? read.events : read.events.slice(0, held);
    const cursor = held === -1 ? read.cursor : held === 0 ? run.cursor : (read.ends[held - 1] as number);
    if (events.length > 0) {
      await run.listener.onEvents(run.jobId, events, cursor);
      run.cursor = cursor;
    }
  }

  private async notice(run: Run, key: string, notice: RunNotice): Promise<void> {
    if (run.noticed.has(key)) return;
    run.noticed.add(key);
    this.log[notice.level === 'error' ? 'error' : notice.level === 'warn' ? 'warn' : 'info'](notice.message, { job_id: run.jobId, ...(notice.data ?? {}) });
    if (acceptsNotices(run.listener)) await run.listener.onNotice(run.jobId, notice);
  }

  private failedEvent(code: string, message: string, param: string | null = null): FailedEvent {
    return { type: 'failed', time: this.now() / 1000, code, message, param };
  }

  private podsOf(run: Run): readonly V1Pod[] {
    return (this.informers?.pods.list() ?? []).filter((p) => p.metadata?.labels?.[JOB_ID_LABEL] === labelValue(run.jobId) && Number(p.metadata?.labels?.[ATTEMPT_LABEL]) === run.attempt);
  }

  private async evaluate(run: Run, readEvents: boolean): Promise<void> {
    if (run.ended || this.runs.get(run.jobId) !== run || run.jobName === '') return;
    if (readEvents) await this.relay(run);
    const job = this.informers?.jobs.list().find((j) => j.metadata?.name === run.jobName);
    if (job === undefined) {
      if (!run.seen) return; // created a moment ago; the informer has not delivered it yet
      // Deleted: by our cancel (foreground: its pods are gone), or by someone else (resume from the checkpoint).
      const exit = run.stopping ? TRAINER_EXIT.stopped : null;
      await this.finish(run, { exitCode: exit, logTail: run.stopping ? 'cancelled: the Kubernetes Job was deleted' : `the Kubernetes Job ${run.jobName} was deleted` });
      return;
    }
    run.seen = true;
    if (job.metadata?.deletionTimestamp !== undefined && job.metadata.deletionTimestamp !== null && !run.stopping) run.stopping = true;
    const pods = this.podsOf(run);
    const obs = observeAttempt(job, pods);
    await this.noticePhase(run, obs);
    if (obs.imagePull !== undefined && obs.end === undefined) {
      run.imagePullSince ??= this.now();
      const p = obs.imagePull;
      await this.notice(run, `image-pull-${run.attempt}`, { level: 'warn', message: `The trainer image ${p.image} cannot be pulled (${p.reason}): ${p.message}`, data: { pod: p.pod, reason: p.reason } });
      const waited = this.now() - run.imagePullSince;
      if (p.permanent || waited >= this.imagePullTimeoutMs) {
        await this.api.deleteJob(this.namespace, run.jobName, 'Background');
        const why = p.permanent ? p.reason : `${p.reason} for ${Math.round(waited / 1000)} s`;
        await this.failRun(run, 'image_pull_failed', `The trainer image ${p.image} could not be pulled (${why}): ${p.message}`);
      }
      return;
    }
    run.imagePullSince = undefined;
    if (obs.end === undefined) return;
    await this.ended(run, obs.end, pods);
  }

  private async noticePhase(run: Run, obs: AttemptObservation): Promise<void> {
    const pool = run.placement?.pool.name ?? run.adoptedPool ?? '?';
    if (run.lastPhase === undefined && run.adopted) {
      // Adopted after a controller restart: what happened before was told by the previous process.
      for (const key of obs.phase === 'suspended' ? ['suspended'] : obs.phase === 'admitted' ? ['suspended', 'admitted'] : ['suspended', 'admitted', 'running']) run.noticed.add(`${key}-${run.attempt}`);
      await this.notice(run, `adopted-${run.attempt}`, { level: 'info', message: `Following Kubernetes Job ${run.jobName} again after a controller restart (${obs.phase})`, data: { k8s_job: run.jobName } });
    }
    if (obs.phase === 'suspended') {
      await this.notice(run, `suspended-${run.attempt}`, { level: 'info', message: `Waiting for Kueue to admit Kubernetes Job ${run.jobName} (queue ${KUEUE_LOCAL_QUEUE}, pool ${pool})`, data: { k8s_job: run.jobName } });
    } else if (obs.phase === 'admitted' || obs.phase === 'running') {
      if (run.lastPhase === 'suspended' || (run.lastPhase === undefined && this.settings.kueue)) {
        await this.notice(run, `admitted-${run.attempt}-${run.requeues}`, { level: 'info', message: `Kueue admitted Kubernetes Job ${run.jobName}; starting its pods on pool ${pool}`, data: { k8s_job: run.jobName } });
      }
      if (obs.unschedulable !== undefined) {
        await this.notice(run, `unschedulable-${run.attempt}`, { level: 'info', message: `Waiting for a node of pool ${pool}: ${obs.unschedulable}`, data: { k8s_job: run.jobName } });
      }
      if (obs.phase === 'running') await this.notice(run, `running-${run.attempt}-${run.requeues}`, { level: 'info', message: `Trainer running (Kubernetes Job ${run.jobName})`, data: { k8s_job: run.jobName } });
    }
    // Kueue took the quota back (a higher-priority workload): it suspends the Job, whose pods checkpoint on SIGTERM.
    if (obs.phase === 'suspended' && (run.lastPhase === 'admitted' || run.lastPhase === 'running')) {
      run.requeues += 1;
      await this.notice(run, `requeued-${run.attempt}-${run.requeues}`, { level: 'warn', message: `Kueue suspended Kubernetes Job ${run.jobName} to free quota; it resumes from its last checkpoint when admitted again`, data: { k8s_job: run.jobName } });
    }
    run.lastPhase = obs.phase;
  }

  private async ended(run: Run, end: AttemptEnd, pods: readonly V1Pod[]): Promise<void> {
    if (run.stopping) {
      const code = end.kind === 'exit' ? end.exitCode : TRAINER_EXIT.stopped;
      await this.finish(run, { exitCode: code, logTail: 'cancelled' });
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
        if (Date.now() - run.unexplainedEndSince < Math.max(2 * this.pollMs, UNEXPLAINED_END_GRACE_MS)) return;
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
    const lines = (await this.api.podLogTail(this.namespace, pod, TRAINER_CONTAINER, 200)).split('\n');
    const text: string[] = [];
    let failure: RunEnd['failure'];
    for (const line of lines) {
      const event = line.trim().startsWith('{') ? parseTrainerEvent(line) : undefined;
      if (event === undefined) text.push(line);
      else if (event.type === 'failed') failure = { code: event.code, message: event.message, param: event.param ?? null };
    }
    return { logTail: text.slice(-20).join('\n').trim(), ...(failure !== undefined ? { failure } : {}) };
  }

  private async preempted(run: Run, detail: string): Promise<void> {
    const count = run.preemptions + 1;
    if (count > this.maxPreemptions) {
      await this.failRun(run, 'preempted', `The job's nodes were preempted ${count} times (last: ${detail}); giving up after ${this.maxPreemptions} resubmissions.`);
      return;
    }
    const old = run.jobName;
    await this.relay(run);
    await this.notice(run, `preempted-${run.attempt}`, {
      level: 'warn',
      message: `Node preempted (${detail}); resubmitting to resume from the last checkpoint (preemption ${count} of at most ${this.maxPreemptions})`,
      data: { k8s_job: old, preemptions: count },
    });
    run.preemptions = count;
    run.attempt += 1;
    try {
      await this.api.deleteJob(this.namespace, old, 'Background');
      await this.createAttempt(run);
    } catch (err) {
      // The supervisor resumes a run that ended without an exit code: its start() creates the next attempt.
      await this.finish(run, { exitCode: null, logTail: `could not resubmit after a preemption: ${String(err)}` });
    }
  }

  /** Ends the run with a failure only the platform sees, as the trainer contract's `failed` event. */
  private async failRun(run: Run, code: string, message: string): Promise<void> {
    if (run.ended) return;
    await this.relay(run);
    const event: TrainerEvent = this.failedEvent(code, message);
    await run.listener.onEvents(run.jobId, [event], run.cursor);
    await this.finish(run, { exitCode: null, logTail: message });
  }

  private async finish(run: Run, end: RunEnd): Promise<void> {
    if (run.ended) return;
    await this.relay(run, true);
    run.ended = true;
    this.forget(run);
    this.log.info('Kubernetes Job ended', { job_id: run.jobId, k8s_job: run.jobName, exit_code: end.exitCode });
    await run.listener.onEnd(run.jobId, end);
  }

  // --- informers ---

  private async ensureInformers(): Promise<void> {
    await this.connected();
    if (this.informersStarting !== undefined) return this.informersStarting;
    const onEvent = (obj: V1Job | V1Pod): void => {
      const jobId = this.byLabel.get(obj.metadata?.labels?.[JOB_ID_LABEL] ?? '');
      const run = jobId === undefined ? undefined : this.runs.get(jobId);
      if (run !== undefined) this.schedule(run, false);
    };
    const jobs = this.api.jobInformer(this.namespace, MANAGED_SELECTOR, (_v, o) => onEvent(o), (err) => this.watchFailed('jobs', err));
    const pods = this.api.podInformer(this.namespace, MANAGED_SELECTOR, (_v, o) => onEvent(o), (err) => this.watchFailed('pods', err));
    this.informers = { jobs, pods };
    this.informersStarting = Promise.all([jobs.start(), pods.start()]).then(() => undefined);
    return this.informersStarting;
  }

  /** An informer whose list or watch failed stops; start it again after a pause (it resumes from its resourceVersion). */
  private watchFailed(kind: 'jobs' | 'pods', err: unknown): void {
    if (this.closed || this.informers === undefined) return;
    const informer = this.informers[kind];
    this.log.warn('Kubernetes watch failed; retrying', { kind, error: String(err), retry_ms: this.watchRetryMs });
    const t = setTimeout(() => {
      this.retryTimers.delete(t);
      if (this.closed || this.informers?.[kind] !== informer) return;
      informer.start().catch((e: unknown) => this.watchFailed(kind, e));
    }, this.watchRetryMs);
    t.unref();
    this.retryTimers.add(t);
  }
}
