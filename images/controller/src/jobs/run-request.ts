/** A job as the executor sees it: the trainer spec with storage keys, and the placement stored when it was queued. */
import { publishPrefix } from '../serving/served-models';
import { fileKey, jobOutputPrefix, modelPrefix } from '../../../../constructs/platform/bucket-keys';
import { fineTunedModelName } from '../domain/ids';
import type { JobRecord } from '../domain/job';
import type { RunRequest } from '../executor/executor';

export function runRequestOf(job: Pick<JobRecord, 'id' | 'projectId' | 'model' | 'suffix' | 'trainingFile' | 'validationFile' | 'method' | 'adapter' | 'seed' | 'placement'>): RunRequest {
  return {
    jobId: job.id,
    projectId: job.projectId,
    spec: {
      base_model: modelPrefix(job.model),
      training_file: fileKey(job.trainingFile),
      ...(job.validationFile !== null ? { validation_file: fileKey(job.validationFile) } : {}),
      method: job.method,
      adapter: job.adapter,
      seed: job.seed,
      output_dir: jobOutputPrefix(job.id),
      ...publishFields(job),
    },
    ...(job.placement !== null ? { placement: job.placement } : {}),
  };
}

/** The serving fields: the trainer publishes the weights where the servers' resolver reads them. */
function publishFields(job: Pick<JobRecord, 'id' | 'model' | 'suffix' | 'adapter'>) {
  const fineTuned = fineTunedModelName(job.model, job.suffix, job.id);
  return { model: job.model, fine_tuned_model: fineTuned, publish_dir: publishPrefix(fineTuned, job.adapter.type) };
}
