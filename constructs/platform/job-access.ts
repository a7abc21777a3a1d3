/**
 * The exact storage access one fine-tuning job's trainer gets (ARCHITECTURE.md, "Tenant isolation below the API"):
 * computed from the job's trainer spec, cloud-neutral, and translated by each cloud into short-lived downscoped
 * credentials (an STS session policy, a Credential Access Boundary, a user delegation SAS). Nothing here names a
 * bucket-wide prefix: every grant is one object or one job's, one model's or one fine-tuned model's directory.
 *
 * The trainer (images/trainer/src/vpctune_trainer/storage.py) reads and lists exactly so:
 * - a data file: lists with the object's key as prefix, then reads that object;
 * - a directory (base model weights, the job's output directory on resume): lists with the directory's key (ending
 *   in `/`), then reads every object under it;
 * - writes: the output directory (events, metrics, checkpoints, manifest) and the publish directory (servable weights).
 */
import { adapterPrefix, jobOutputPrefix, modelPrefix } from './bucket-keys';
import { BucketPrefix } from './conventions';

/** The storage keys of a trainer spec the grant is computed from (the controller's `TrainerSpec`, keys not URIs). */
export interface JobStorageSpec {
  readonly base_model: string;
  readonly training_file: string;
  readonly validation_file?: string;
  readonly output_dir: string;
  readonly fine_tuned_model?: string;
  readonly publish_dir?: string;
}

/** What one job's trainer may do, as keys relative to the bucket root (or its prefix). */
export interface JobAccessGrant {
  readonly jobId: string;
  /** Objects read by exact key: the training and validation files. */
  readonly readObjects: readonly string[];
  /** Directories (ending in `/`) every object under which may be read: base weights, the job's output. */
  readonly readPrefixes: readonly string[];
  /** Directories (ending in `/`) objects may be created or overwritten under: the job's output, the publish directory. */
  readonly writePrefixes: readonly string[];
  /** The exact `prefix` values a listing may use (the read objects' keys and the read directories). */
  readonly listPrefixes: readonly string[];
}

export class JobAccessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobAccessError';
  }
}

/**
 * Characters an id inside a granted key may use. Wildcards and policy variables (`*`, `?`, `$`) are refused because
 * IAM resource ARNs would read them as patterns; `..` and empty segments because no cloud should see them in a grant.
 */
const FILE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*(\/[A-Za-z0-9][A-Za-z0-9._:-]*)*$/;
const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** A fine-tuned model id of the longest Hugging Face id (96/96), suffix (64) and hash (8) is 267 characters. */
const MAX_MODEL_ID = 300;

function idAfter(field: string, key: string, prefix: BucketPrefix, pattern: RegExp, form: string, trailingSlash: boolean): string {
  const fail = (): never => {
    throw new JobAccessError(`trainer spec ${field} ${JSON.stringify(key)} is not a key the trainer may be granted; allowed: ${form}`);
  };
  if (!key.startsWith(prefix)) fail();
  if (trailingSlash !== key.endsWith('/')) fail();
  const id = key.slice(prefix.length, trailingSlash ? -1 : undefined);
  if (id.length > MAX_MODEL_ID || !pattern.test(id) || id.split('/').some((s) => s === '..' || s === '.')) fail();
  return id;
}

/**
 * The grant of job `jobId` from its spec's storage keys (before they become URIs). Throws JobAccessError naming the
 * field, the value and the allowed form when a key is not the one the conventions' key builders produce for this job:
 * a spec can never widen its own grant (an output directory of another job, a whole prefix, a wildcard).
 */
export function jobAccessGrant(jobId: string, spec: JobStorageSpec): JobAccessGrant {
  if (!JOB_ID.test(jobId)) throw new JobAccessError(`job id ${JSON.stringify(jobId)} cannot name a grant; allowed: letters, digits, '.', '_' and '-' (at most 128)`);
  const files = [spec.training_file, ...(spec.validation_file !== undefined ? [spec.validation_file] : [])];
  const fields = ['training_file', 'validation_file'];
  files.forEach((key, i) => idAfter(fields[i] as string, key, BucketPrefix.FILES, FILE_ID, `${BucketPrefix.FILES}<file id>`, false));
  const baseModel = idAfter('base_model', spec.base_model, BucketPrefix.MODELS, MODEL_ID, `${BucketPrefix.MODELS}<model id>/`, true);
  const output = jobOutputPrefix(jobId);
  if (spec.output_dir !== output) throw new JobAccessError(`trainer spec output_dir ${JSON.stringify(spec.output_dir)} is not job ${jobId}'s output directory; allowed: ${output}`);
  const write = [output];
  if (spec.publish_dir !== undefined) {
    const fineTuned = spec.fine_tuned_model;
    const allowed = fineTuned === undefined ? [] : [adapterPrefix(fineTuned), modelPrefix(fineTuned)];
    if (fineTuned === undefined || !allowed.includes(spec.publish_dir)) {
      throw new JobAccessError(`trainer spec publish_dir ${JSON.stringify(spec.publish_dir)} is not the fine-tuned model's directory; allowed: ${allowed.length > 0 ? allowed.join(' or ') : 'a publish_dir only beside fine_tuned_model'}`);
    }
    idAfter('publish_dir', spec.publish_dir, spec.publish_dir.startsWith(BucketPrefix.ADAPTERS) ? BucketPrefix.ADAPTERS : BucketPrefix.MODELS, MODEL_ID, '<adapters/ or models/><fine-tuned model id>/', true);
    write.push(spec.publish_dir);
  }
  const readPrefixes = [modelPrefix(baseModel), output];
  return { jobId, readObjects: files, readPrefixes, writePrefixes: write, listPrefixes: [...files, ...readPrefixes] };
}

/** The same grant for a bucket whose keys live under `prefix` (`s3://bucket/PREFIX`); '' leaves it as it is. */
export function grantUnderPrefix(grant: JobAccessGrant, prefix: string): JobAccessGrant {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  if (p === '') return grant;
  if (/[*?$]/.test(p)) throw new JobAccessError(`bucket prefix ${JSON.stringify(prefix)} cannot be granted; allowed: no '*', '?' or '$'`);
  const under = (keys: readonly string[]): string[] => keys.map((k) => `${p}/${k}`);
  return { jobId: grant.jobId, readObjects: under(grant.readObjects), readPrefixes: under(grant.readPrefixes), writePrefixes: under(grant.writePrefixes), listPrefixes: under(grant.listPrefixes) };
}
