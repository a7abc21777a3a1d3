import type { ModelSpec } from '../../../../../constructs/estimate';
import type { Logger } from '../../ops/logger';
import type { BlobStorage } from '../../storage/blob-storage';
import type { Executor, PlacementDecision, RunListener, RunRequest } from '../executor';
import { readBlobEventsAfter } from './blob-events';
import type { JobCredentialIssuer } from './job-credentials';
import { KubeApi, type KubeConnection } from './kube-api';
import type { RunManifests } from './manifests';
import { jobSelector } from './names';
import { PlacementError, type Placement } from './placement';
import type { RunContext } from './run-context';
import { RunFollower } from './run-follower';
import { RunOutcomes } from './run-outcomes';
import { RunPlacer } from './run-placement';
import { attemptOf, eventsKey, isComplete, isFinished, latestAttempt, newRun, preemptionsOf, runRef } from './run-state';
import { RunSubmitter } from './run-submitter';
import { settingsProblems, type KubernetesRunSettings } from './settings';

export { modelIdOf, placeRun, requestedPoolOf } from './run-placement';
export type { RunNotice, RunNoticeListener } from './run-state';

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
  /** The base model's architecture, for placement. @default - the estimator's catalog, then the model's `config.json` in storage */
  readonly modelSpec?: (modelId: string) => Promise<ModelSpec | undefined>;
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * Mints each job's downscoped trainer credentials, handed over in a Secret owned by the Job and rewritten before they
   * expire (ARCHITECTURE.md, "Tenant isolation below the API"). @default none: the trainer uses its service account's identity
   */
  readonly credentials?: JobCredentialIssuer;
}

/**
 * Runs the trainer as Kubernetes Jobs on the platform's GPU pools: one Job per attempt, admitted by Kueue, followed
 * through informers on the namespace's Jobs and Pods, with the trainer's events read from the job's output directory
 * in the bucket. The parts: `RunPlacer` (run-placement.ts) places a job once, when it is queued; `RunSubmitter`
 * (run-submitter.ts) creates and cancels attempts on the stored placement; `RunFollower` (run-follower.ts) follows Jobs
 * and Pods and relays events and notices; `RunOutcomes` (run-outcomes.ts) decides what an attempt's end means
 * (exit codes to `onEnd`, preemptions resubmitted, platform-only failures as `failed` events).
 */
export class KubernetesExecutor implements Executor {
  readonly kind = 'kubernetes';
  private readonly settings: KubernetesRunSettings;
  private readonly placer: RunPlacer;
  private readonly follower: RunFollower;
  private readonly submitter: RunSubmitter;
  private readonly outcomes: RunOutcomes;
  private apiValue: KubeApi | undefined;
  private apiPromise: Promise<KubeApi> | undefined;
  private readonly connectApi: (() => Promise<KubeApi>) | undefined;

  /** `api`: a connected client, or how to connect one on first use (the platform's executor factory is synchronous). */
  constructor(
    api: KubeApi | (() => Promise<KubeApi>),
    private readonly storage: BlobStorage,
    options: KubernetesExecutorOptions,
    private readonly log: Logger,
  ) {
    if (api instanceof KubeApi) this.apiValue = api;
    else this.connectApi = api;
    const problems = settingsProblems(options.settings);
    if (problems.length > 0) throw new Error(`Kubernetes executor settings: ${problems.join('; ')}`);
    this.settings = options.settings;
    const ctx: RunContext = {
      api: () => this.api,
      connected: () => this.connected(),
      settings: options.settings,
      storage,
      log,
      now: options.now ?? Date.now,
      pollMs: options.pollMs ?? 5000,
      watchRetryMs: options.watchRetryMs ?? 2000,
      ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    };
    this.placer = new RunPlacer(options.settings, storage, log, options.modelSpec);
    this.follower = new RunFollower(ctx);
    this.submitter = new RunSubmitter(ctx, this.placer, this.follower);
    this.outcomes = new RunOutcomes(ctx, this.follower, this.submitter, { maxPreemptions: options.maxPreemptions ?? 5, imagePullTimeoutMs: options.imagePullTimeoutMs ?? 300_000 });
    this.follower.outcomes = this.outcomes;
  }

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

  // --- placement ---

  /**
   * Where a queued job goes and how long it takes there (the estimator's throughput model for the pool's GPU, the
   * GPUs per node and the nodes); stored with the job. Throws PlacementError (a `RunRefusedError`): the create call
   * answers 400 naming `adapter.pool` or `model`.
   */
  place(request: RunRequest, trainedTokens: number | undefined): Promise<PlacementDecision> {
    return this.placer.decide(request, trainedTokens);
  }

  /** Pool and shape of a run on today's pools: its stored placement, else placed now (throws PlacementError). */
  async placementOf(request: RunRequest): Promise<Placement> {
    return (await this.placer.placementFor(request)).placement;
  }

  /** The objects attempt `attempt` of a request consists of (what `vpctune jobs render` prints). */
  manifests(request: RunRequest, placement: Placement, attempt = 1, preemptions = 0, owner?: { name: string; uid: string }): RunManifests {
    return this.submitter.manifests(request, placement, attempt, preemptions, owner);
  }

  // --- Executor ---

  async start(request: RunRequest, cursor: number, listener: RunListener): Promise<string> {
    const existing = this.follower.get(request.jobId);
    if (existing !== undefined) return runRef(existing, this.namespace);
    await this.follower.ensureInformers();
    const latest = latestAttempt(await this.api.listJobs(this.namespace, jobSelector(request.jobId)));
    if (latest !== undefined && (!isFinished(latest) || isComplete(latest))) {
      // A Job of this fine-tuning job is live (a previous controller created it): follow it, never create a second.
      // One that completed is followed too (its end is reported), rather than training the job again.
      const run = newRun(request, cursor, listener, latest);
      this.follower.follow(run);
      if (!isFinished(latest)) await this.submitter.ensureOwned(run, latest);
      else this.follower.schedule(run, true);
      this.log.info('adopted the Kubernetes Job of the job', { job_id: request.jobId, k8s_job: run.jobName, complete: isComplete(latest) });
      return runRef(run, this.namespace);
    }
    const run = newRun(request, cursor, listener, undefined);
    run.attempt = latest !== undefined ? attemptOf(latest) + 1 : 1;
    run.preemptions = latest !== undefined ? preemptionsOf(latest) : 0;
    try {
      await this.submitter.placementOf(run);
    } catch (err) {
      if (!(err instanceof PlacementError)) throw err;
      this.outcomes.reportUnplaced(request, cursor, listener, this.outcomes.failedEvent(err.code, err.message, err.param));
      return JSON.stringify({ job: null, error: err.message });
    }
    this.follower.follow(run);
    try {
      await this.submitter.createAttempt(run);
    } catch (err) {
      this.follower.forget(run);
      throw err;
    }
    return runRef(run, this.namespace);
  }

  async attach(request: RunRequest, cursor: number, listener: RunListener): Promise<boolean> {
    if (this.follower.get(request.jobId) !== undefined) return true;
    await this.follower.ensureInformers();
    const latest = latestAttempt(await this.api.listJobs(this.namespace, jobSelector(request.jobId)));
    if (latest === undefined) {
      const { events, cursor: next } = await readBlobEventsAfter(this.storage, eventsKey(request), cursor);
      if (events.length > 0) await listener.onEvents(request.jobId, events, next);
      await listener.onEnd(request.jobId, { exitCode: null, logTail: 'no Kubernetes Job of this job exists any more' });
      return false;
    }
    // Follow it even when it has ended: the next evaluation relays the rest of its events and reports how it ended.
    const run = newRun(request, cursor, listener, latest);
    this.follower.follow(run);
    if (!isFinished(latest)) await this.submitter.ensureOwned(run, latest);
    this.log.info('re-adopted the Kubernetes Job of the job', { job_id: request.jobId, k8s_job: run.jobName, finished: isFinished(latest) });
    this.follower.schedule(run, true);
    return !isFinished(latest);
  }

  async stop(jobId: string): Promise<void> {
    await this.connected();
    await this.submitter.cancel(jobId, this.follower.get(jobId));
  }

  activeRuns(): number {
    return this.follower.size;
  }

  detachAll(): Promise<void> {
    return this.follower.detachAll();
  }
}
