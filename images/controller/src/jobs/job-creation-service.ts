/**
 * Creating a fine-tuning job, from a parsed request to a queued job: validate (model, files line by line, what the
 * executor can run), count tokens, place and estimate (once: the placement is stored with the job and every start
 * uses it), insert, queue. The HTTP route only reads the body and writes the job view.
 */
import { ApiError } from '../domain/api-error';
import type { Clock } from '../domain/clock';
import { newId } from '../domain/ids';
import type { JobRecord, RunPlacement } from '../domain/job';
import type { FileRecord } from '../domain/records';
import { RunRefusedError, type Executor } from '../executor/executor';
import { ADAPTER_REQUIREMENTS } from '../executor/trainer-contract';
import type { BlobStorage } from '../storage/blob-storage';
import type { Store } from '../store/store';
import type { CreateJobRequest } from '../validation/create-job-request';
import type { DataKind } from '../validation/training-file-rules';
import { validateTrainingFile, type ValidationResult } from '../validation/training-file-validator';
import { jobEvent } from './job-events';
import { runRequestOf } from './run-request';
import { trainedTokensFor, wholeRunSeconds } from './run-time-estimate';

export interface JobCreationDeps {
  readonly store: Store;
  readonly storage: BlobStorage;
  readonly executor: Executor;
  readonly clock: Clock;
  /** Told when a job has been queued (the supervisor starts it when a slot is free). */
  readonly onQueued: () => void;
}

type DataParam = 'training_file' | 'validation_file';

export class JobCreationService {
  constructor(private readonly deps: JobCreationDeps) {}

  /** Creates the job and queues it; throws ApiError (400) for anything the request gets wrong, creating nothing. */
  async create(projectId: string, body: CreateJobRequest): Promise<JobRecord> {
    const { store, clock } = this.deps;
    await this.checkModel(projectId, body.model);
    this.checkAdapterSupported(body);
    const kind: DataKind = body.method.type === 'dpo' ? 'dpo' : 'sft';
    const training = await this.checkDataFile(projectId, body.trainingFile, 'training_file', kind);
    if (body.validationFile !== null) await this.checkDataFile(projectId, body.validationFile, 'validation_file', kind);

    const nowMs = clock.nowMs();
    const at = Math.floor(nowMs / 1000);
    const draft: JobRecord = {
      id: newId('ftjob'), projectId, createdMs: nowMs, status: 'validating_files', model: body.model, trainingFile: body.trainingFile,
      validationFile: body.validationFile, suffix: body.suffix, seed: body.seed, metadata: body.metadata, method: body.method, adapter: body.adapter,
      fineTunedModel: null, finishedAt: null, trainedTokens: null, error: null, resultFiles: [], estimatedFinish: null, estimatedRunSeconds: null,
      placement: null, resolvedHyperparameters: null, runRef: null, attempt: 0, eventsCursor: 0, startedAt: null, pausedAt: null,
    };
    const { placement, runSeconds } = await this.place(draft, training);
    const job: JobRecord = { ...draft, placement, estimatedRunSeconds: runSeconds };
    await store.insertJob(job, [jobEvent(at, `Created fine-tuning job: ${job.id}`), jobEvent(at, `Validating training file: ${job.trainingFile}`)]);
    const queued = await store.transitionJob(job.id, {
      from: ['validating_files'],
      // estimated_finish while queued: if the run started now (see run-time-estimate.ts)
      patch: { status: 'queued', estimatedFinish: runSeconds === null ? null : at + runSeconds },
      events: [jobEvent(at, 'Files validated, moving job to queued state')],
    });
    this.deps.onQueued();
    return queued ?? job;
  }

  private async checkModel(projectId: string, modelId: string): Promise<void> {
    const model = await this.deps.store.getModel(projectId, modelId);
    if (model !== undefined && model.kind === 'base') return;
    const known = (await this.deps.store.listModels(projectId)).filter((m) => m.kind === 'base').map((m) => m.id);
    throw new ApiError(400, 'invalid_request_error', 'model_not_available', `Model '${modelId}' is not available for fine-tuning; registered base models: ${known.join(', ') || 'none (vpctune models import --id ID --from DIR)'}.`, 'model');
  }

  /** An adapter type the executor's hardware cannot train is refused now, not seconds after the trainer starts. */
  private checkAdapterSupported(body: CreateJobRequest): void {
    const support = this.deps.executor.adapterSupport;
    const type = body.adapter.type;
    if (support === undefined || support.types.includes(type)) return;
    const needs = ADAPTER_REQUIREMENTS[type];
    throw new ApiError(
      400,
      'invalid_request_error',
      'unsupported_adapter_type',
      `Invalid 'adapter.type': ${JSON.stringify(type)} cannot run on this platform: ${support.hardware}${needs !== undefined ? `, and ${type} needs ${needs}` : ''}; allowed here: ${support.types.join(', ')}. ${type} runs on ${support.elsewhere}.`,
      'adapter.type',
    );
  }

  /** Looks up a data file of this project and checks its purpose and every line. */
  private async checkDataFile(projectId: string, id: string, param: DataParam, kind: DataKind): Promise<ValidationResult> {
    const { store, storage } = this.deps;
    const file: FileRecord | undefined = await store.getFile(projectId, id);
    if (file === undefined) throw new ApiError(400, 'invalid_request_error', 'file_not_found', `Invalid '${param}': no file with id '${id}' exists in this project.`, param);
    if (file.purpose !== 'fine-tune') {
      throw new ApiError(400, 'invalid_request_error', 'invalid_file_purpose', `Invalid '${param}': file '${id}' has purpose '${file.purpose}'; allowed: 'fine-tune'.`, param);
    }
    const result = await validateTrainingFile(await storage.get(file.storageKey), kind, param === 'training_file' ? undefined : 1);
    if (!result.ok) throw new ApiError(400, 'invalid_request_error', `invalid_${param}`, `Invalid '${param}' ${id}: ${result.problems.map((p) => p.message).join('; ')}`, param);
    return result;
  }

  /** The executor's placement and run-time estimate, once; a request it cannot place is a 400 naming the field. */
  private async place(job: JobRecord, training: ValidationResult): Promise<{ readonly placement: RunPlacement | null; readonly runSeconds: number | null }> {
    const executor = this.deps.executor;
    if (executor.place === undefined) return { placement: null, runSeconds: null };
    try {
      const decision = await executor.place(runRequestOf(job), trainedTokensFor(job.method, training));
      return { placement: decision.placement, runSeconds: wholeRunSeconds(decision.runSeconds) };
    } catch (err) {
      if (err instanceof RunRefusedError) throw new ApiError(400, 'invalid_request_error', err.code, err.message, err.param);
      throw err;
    }
  }
}
