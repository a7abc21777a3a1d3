/**
 * The inline session policy of one job's trainer credentials on AWS (ARCHITECTURE.md, "Tenant isolation below the
 * API"): the controller assumes the trainer-job role with it, and the session may do only what both the role's policy
 * and this document allow. No provider bindings: the controller imports it.
 */
import type { JobAccessGrant } from '../platform/job-access';
import type { PolicyStatement } from './iam-documents';

/**
 * Seconds a trainer-job session lasts: the controller's own credentials are a role session (IRSA), and a session
 * assumed from one (role chaining) lasts at most an hour. The controller rewrites the credentials before they expire.
 */
export const TRAINER_JOB_SESSION_SECONDS = 3600;

/** The trainer-job role's name: the controller derives its ARN from its own role's account and partition. */
export function trainerJobRoleName(platformName: string): string {
  return `${platformName}-vpctune-trainer-job`;
}

/** STS refuses inline session policies over 2,048 characters of plain text (AssumeRole `Policy`). */
export const SESSION_POLICY_MAX_CHARS = 2048;

export class SessionPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionPolicyError';
  }
}

export interface SessionPolicyTarget {
  /** The bucket's name. */
  readonly bucket: string;
  /** `aws`, `aws-cn`, `aws-us-gov`. @default aws */
  readonly partition?: string;
}

/**
 * The packed (whitespace-free) JSON session policy for `grant` (keys already under the bucket's prefix, see
 * `grantUnderPrefix`). List with exactly the granted prefixes, read the granted objects and directories, write the
 * granted directories; KMS on `*` because the role's own policy already limits it to the bucket's key (the session is
 * the intersection). Throws SessionPolicyError when the document is over STS's limit, with its size.
 */
export function jobSessionPolicy(grant: JobAccessGrant, target: SessionPolicyTarget): string {
  const bucketArn = `arn:${target.partition ?? 'aws'}:s3:::${target.bucket}`;
  const arn = (key: string): string => `${bucketArn}/${key}`;
  const readOnly = grant.readPrefixes.filter((p) => !grant.writePrefixes.includes(p));
  const readWrite = grant.readPrefixes.filter((p) => grant.writePrefixes.includes(p));
  const writeOnly = grant.writePrefixes.filter((p) => !grant.readPrefixes.includes(p));
  const write = ['s3:PutObject', 's3:AbortMultipartUpload'];
  const statements: PolicyStatement[] = [
    { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn, Condition: { StringEquals: { 's3:prefix': grant.listPrefixes } } },
    { Effect: 'Allow', Action: 's3:GetObject', Resource: [...grant.readObjects.map(arn), ...readOnly.map((p) => arn(`${p}*`))] },
    // The job's output directory is read (resume) and written: one statement, so the packed document stays small.
    ...(readWrite.length > 0 ? [{ Effect: 'Allow' as const, Action: ['s3:GetObject', ...write], Resource: readWrite.map((p) => arn(`${p}*`)) }] : []),
    ...(writeOnly.length > 0 ? [{ Effect: 'Allow' as const, Action: write, Resource: writeOnly.map((p) => arn(`${p}*`)) }] : []),
    { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*' },
  ];
  const doc = JSON.stringify({ Version: '2012-10-17', Statement: statements });
  if (doc.length > SESSION_POLICY_MAX_CHARS) {
    throw new SessionPolicyError(`session policy of job ${grant.jobId} is ${doc.length} characters; allowed: at most ${SESSION_POLICY_MAX_CHARS} (STS AssumeRole Policy); shorten the model or file ids`);
  }
  return doc;
}
