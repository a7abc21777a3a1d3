/**
 * Submitting and cancelling runs: the Job of an attempt (suspended, for Kueue) with its ConfigMap and Service owned by
 * it, adoption of a Job another controller process created, and the foreground delete of a cancel.
 */
import type { V1Job } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { RunRequest } from '../executor';
import { KubeApi } from './kube-api';
import { buildRunManifests, type RunManifests } from './manifests';
import { jobSelector } from './names';
import type { Placement } from './placement';
import type { RunContext } from './run-context';
import type { RunFollower } from './run-follower';
import type { RunPlacer } from './run-placement';
import { isFinished, type Run, type RunNotice } from './run-state';

export class RunSubmitter {
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
    return buildRunManifests({ jobId: request.jobId, projectId: request.projectId, spec: request.spec, placement, attempt, preemptions, ...(owner !== undefined ? { owner } : {}) }, this.ctx.settings);
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
    for (const name of names.filter((n) => n !== '')) {
      await api.deleteJob(this.namespace, name, 'Foreground');
      this.ctx.log.info('deleting the Kubernetes Job (foreground) to cancel the job', { job_id: jobId, k8s_job: name, grace_seconds: this.ctx.settings.terminationGracePeriodSeconds });
    }
  }
}
