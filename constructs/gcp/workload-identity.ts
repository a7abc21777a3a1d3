import { ServiceAccount as GoogleServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { ALL_SERVICE_ACCOUNTS, BUCKET_ACCESS, BucketPrefix, PLATFORM_NAMESPACE, ServiceAccount } from '../platform';
import { trainerJobServiceAccountId } from './job-access-boundary';

/** Object roles: read (get, list) and read-write (create, overwrite, delete; on GCS an overwrite needs delete). */
export const OBJECT_READ_ROLE = 'roles/storage.objectViewer';
export const OBJECT_WRITE_ROLE = 'roles/storage.objectUser';
export const WORKLOAD_IDENTITY_USER = 'roles/iam.workloadIdentityUser';
/** Lets the controller mint tokens of the trainer-job service account (impersonation), which it then downscopes. */
export const TOKEN_CREATOR = 'roles/iam.serviceAccountTokenCreator';

/** Short account-id suffixes: account ids are at most 30 characters and platform names up to 24. */
const ACCOUNT_SUFFIX: Readonly<Record<ServiceAccount, string>> = {
  [ServiceAccount.CONTROLLER]: 'ctl',
  [ServiceAccount.TRAINER]: 'trn',
  [ServiceAccount.SERVER]: 'srv',
};

export interface WorkloadIdentityProps {
  readonly name: string;
  readonly project: string;
  /** `PROJECT.svc.id.goog`: exists once the cluster does, so the bindings wait for `cluster`. */
  readonly workloadPool: string;
  readonly cluster: ITerraformDependable;
  /** The platform bucket; its grants wait for it. */
  readonly bucket: ITerraformDependable;
  /** The platform bucket's name (literal: the IAM conditions name it). */
  readonly bucketName: string;
  /** @default every platform service account */
  readonly serviceAccounts?: readonly ServiceAccount[];
}

/** The IAM condition expression that limits a bucket role to objects under `prefixes` and listings of them. */
export function prefixCondition(bucketName: string, prefixes: readonly BucketPrefix[]): string {
  const objects = prefixes.map((p) => `resource.name.startsWith("projects/_/buckets/${bucketName}/objects/${p}")`);
  const lists = prefixes.map((p) => `api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("${p}")`);
  return [...objects, `(resource.name == "projects/_/buckets/${bucketName}" && (${lists.join(' || ')}))`].join(' || ');
}

/**
 * A Google service account for the controller, trainer and server, each usable only by its Kubernetes service account
 * in the platform namespace (Workload Identity), with bucket roles limited by IAM conditions to its prefixes
 * (BUCKET_ACCESS). No keys are created and nothing is granted on the project.
 *
 * The trainer's account holds no bucket role (ARCHITECTURE.md, "Tenant isolation below the API"): a trainer pod gets
 * its job's token from the controller, which impersonates the trainer-job account (`jobAccount`, the trainer's
 * BUCKET_ACCESS as a ceiling, usable by the controller's account only) and downscopes the token to that job's keys.
 */
export class WorkloadIdentity extends Construct {
  public readonly accounts: Readonly<Partial<Record<ServiceAccount, GoogleServiceAccount>>>;
  /** The account per-job trainer tokens are minted from; only with the controller's account. */
  public readonly jobAccount?: GoogleServiceAccount;

  constructor(scope: Construct, id: string, props: WorkloadIdentityProps) {
    super(scope, id);
    const accounts: Partial<Record<ServiceAccount, GoogleServiceAccount>> = {};
    for (const sa of props.serviceAccounts ?? ALL_SERVICE_ACCOUNTS) {
      const account = new GoogleServiceAccount(this, sa, {
        accountId: `${props.name}-${ACCOUNT_SUFFIX[sa]}`,
        project: props.project,
        displayName: `${props.name} ${sa}`,
        description: `Workload Identity of Kubernetes service account ${PLATFORM_NAMESPACE}/${sa}`,
      });
      new ServiceAccountIamMember(this, `${sa}-workload-identity`, {
        serviceAccountId: account.name,
        role: WORKLOAD_IDENTITY_USER,
        member: `serviceAccount:${props.workloadPool}[${PLATFORM_NAMESPACE}/${sa}]`,
        dependsOn: [props.cluster],
      });
      if (sa !== ServiceAccount.TRAINER) this.grantBucket(sa, sa, account, props);
      accounts[sa] = account;
    }
    this.accounts = accounts;
    const controller = accounts[ServiceAccount.CONTROLLER];
    if (controller !== undefined) {
      const jobAccount = new GoogleServiceAccount(this, 'trainer-job', {
        accountId: trainerJobServiceAccountId(props.name),
        project: props.project,
        displayName: `${props.name} trainer jobs`,
        description: 'Per-job trainer tokens: impersonated by the controller and downscoped to one job\'s keys',
      });
      this.grantBucket('trainer-job', ServiceAccount.TRAINER, jobAccount, props);
      new ServiceAccountIamMember(this, 'controller-impersonates-trainer-job', {
        serviceAccountId: jobAccount.name,
        role: TOKEN_CREATOR,
        member: `serviceAccount:${controller.email}`,
      });
      this.jobAccount = jobAccount;
    }
  }

  /** `sa`'s BUCKET_ACCESS on `account`: a read role and a write role, each conditioned on its prefixes. */
  private grantBucket(id: string, sa: ServiceAccount, account: GoogleServiceAccount, props: WorkloadIdentityProps): void {
    const access = BUCKET_ACCESS[sa];
    const readOnly = access.read.filter((p) => !access.write.includes(p));
    for (const [role, prefixes, what] of [[OBJECT_READ_ROLE, readOnly, 'read'], [OBJECT_WRITE_ROLE, access.write, 'write']] as const) {
      if (prefixes.length === 0) continue;
      new StorageBucketIamMember(this, `${id}-${what}`, {
        bucket: props.bucketName,
        role,
        member: `serviceAccount:${account.email}`,
        dependsOn: [props.bucket],
        condition: { title: `${id} ${what} ${prefixes.join(' ')}`.slice(0, 100), description: `${what} under ${prefixes.join(', ')}`, expression: prefixCondition(props.bucketName, prefixes) },
      });
    }
  }
}
