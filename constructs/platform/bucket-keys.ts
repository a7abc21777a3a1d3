/**
 * Keys of the platform bucket, built from `BucketPrefix` (conventions.ts): the one place the layout is spelled out.
 * The controller, the trainer's spec and the IAM/lifecycle rules all read the same prefixes.
 *
 * ```
 * files/<file id>                              uploaded training and validation files
 * jobs/<job id>/                               one fine-tuning job: spec, pid file, packed weights
 * jobs/<job id>/output/                        what the trainer writes: events.jsonl, metrics, checkpoints, manifest
 * results/<job id>/                            a finished job's result files (metrics JSONL, weights tar); never expire
 * models/<model id>/                           imported base-model weights; a full fine-tune's weights, published by the trainer
 * adapters/<fine-tuned model id>/              a LoRA/QLoRA job's adapter, published by the trainer (spec publish_dir)
 * adapters/<fine-tuned model id>:ckpt-step-N/  a checkpoint's adapter, published by the controller when first served
 * ```
 */
import { BucketPrefix } from './conventions';

/** `files/<id>`: an uploaded file. */
export function fileKey(fileId: string): string {
  return `${BucketPrefix.FILES}${fileId}`;
}

/** Whether a key lies under `files/` (an uploaded file the API may delete). */
export function isFileKey(key: string): boolean {
  return key.startsWith(BucketPrefix.FILES);
}

/** `jobs/<id>/`: everything of one fine-tuning job. */
export function jobPrefix(jobId: string): string {
  return `${BucketPrefix.JOBS}${jobId}/`;
}

/** `jobs/<id>/output/`: the trainer's output directory. */
export function jobOutputPrefix(jobId: string): string {
  return `${jobPrefix(jobId)}output/`;
}

/**
 * `results/<id>/`: a finished job's downloadable result files. Outside `jobs/`, which the bucket lifecycle expires
 * (job staging and checkpoints may go; what a user can download may not).
 */
export function resultsPrefix(jobId: string): string {
  return `${BucketPrefix.RESULTS}${jobId}/`;
}

/**
 * `jobs/.probe-<token>`: the object readiness checks write and delete to prove storage is writable (under `jobs/`,
 * which the controller may write and the lifecycle cleans up should a delete fail).
 */
export function storageProbeKey(token: string): string {
  return `${BucketPrefix.JOBS}.probe-${token}`;
}

/** `models/<id>/`: a base model's weights, or a full fine-tune's (the trainer publishes them there). */
export function modelPrefix(modelId: string): string {
  return `${BucketPrefix.MODELS}${modelId}/`;
}

/** `models/<id>/` (or without the trailing slash) → `<id>`; undefined for a key outside `models/`. */
export function modelIdOfPrefix(key: string): string | undefined {
  if (!key.startsWith(BucketPrefix.MODELS)) return undefined;
  return key.slice(BucketPrefix.MODELS.length).replace(/\/+$/, '');
}

/** `adapters/<fine-tuned model id>/`: a finished LoRA/QLoRA job's adapter, as the trainer published it. */
export function adapterPrefix(fineTunedModelId: string): string {
  return `${BucketPrefix.ADAPTERS}${fineTunedModelId}/`;
}

/** A key under a directory-like prefix: `under('jobs/x/output/', 'events.jsonl')`. */
export function keyUnder(prefix: string, relative: string): string {
  return `${prefix.endsWith('/') ? prefix : `${prefix}/`}${relative.replace(/^\/+/, '')}`;
}
