import { ServiceAccount as GoogleServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { ALL_SERVICE_ACCOUNTS, BUCKET_ACCESS, BucketPrefix, PLATFORM_NAMESPACE, ServiceAccount } from '../platform';

/** Object roles: read (get, list) and read-write (create, overwrite, delete; on GCS an overwrite needs delete). */
export const OBJECT_READ_ROLE = 'roles/storage.objectViewer';
export const OBJECT_WRITE_ROLE = 'roles/storage.objectUser';
export const WORKLOAD_IDENTITY_USER = 'roles/iam.workloadIdentityUser';

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
 */
export class WorkloadIdentity extends Construct {
  public readonly accounts: Readonly<Partial<Record<ServiceAccount, GoogleServiceAccount>>>;

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
      const member = `serviceAccount:${account.email}`;
      const access = BUCKET_ACCESS[sa];
      const readOnly = access.read.filter((p) => !access.write.includes(p));
      for (const [role, prefixes, what] of [[OBJECT_READ_ROLE, readOnly, 'read'], [OBJECT_WRITE_ROLE, access.write, 'write']] as const) {
        if (prefixes.length === 0) continue;
        new StorageBucketIamMember(this, `${sa}-${what}`, {
          bucket: props.bucketName,
          role,
          member,
          dependsOn: [props.bucket],
          condition: { title: `${sa} ${what} ${prefixes.join(' ')}`.slice(0, 100), description: `${what} under ${prefixes.join(', ')}`, expression: prefixCondition(props.bucketName, prefixes) },
        });
      }
      accounts[sa] = account;
    }
    this.accounts = accounts;
  }
}
