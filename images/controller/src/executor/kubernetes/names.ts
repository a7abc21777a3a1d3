/**
 * Deterministic Kubernetes names and the labels that tie objects to fine-tuning jobs. A restarted controller finds a
 * job's Kubernetes Jobs by `vpctune.dev/job-id` alone, and the name of attempt N is a pure function of (job id, N), so
 * two controller processes can never create two Jobs for one attempt (the second create answers 409).
 */
import { createHash } from 'node:crypto';

export const JOB_ID_LABEL = 'vpctune.dev/job-id';
export const PROJECT_LABEL = 'vpctune.dev/project';
export const ATTEMPT_LABEL = 'vpctune.dev/attempt';
export const PREEMPTIONS_ANNOTATION = 'vpctune.dev/preemptions';
export const PLACEMENT_ANNOTATION = 'vpctune.dev/placement';
export const PROJECT_ANNOTATION = 'vpctune.dev/project';
export const APP_NAME_LABEL = 'app.kubernetes.io/name';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const APP_NAME = 'vpctune-trainer';
export const MANAGED_BY = 'vpctune-controller';
/** Set by the Job controller on every pod of a Job (Kubernetes 1.27+). */
export const JOB_NAME_POD_LABEL = 'batch.kubernetes.io/job-name';
export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
/** The one container of a trainer pod. */
export const TRAINER_CONTAINER = 'trainer';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A value as a label value if it is one (≤ 63 characters, alphanumeric ends), else a stable hash of it. */
export function labelValue(value: string): string {
  if (value.length <= 63 && LABEL_VALUE.test(value)) return value;
  return `h-${createHash('sha256').update(value).digest('hex').slice(0, 40)}`;
}

/**
 * The base of every object name of a job: its id lower-cased (ids are mixed case, Kubernetes names are not) plus
 * 8 hex characters of a hash of the exact id, so `ftjob-aB…` and `ftjob-Ab…` never share a name.
 */
export function jobBaseName(jobId: string): string {
  const lower = jobId.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  const head = /^[a-z]/.test(lower) ? lower : `j-${lower}`;
  return `${head}-${createHash('sha256').update(jobId).digest('hex').slice(0, 8)}`;
}

/** Names of attempt N's objects. Indexed pods are `<job>-<index>-<random>` with hostname `<job>-<index>` (≤ 63). */
export function objectNames(jobId: string, attempt: number): { readonly job: string; readonly configMap: string; readonly service: string } {
  const job = `${jobBaseName(jobId)}-a${attempt}`;
  return { job, configMap: `${job}-spec`, service: job };
}

export function jobSelector(jobId: string): string {
  return `${JOB_ID_LABEL}=${labelValue(jobId)}`;
}

/** Every object the executor manages carries the job-id label: the informers watch exactly these. */
export const MANAGED_SELECTOR = JOB_ID_LABEL;
