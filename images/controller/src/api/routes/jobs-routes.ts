import { randomInt } from 'node:crypto';
import { ApiError, notFound } from '../../domain/api-error';
import type { JobRecord } from '../../domain/job';
import { JobCreationService } from '../../jobs/job-creation-service';
import { parseCreateJobRequest } from '../../validation/create-job-request';
import type { ApiContext } from '../api-context';
import type { ApiRequest, ApiResponse, Route } from '../http-types';
import { readJsonBody } from '../json-body';
import { listBody, metadataFilter, pageParams } from '../pagination';
import { fineTunedModelOf } from '../../serving/served-models';
import { checkpointView, eventView, jobView } from '../views';

export function jobsRoutes(ctx: ApiContext): readonly Route[] {
  const getOwned = async (req: ApiRequest): Promise<JobRecord> => {
    const id = req.params['fine_tuning_job_id'] ?? '';
    const job = await ctx.store.getJob(req.auth.projectId, id);
    if (job === undefined) throw notFound('fine-tuning job', id, 'fine_tuning_job_not_found', 'fine_tuning_job_id');
    return job;
  };

  const creation = new JobCreationService({
    store: ctx.store,
    storage: ctx.storage,
    executor: ctx.executor,
    clock: ctx.clock,
    onQueued: () => void ctx.supervisor.kick(),
  });

  const create = async (req: ApiRequest): Promise<ApiResponse> => {
    const body = parseCreateJobRequest(await readJsonBody(req.raw), () => randomInt(0, 2147483647));
    const job = await creation.create(req.auth.projectId, body);
    return { status: 200, body: jobView(job), target: job.id };
  };

  const list = async (req: ApiRequest): Promise<ApiResponse> => {
    const { limit, after } = pageParams(req.query, 20, 100);
    const metadata = metadataFilter(req.query);
    const page = await ctx.store.listJobs(req.auth.projectId, { limit, ...(after !== undefined ? { after } : {}), ...(metadata !== undefined ? { metadata } : {}) });
    return { status: 200, body: listBody(page.data.map(jobView), page.hasMore) };
  };

  const cancel = async (req: ApiRequest): Promise<ApiResponse> => {
    const job = await getOwned(req);
    const cancelled = await ctx.supervisor.cancel(job.projectId, job.id);
    if (cancelled === undefined) {
      const now = await ctx.store.getJob(job.projectId, job.id);
      // 400, not 409: the official SDKs retry 409 (with 408, 429 and 5xx), and asking again cannot help.
      throw new ApiError(400, 'invalid_request_error', 'job_not_cancellable', `Job '${job.id}' has already ${now?.status ?? job.status}; only validating_files, queued and running jobs can be cancelled.`, 'fine_tuning_job_id');
    }
    return { status: 200, body: jobView(cancelled), target: job.id };
  };

  const pause = async (req: ApiRequest): Promise<ApiResponse> => {
    const job = await ctx.supervisor.pauses.pause(req.auth.projectId, req.params['fine_tuning_job_id'] ?? '');
    return { status: 200, body: jobView(job), target: job.id };
  };

  const resume = async (req: ApiRequest): Promise<ApiResponse> => {
    const job = await ctx.supervisor.pauses.resume(req.auth.projectId, req.params['fine_tuning_job_id'] ?? '');
    return { status: 200, body: jobView(job), target: job.id };
  };

  const events = async (req: ApiRequest): Promise<ApiResponse> => {
    const job = await getOwned(req);
    const { limit, after } = pageParams(req.query, 20, 100);
    const page = await ctx.store.listEvents(job.id, { limit, ...(after !== undefined ? { after } : {}) });
    return { status: 200, body: listBody(page.data.map(eventView), page.hasMore) };
  };

  const checkpoints = async (req: ApiRequest): Promise<ApiResponse> => {
    const job = await getOwned(req);
    const { limit, after } = pageParams(req.query, 10, 100);
    const page = await ctx.store.listCheckpoints(job.id, { limit, ...(after !== undefined ? { after } : {}) });
    const base = job.fineTunedModel ?? fineTunedModelOf(job);
    return { status: 200, body: listBody(page.data.map((c) => checkpointView(c, base)), page.hasMore, true) };
  };

  return [
    { method: 'POST', template: '/v1/fine_tuning/jobs', handler: create },
    { method: 'GET', template: '/v1/fine_tuning/jobs', handler: list },
    { method: 'GET', template: '/v1/fine_tuning/jobs/:fine_tuning_job_id', handler: async (req) => ({ status: 200, body: jobView(await getOwned(req)) }) },
    { method: 'POST', template: '/v1/fine_tuning/jobs/:fine_tuning_job_id/cancel', handler: cancel },
    { method: 'POST', template: '/v1/fine_tuning/jobs/:fine_tuning_job_id/pause', handler: pause },
    { method: 'POST', template: '/v1/fine_tuning/jobs/:fine_tuning_job_id/resume', handler: resume },
    { method: 'GET', template: '/v1/fine_tuning/jobs/:fine_tuning_job_id/events', handler: events },
    { method: 'GET', template: '/v1/fine_tuning/jobs/:fine_tuning_job_id/checkpoints', handler: checkpoints },
  ];
}
