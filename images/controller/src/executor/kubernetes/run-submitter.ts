/**
 * Submitting and cancelling runs: the Job of an attempt (suspended, for Kueue) with its ConfigMap and Service owned by
 * it, adoption of a Job another controller process created, and the foreground delete of a cancel. With a credential
 * issuer, each attempt also gets its job's downscoped credentials in a Secret owned by the Job, rewritten before they
 * expire while the run lives (job-credentials.ts).
 */
import type { V1Job } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { RunRequest } from '../executor';
import { credentialsSecret, grantOfSpec, type JobCredentials } from './job-credentials';
import { KubeApi } from './kube-api';
import { buildRunManifests, type RunManifests } from './manifests';
import { jobSelector } from './names';
import type { Placement } from './placement';
import type { RunContext } from './run-context';
import type { RunFollower } from './run-follower';
import type { RunPlacer } from './run-placement';
import { isFinished, type Run, type RunNotice } from './run-state';

export class RunSubmitter {
  /** Credential refresh timers by job id. */
  private readonly refreshTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly ctx: RunContext,
    private readonly placer: RunPlacer,
    private readonly follower: RunFollower,
  ) {}

  private get namespace(): string {
    return this.ctx.settings.namespace;
  }

  /** The objects attempt `attempt` of a request consists of (what `vpctune jobs render` prints). */
  manifests(request: RunRequest, placement: Placement, attempt = 1, preemptions = 0, owner?: { name: string; uid: string }): RunManifests {
    const credentials = this.ctx.credentials;
    return buildRunManifests(
      { jobId: request.jobId, projectId: request.projectId, spec: request.spec, placement, attempt, preemptions, ...(owner !== undefined ? { owner } : {}), ...(credentials !== undefined ? { credentials } : {}) },
      this.ctx.settings,
    );
  }

  /** Mints the run's credentials (undefined without an issuer). Throws JobAccessError when the spec names keys outside its job. */
  private async mint(run: Run): Promise<JobCredentials | undefined> {
    const issuer = this.ctx.credentials;
    if (issuer === undefined) return undefined;
    return issuer.mint(grantOfSpec(run.jobId, run.request.spec));
  }

  /** Writes the credentials Secret of the run's current Job (owned by it) and schedules its rewrite. */
  private async writeCredentials(run: Run, job: V1Job, credentials: JobCredentials): Promise<void> {
    const secret = credentialsSecret({ jobName: run.jobName, namespace: this.namespace, labels: job.metadata?.labels ?? {}, credentials, owner: { name: run.jobName, uid: job.metadata?.uid ?? '' } });
    await this.ctx.api().applySecret(this.namespace, secret);
    this.scheduleRefresh(run, job, credentials.expiresAt);
  }

  private scheduleRefresh(run: Run, job: V1Job, expiresAt: number): void {
    const issuer = this.ctx.credentials;
    if (issuer === undefined) return;
    clearTimeout(this.refreshTimers.get(run.jobId));
    const jobName = run.jobName;
    const delay = Math.max(1000, expiresAt - issuer.refreshBeforeMs - this.ctx.now());
    const timer = setTimeout(() => {
      this.refreshTimers.delete(run.jobId);
      if (run.ended || run.stopping || run.jobName !== jobName) return;
      this.refresh(run, job).catch((err: unknown) => {
        this.ctx.log.error('could not rewrite the trainer credentials; retrying in a minute', { job_id: run.jobId, k8s_job: jobName, error: String(err) });
        this.scheduleRefresh(run, job, this.ctx.now() + issuer.refreshBeforeMs + 60_000);
      });
    }, delay);
    timer.unref();
    this.refreshTimers.set(run.jobId, timer);
  }

  /** Mints fresh credentials for the run's Job and rewrites its Secret (the kubelet updates the mounted files). */
  async refresh(run: Run, job: V1Job): Promise<void> {
    const credentials = await this.mint(run);
    if (credentials === undefined) return;
    await this.writeCredentials(run, job, credentials);
    this.ctx.log.info('rewrote the trainer credentials', { job_id: run.jobId, k8s_job: run.jobName, expires: new Date(credentials.expiresAt).toISOString() });
  }

  /** Stops rewriting a run's credentials (its Job ended or was cancelled). */
  forgetCredentials(jobId: string): void {
    clearTimeout(this.refreshTimers.get(jobId));
    this.refreshTimers.delete(jobId);
  }

  /**
   * The run's placement: resolved once per run from the job's stored placement (placed again only when its pool is
   * gone), then kept for every resubmission. Throws PlacementError.
   */
  async placementOf(run: Run): Promise<Placement> {
    if (run.placement !== undefined) return run.placement;
    const { placement, replacedBecause } = await this.placer.placementFor(run.request);
    run.placement = placement;
    if (replacedBecause !== undefined) {
      const notice: RunNotice = { level: 'warn', message: `Placed again: ${replacedBecause}; ${placement.reason}`, data: { pool: placement.pool.name, nodes: placement.nodes, gpus_per_node: placement.gpusPerPod } };
      this.follower.later(run, () => this.follower.notice(run, `replaced-${run.attempt}`, notice));
    }
    return placement;
  }

  /** Creates the Job of `run.attempt` (suspended for Kueue), then its ConfigMap and Service owned by it. */
  async createAttempt(run: Run): Promise<void> {
    const placement = await this.placementOf(run);
    const api = this.ctx.api();
    const draft = this.manifests(run.request, placement, run.attempt, run.preemptions);
    // Minted before the Job exists: a spec whose keys fall outside its job, or an STS refusal, creates nothing.
    const credentials = await this.mint(run);
    run.jobName = draft.job.metadata?.name ?? '';
    run.seen = false;
    run.adopted = false;
    run.unexplainedEndSince = undefined;
    run.lastPhase = undefined;
    run.imagePullSince = undefined;
    let job: V1Job;
    try {
      job = await api.createJob(this.namespace, draft.job);
    } catch (err) {
      if (KubeApi.statusOf(err) !== 409) throw err;
      // Another controller process created this attempt a moment ago: adopt it.
      const found = (await api.listJobs(this.namespace, jobSelector(run.jobId))).find((j) => j.metadata?.name === run.jobName);
      if (found === undefined) throw err;
      job = found;
    }
    const owned = this.manifests(run.request, placement, run.attempt, run.preemptions, { name: run.jobName, uid: job.metadata?.uid ?? '' });
    await api.ensureConfigMap(this.namespace, owned.configMap);
    if (owned.service !== undefined) await api.ensureService(this.namespace, owned.service);
    if (credentials !== undefined) await this.writeCredentials(run, job, credentials);
    this.ctx.log.info('created the Kubernetes Job', { job_id: run.jobId, k8s_job: run.jobName, attempt: run.attempt, pool: placement.pool.name, nodes: placement.nodes, gpus_per_node: placement.gpusPerPod });
    // Queued behind the run's evaluations, never awaited here: start() may run under the supervisor's job lock, which
    // the listener's onNotice takes too.
    const gpus = placement.gpusPerPod;
    const created: RunNotice = {
      level: 'info',
      message: `Created Kubernetes Job ${run.jobName} on GPU pool ${placement.pool.name} (${placement.nodes} node${placement.nodes === 1 ? '' : 's'} x ${gpus} ${placement.pool.gpu} GPU${gpus === 1 ? '' : 's'})`,
      data: { k8s_job: run.jobName, attempt: run.attempt, pool: placement.pool.name, nodes: placement.nodes, gpus_per_node: gpus, placement: placement.reason },
    };
    const key = `attempt-${run.attempt}-created`;
    this.follower.later(run, () => this.follower.notice(run, key, created));
  }

  /**
   * An adopted Job's ConfigMap and Service exist (a controller that died between creating the Job and them would
   * otherwise leave its pods waiting for the spec forever); existing ones are kept as they are.
   */
  async ensureOwned(run: Run, job: V1Job): Promise<void> {
    try {
      const placement = await this.placementOf(run);
      const owned = this.manifests(run.request, placement, run.attempt, run.preemptions, { name: run.jobName, uid: job.metadata?.uid ?? '' });
      await this.ctx.api().ensureConfigMap(this.namespace, owned.configMap);
      if (owned.service !== undefined) await this.ctx.api().ensureService(this.namespace, owned.service);
      // A new controller process does not know when the Secret's credentials expire: fresh ones, rewritten from now on.
      await this.refresh(run, job);
    } catch (err) {
      this.ctx.log.warn("could not check the adopted Job's ConfigMap and Service", { job_id: run.jobId, k8s_job: run.jobName, error: String(err) });
    }
  }

  /** Deletes an attempt's Job at once (its pods with it): before a resubmission, or when it can never run. */
  async deleteAttempt(jobName: string): Promise<void> {
    await this.ctx.api().deleteJob(this.namespace, jobName, 'Background');
  }

  /**
   * Cancels: deletes the job's live Jobs with foreground propagation. The Job stays until its pods are gone; each pod
   * gets SIGTERM and terminationGracePeriodSeconds to checkpoint and exit 75 before SIGKILL.
   */
  async cancel(jobId: string, run: Run | undefined): Promise<void> {
    const api = this.ctx.api();
    const names = run !== undefined ? [run.jobName] : (await api.listJobs(this.namespace, jobSelector(jobId))).filter((j) => !isFinished(j)).map((j) => j.metadata?.name ?? '');
    if (run !== undefined) run.stopping = true;
    this.forgetCredentials(jobId);
    for (const name of names.filter((n) => n !== '')) {
      await api.deleteJob(this.namespace, name, 'Foreground');
      this.ctx.log.info('deleting the Kubernetes Job (foreground) to cancel the job', { job_id: jobId, k8s_job: name, grace_seconds: this.ctx.settings.terminationGracePeriodSeconds });
    }
  }
}
