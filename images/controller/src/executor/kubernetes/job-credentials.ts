/**
 * Per-job trainer credentials (ARCHITECTURE.md, "Tenant isolation below the API"): the controller mints short-lived
 * credentials limited to one job's grant (constructs/platform/job-access.ts) and hands them to the trainer pod in a
 * Secret owned by the Job, mounted at `CREDENTIALS_MOUNT_DIR`, rewritten before they expire. A cloud's issuer says
 * what the files hold, which environment points the SDK at them and which pod annotations keep the cloud's identity
 * webhook away from the trainer container.
 */
import type { V1EnvVar, V1Secret } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { jobAccessGrant, type JobAccessGrant } from '../../../../../constructs/platform/job-access';
import type { TrainerSpec } from '../trainer-contract';

/** Where the per-job Secret is mounted in the trainer container (read-only). */
export const CREDENTIALS_MOUNT_DIR = '/var/run/vpctune/credentials';
/** The Secret's annotation recording when its credentials expire (ISO 8601), read when a controller adopts a Job. */
export const CREDENTIALS_EXPIRY_ANNOTATION = 'vpctune.dev/credentials-expire';

/** Credentials of one job: the Secret's files and when they stop working. */
export interface JobCredentials {
  /** File name → content, each mounted under `CREDENTIALS_MOUNT_DIR`. */
  readonly files: Readonly<Record<string, string>>;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

/** Mints one job's credentials on one cloud. */
export interface JobCredentialIssuer {
  /** Environment variables pointing the trainer's SDK at the mounted files. */
  readonly env: readonly V1EnvVar[];
  /** Pod annotations (e.g. opting the trainer container out of the cloud's identity injection). */
  readonly podAnnotations: Readonly<Record<string, string>>;
  /** Rewrite the Secret this long before the credentials expire. */
  readonly refreshBeforeMs: number;
  mint(grant: JobAccessGrant): Promise<JobCredentials>;
}

/** The grant of a run's spec (storage keys, before they become URIs). Throws JobAccessError naming a bad field. */
export function grantOfSpec(jobId: string, spec: TrainerSpec): JobAccessGrant {
  return jobAccessGrant(jobId, spec);
}

/** `<job>-credentials`: one Secret per Kubernetes Job (an attempt), owned by it. */
export function credentialsSecretName(jobName: string): string {
  return `${jobName}-credentials`;
}

/** The Secret holding `credentials`, owned by the Job when `owner` is given (deleted with it). */
export function credentialsSecret(input: {
  readonly jobName: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly credentials: JobCredentials;
  readonly owner?: { readonly name: string; readonly uid: string };
}): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: credentialsSecretName(input.jobName),
      namespace: input.namespace,
      labels: { ...input.labels },
      annotations: { [CREDENTIALS_EXPIRY_ANNOTATION]: new Date(input.credentials.expiresAt).toISOString() },
      ...(input.owner !== undefined ? { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: input.owner.name, uid: input.owner.uid, controller: true, blockOwnerDeletion: true }] } : {}),
    },
    stringData: { ...input.credentials.files },
  };
}
