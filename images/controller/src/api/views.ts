/** Records to the objects the OpenAI API returns (field names as in the official SDKs). */
import { seconds } from '../domain/clock';
import { hyperparametersOf, isTerminal, type JobRecord } from '../domain/job';
import type { CheckpointRecord, FileRecord, JobEventRecord, ModelRecord } from '../domain/records';
import { jobCostEstimate } from '../jobs/job-cost-estimate';

export function fileView(f: FileRecord) {
  return { id: f.id, object: 'file', bytes: f.bytes, created_at: seconds(f.createdMs), filename: f.filename, purpose: f.purpose, status: 'processed', status_details: null, expires_at: null };
}

export function jobView(j: JobRecord) {
  const asked = hyperparametersOf(j.method);
  const resolved = j.resolvedHyperparameters ?? {};
  const hp = Object.fromEntries(Object.entries(asked).map(([k, v]) => [k, resolved[k] ?? v]));
  const method = j.method.type === 'dpo' ? { type: 'dpo', dpo: { hyperparameters: hp } } : { type: 'supervised', supervised: { hyperparameters: hp } };
  return {
    id: j.id,
    object: 'fine_tuning.job',
    created_at: seconds(j.createdMs),
    error: j.error,
    fine_tuned_model: j.fineTunedModel,
    finished_at: j.finishedAt,
    hyperparameters: { n_epochs: hp['n_epochs'], batch_size: hp['batch_size'], learning_rate_multiplier: hp['learning_rate_multiplier'] },
    model: j.model,
    organization_id: j.projectId,
    result_files: j.resultFiles,
    seed: j.seed,
    status: j.status,
    trained_tokens: j.trainedTokens,
    training_file: j.trainingFile,
    validation_file: j.validationFile,
    estimated_finish: j.estimatedFinish,
    integrations: null,
    metadata: j.metadata,
    method,
    user_provided_suffix: j.suffix,
    adapter: j.adapter,
    /** vpctune extension: when the job was paused (unix seconds), null when it is not (jobs/job-pause-service.ts). */
    paused_at: isTerminal(j.status) ? null : j.pausedAt,
    /** vpctune extension: the run's cost on its placement by the catalog's prices, null where there is none (jobs/job-cost-estimate.ts). */
    estimate: jobCostEstimate(j),
  };
}

export function eventView(e: JobEventRecord) {
  return { id: e.id, object: 'fine_tuning.job.event', created_at: e.createdAt, level: e.level, message: e.message, type: e.type, data: e.data ?? {} };
}

export function checkpointView(c: CheckpointRecord, fineTunedModelBase: string) {
  return {
    id: c.id,
    object: 'fine_tuning.job.checkpoint',
    created_at: c.createdAt,
    fine_tuned_model_checkpoint: `${fineTunedModelBase}:ckpt-step-${c.step}`,
    fine_tuning_job_id: c.jobId,
    metrics: c.metrics,
    step_number: c.step,
  };
}

export function modelView(m: Pick<ModelRecord, 'id' | 'createdAt' | 'projectId'>) {
  return { id: m.id, object: 'model', created: m.createdAt, owned_by: m.projectId ?? 'vpctune' };
}
