/**
 * One job's Azure storage access as user delegation SAS tokens (ARCHITECTURE.md, "Tenant isolation below the API"):
 * the cloud-neutral grant (constructs/platform/job-access.ts) translated into one SAS per granted object or directory,
 * each signed with a user delegation key the controller obtained under Storage Blob Delegator. The account has a
 * hierarchical namespace (constructs/azure/artifact-store.ts), so a directory is a real path and a directory SAS
 * (`sr=d`, depth `sdd`) reaches that directory's subtree and nothing beside it.
 *
 * - a data file (exact key): blob SAS `sr=b`, read only (`r`);
 * - the base model's directory: directory SAS, read and list (`rl`);
 * - the job's output directory: directory SAS, read, add, create, write and list (`racwl`). No delete: the trainer
 *   overwrites events, metrics and checkpoints with Put Blob / Put Block List, which `w` allows on its own;
 * - the publish directory: directory SAS, create and write (`cw`; `w` because a large file is uploaded as blocks).
 * A directory both read and written (the output) gets one SAS with both. Every token is HTTPS only.
 */
import { generateBlobSASQueryParameters, BlobSASPermissions, SASProtocol, type UserDelegationKey } from '@azure/storage-blob';
import { generateDataLakeSASQueryParameters, DirectorySASPermissions } from '@azure/storage-file-datalake';
import { JobAccessError, grantUnderPrefix, type JobAccessGrant } from '../platform/job-access';

/** The storage service version the tokens are signed for (pinned so an SDK upgrade cannot change a token's form). */
export const JOB_SAS_VERSION = '2025-01-05';

/** What one SAS is scoped to: one blob or one directory's subtree. */
export enum SasResource {
  BLOB = 'b',
  DIRECTORY = 'd',
}

/** The permission strings of each kind of grant, in the order Azure writes them. */
export enum SasPermissions {
  READ_OBJECT = 'r',
  READ_DIRECTORY = 'rl',
  READ_WRITE_DIRECTORY = 'racwl',
  WRITE_DIRECTORY = 'cw',
}

/** One token: the key prefix it covers (an exact key, or a directory ending in `/`) and its query string. */
export interface JobSasEntry {
  readonly prefix: string;
  readonly resource: SasResource;
  readonly permissions: SasPermissions;
  /** The SAS query string, without a leading `?`. */
  readonly sas: string;
}

/** The mounted file's document: every token of one job and when they stop working. */
export interface JobSasDocument {
  readonly account: string;
  readonly container: string;
  /** ISO 8601, UTC: the tokens' `se` (never later than the delegation key's expiry). */
  readonly expiry: string;
  readonly entries: readonly JobSasEntry[];
}

export interface JobSasOptions {
  /** The storage account's name (`az://ACCOUNT/CONTAINER[/PREFIX]`). */
  readonly account: string;
  readonly container: string;
  /** Key prefix inside the container. @default '' (keys at the container root) */
  readonly prefix?: string;
  /** The user delegation key (`BlobServiceClient.getUserDelegationKey`). */
  readonly key: UserDelegationKey;
  /** When the tokens start (a few minutes back tolerates clock skew). */
  readonly startsOn: Date;
  /** When the tokens stop; at most the key's `signedExpiresOn`. */
  readonly expiresOn: Date;
}

/** `models/m/` → `models/m` and its depth 2 (the `sdd` of a directory SAS). */
function directoryPath(prefix: string): { path: string; depth: number } {
  const path = prefix.replace(/\/+$/, '');
  return { path, depth: path.split('/').length };
}

/** The SAS tokens of `grant` (see the module comment). Throws JobAccessError when the expiry is past the key's or not after the start. */
export function jobSasDocument(grant: JobAccessGrant, options: JobSasOptions): JobSasDocument {
  if (options.expiresOn.getTime() > options.key.signedExpiresOn.getTime()) {
    throw new JobAccessError(`SAS expiry ${options.expiresOn.toISOString()} of job ${grant.jobId} is after the delegation key's ${options.key.signedExpiresOn.toISOString()}; allowed: at most the key's expiry`);
  }
  if (options.expiresOn.getTime() <= options.startsOn.getTime()) {
    throw new JobAccessError(`SAS expiry ${options.expiresOn.toISOString()} of job ${grant.jobId} is not after its start ${options.startsOn.toISOString()}`);
  }
  const g = grantUnderPrefix(grant, options.prefix ?? '');
  const common = { containerName: options.container, startsOn: options.startsOn, expiresOn: options.expiresOn, protocol: SASProtocol.Https, version: JOB_SAS_VERSION };
  const entries: JobSasEntry[] = g.readObjects.map((key) => ({
    prefix: key,
    resource: SasResource.BLOB,
    permissions: SasPermissions.READ_OBJECT,
    sas: generateBlobSASQueryParameters({ ...common, blobName: key, permissions: BlobSASPermissions.parse(SasPermissions.READ_OBJECT) }, options.key, options.account).toString(),
  }));
  const directories = [...new Set([...g.readPrefixes, ...g.writePrefixes])];
  for (const dir of directories) {
    const read = g.readPrefixes.includes(dir);
    const write = g.writePrefixes.includes(dir);
    const permissions = read && write ? SasPermissions.READ_WRITE_DIRECTORY : read ? SasPermissions.READ_DIRECTORY : SasPermissions.WRITE_DIRECTORY;
    const { path, depth } = directoryPath(dir);
    const sas = generateDataLakeSASQueryParameters(
      { fileSystemName: options.container, pathName: path, isDirectory: true, directoryDepth: depth, permissions: DirectorySASPermissions.parse(permissions), startsOn: common.startsOn, expiresOn: common.expiresOn, protocol: common.protocol, version: common.version },
      options.key,
      options.account,
    ).toString();
    entries.push({ prefix: dir, resource: SasResource.DIRECTORY, permissions, sas });
  }
  return { account: options.account, container: options.container, expiry: options.expiresOn.toISOString(), entries };
}
