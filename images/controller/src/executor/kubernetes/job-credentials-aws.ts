/**
 * Per-job trainer credentials on AWS: `sts:AssumeRole` of the trainer-job role with the job's session policy
 * (constructs/aws/job-session-policy.ts), for an hour. The trainer reads them through `credential_process` in
 * `AWS_CONFIG_FILE`: the process prints the mounted JSON with its `Expiration`, so botocore refreshes them from the
 * file the controller rewrites. The IRSA webhook is kept off the trainer container and the node's instance metadata is
 * switched off for the SDK, so the job's session is the only AWS identity the trainer uses.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { jobSessionPolicy, TRAINER_JOB_SESSION_SECONDS, trainerJobRoleName } from '../../../../../constructs/aws/job-session-policy';
import { grantUnderPrefix, type JobAccessGrant } from '../../../../../constructs/platform/job-access';
import { CREDENTIALS_MOUNT_DIR, type JobCredentialIssuer, type JobCredentials } from './job-credentials';
import { TRAINER_CONTAINER } from './names';

/** The mounted files: the process credentials (JSON) and the SDK config naming the process. */
export const AWS_CREDENTIALS_FILE = 'credentials.json';
export const AWS_CONFIG_FILE = 'config';
/** The pod annotation that keeps the EKS pod identity webhook from injecting IRSA into the listed containers. */
export const IRSA_SKIP_CONTAINERS = 'eks.amazonaws.com/skip-containers';

export interface AwsJobCredentialOptions {
  /** The trainer-job role's ARN (`trainerJobRoleArn`). */
  readonly roleArn: string;
  /** The bucket and the key prefix the controller's storage URL names (`s3://BUCKET[/PREFIX]`). */
  readonly bucket: string;
  readonly prefix: string;
  readonly region: string;
  /** An STS endpoint (moto in tests). @default the region's */
  readonly stsEndpoint?: string;
  /** @default a client from the controller's own credentials (its IRSA role) */
  readonly sts?: STSClient;
  /** @default 30 minutes: botocore refreshes process credentials 15 minutes before they expire, and the kubelet needs a minute to update the file */
  readonly refreshBeforeMs?: number;
}

/** `arn:<partition>:iam::<account>:role/<platform>-vpctune-trainer-job`, from the controller's own role ARN (IRSA's `AWS_ROLE_ARN`). */
export function trainerJobRoleArn(controllerRoleArn: string, platformName: string): string {
  const m = /^arn:(aws[a-z-]*):(?:iam|sts)::(\d{12}):/.exec(controllerRoleArn);
  if (m === null) throw new Error(`controller role ${JSON.stringify(controllerRoleArn)} is not an IAM role ARN; allowed: arn:aws:iam::ACCOUNT:role/NAME (the IRSA AWS_ROLE_ARN)`);
  return `arn:${m[1]}:iam::${m[2]}:role/${trainerJobRoleName(platformName)}`;
}

export class AwsJobCredentialIssuer implements JobCredentialIssuer {
  readonly env = [
    { name: 'AWS_CONFIG_FILE', value: `${CREDENTIALS_MOUNT_DIR}/${AWS_CONFIG_FILE}` },
    { name: 'AWS_SHARED_CREDENTIALS_FILE', value: '/dev/null' },
    { name: 'AWS_EC2_METADATA_DISABLED', value: 'true' },
  ];
  readonly podAnnotations = { [IRSA_SKIP_CONTAINERS]: TRAINER_CONTAINER };
  readonly refreshBeforeMs: number;
  private readonly sts: STSClient;
  private readonly partition: string;

  constructor(private readonly options: AwsJobCredentialOptions) {
    this.sts = options.sts ?? new STSClient({ region: options.region, ...(options.stsEndpoint !== undefined ? { endpoint: options.stsEndpoint } : {}) });
    this.partition = /^arn:(aws[a-z-]*):/.exec(options.roleArn)?.[1] ?? 'aws';
    this.refreshBeforeMs = options.refreshBeforeMs ?? 30 * 60_000;
  }

  /** The session policy of `grant` (what `mint` sends), for review output and tests. */
  sessionPolicy(grant: JobAccessGrant): string {
    return jobSessionPolicy(grantUnderPrefix(grant, this.options.prefix), { bucket: this.options.bucket, partition: this.partition });
  }

  async mint(grant: JobAccessGrant): Promise<JobCredentials> {
    const out = await this.sts.send(
      new AssumeRoleCommand({
        RoleArn: this.options.roleArn,
        RoleSessionName: `vpctune-${grant.jobId}`.slice(0, 64),
        Policy: this.sessionPolicy(grant),
        DurationSeconds: TRAINER_JOB_SESSION_SECONDS,
      }),
    );
    const c = out.Credentials;
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.SessionToken === undefined || c.Expiration === undefined) {
      throw new Error(`sts:AssumeRole of ${this.options.roleArn} for job ${grant.jobId} returned no credentials`);
    }
    const processJson = { Version: 1, AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: c.Expiration.toISOString() };
    return {
      files: {
        [AWS_CREDENTIALS_FILE]: `${JSON.stringify(processJson)}\n`,
        [AWS_CONFIG_FILE]: `[default]\ncredential_process = cat ${CREDENTIALS_MOUNT_DIR}/${AWS_CREDENTIALS_FILE}\n`,
      },
      expiresAt: c.Expiration.getTime(),
    };
  }
}
