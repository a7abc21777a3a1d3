import { randomInt } from 'node:crypto';
import { ApiError, notFound } from '../../domain/api-error';
import { newId } from '../../domain/ids';
import type { JobRecord } from '../../domain/job';
import type { FileRecord } from '../../domain/records';
import { jobEvent } from '../../jobs/job-events';
import { parseCreateJobRequest } from '../../validation/create-job-request';
import { validateTrainingFile, type ValidationResult } from '../../validation/training-file-validator';
import type { ApiContext } from '../api-context';
import type { ApiRequest, ApiResponse, Route } from '../http-types';
import { readJsonBody } from '../json-body';
import { listBody, metadataFilter, pageParams } from '../pagination';
import { checkpointView, eventView, jobView } from '../views';

export function jobsRoutes(ctx: ApiContext): readonly Route[] {
  const getOwned = async (req: ApiRequest): Promise<JobRecord> => {
    const id = req.params['id'] ?? '';
    const job = await ctx.store.getJob(req.auth.projectId, id);
    if (job === undefined) throw notFound('fine-tuning job', id, 'fine_tuning_job_not_found', 'fine_tuning_job_id');
    return job;
  };

  /** Looks up a data file of this project and checks its purpose and every line. */
  const checkDataFile = async (projectId: string, id: string, param: 'training_file' | 'validation_file', kind: 'sft' | 'dpo'): Promise<{ readonly file: FileRecord; readonly result: ValidationResult }> => {
    const file = await ctx.store.getFile(projectId, id);
    if (file === undefined) throw new ApiError(400, 'invalid_request_error', 'file_not_found', `Invalid '${param}': no file with id '${id}' exists in this project.`, param);
    if (file.purpose !== 'fine-tune') {
      throw new ApiError(400, 'invalid_request_error', 'invalid_file_purpose', `Invalid '${param}': file '${id}' has purpose '${file.purpose}'; allowed: 'fine-tune'.`, param);
    }
    const result = await validateTrainingFile(await ctx.storage.get(file.storageKey), kind, param === 'training_file' ? undefined : 1);
    if (!result.ok) throw new ApiError(400, 'invalid_request_error', `invalid_${param}`, `Invalid '${param}' ${id}: ${result.problems.map((p) => p.message).join('; ')}`, param);
    return { file, result };
  };

  const create = async (req: ApiRequest): Promise<ApiResponse> => {
    const body = parseCreateJobRequest(await readJsonBody(req.raw), () => randomInt(0, 2147483647));
    const projectId = req.auth.projectId;
    const model = await ctx.store.getModel(projectId, body.model);
    if (model === undefined || model.kind !== 'base') {
      const known = (await ctx.store.listModels(projectId)).filter((m) => m.kind === 'base').map((m) => m.id);
      throw new ApiError(400, 'invalid_request_error', 'model_not_available', `Model '${body.model}' is not available for fine-tuning; registered base models: ${known.join(', ') || 'none (vpctune models import --id ID --from DIR)'}.`, 'model');
    }
    const kind = body.method.type === 'dpo' ? 'dpo' : 'sft';
    const training = (await checkDataFile(projectId, body.trainingFile, 'training_file', kind)).result;
    if (body.validationFile !== null) await checkDataFile(projectId, body.validationFile, 'validation_file', kind);
    const nowMs = ctx.clock.nowMs();
    const at = Math.floor(nowMs / 1000);
    const job: JobRecord = {
      id: newId('ftjob'), projectId, createdMs: nowMs, status: 'validating_files', model: body.model, trainingFile: body.trainingFile,
      validationFile: body.validationFile, suffix: body.suffix, seed: body.seed, metadata: body.metadata, method: body.method, adapter: body.adapter,
      fineTunedModel: null, finishedAt: null, trainedTokens: null, error: null, resultFiles: [], estimatedFinish: null, estimatedRunSeconds: null, resolvedHyperparameters: null,
      runRef: null, attempt: 0, eventsCursor: 0, startedAt: null,
    };
    await ctx.store.insertJob(job, [jobEvent(at, `Created fine-tuning job: ${job.id}`), jobEvent(at, `Validating training file: ${job.trainingFile}`)]);
    const runSeconds = await ctx.supervisor.estimateRunSeconds(job, { examples: training.examples, estimatedTokens: training.estimatedTokens });
    const queued = await ctx.store.transitionJob(job.id, {
      from: ['validating_files'],
      // estimated_finish while queued: if the run started now (see jobs/run-time-estimate.ts)
      patch: { status: 'queued', estimatedRunSeconds: runSeconds, estimatedFinish: runSeconds === null ? null : at + runSeconds },
      events: [jobEvent(at, 'Files validated, moving job to queued state')],
    });
    void ctx.supervisor.kick();
    return { status: 200, body: jobView(queued ?? job), target: job.id };
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
      throw new ApiError(409, 'invalid_request_error', 'job_not_cancellable', `Job '${job.id}' has already ${now?.status ?? job.status}; only validating_files, queued and running jobs can be cancelled.`, 'fine_tuning_job_id');
    }
    return { status: 200, body: jobView(cancelled), target: job.id };
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
    const base = job.fineTunedModel ?? `${job.model}:${job.suffix ?? 'ft'}:${job.id}`;
    return { status: 200, body: listBody(page.data.map((c) => checkpointView(c, base)), page.hasMore, true) };
  };

  return [
    { method: 'POST', template: '/v1/fine_tuning/jobs', handler: create },
    { method: 'GET', template: '/v1/fine_tuning/jobs', handler: list },
    { method: 'GET', template: '/v1/fine_tuning/jobs/:id', handler: async (req) => ({ status: 200, body: jobView(await getOwned(req)) }) },
    { method: 'POST', template: '/v1/fine_tuning/jobs/:id/cancel', handler: cancel },
    { method: 'GET', template: '/v1/fine_tuning/jobs/:id/events', handler: events },
    { method: 'GET', template: '/v1/fine_tuning/jobs/:id/checkpoints', handler: checkpoints },
  ];
}
