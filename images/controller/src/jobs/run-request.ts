/** A job as the executor sees it: the trainer spec with storage keys, and the placement stored when it was queued. */
import { fileKey, jobOutputPrefix, modelPrefix } from '../../../../constructs/platform/bucket-keys';
import type { JobRecord } from '../domain/job';
import type { RunRequest } from '../executor/executor';

export function runRequestOf(job: Pick<JobRecord, 'id' | 'projectId' | 'model' | 'trainingFile' | 'validationFile' | 'method' | 'adapter' | 'seed' | 'placement'>): RunRequest {
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
    },
    ...(job.placement !== null ? { placement: job.placement } : {}),
  };
}
