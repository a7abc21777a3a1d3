import { BUCKET_ACCESS, BucketPrefix, ServiceAccount } from '../platform/conventions';

/**
 * Azure ABAC conditions (condition version 2.0) that scope a Storage Blob Data role assignment to the prefixes a
 * service account may use (BUCKET_ACCESS): reads to its read prefixes, listing to every prefix it uses, writes and
 * deletes to its write prefixes. The AWS counterpart is the IRSA role's bucket policy.
 */

const BLOBS = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs';
const READ = `${BLOBS}/read`;
/** Every data action that creates, changes or removes a blob. */
export const BLOB_WRITE_ACTIONS: readonly string[] = [`${BLOBS}/write`, `${BLOBS}/add/action`, `${BLOBS}/delete`, `${BLOBS}/move/action`];

const anyOf = (attribute: string, prefixes: readonly BucketPrefix[]): string =>
  prefixes.map((p) => `${attribute} StringStartsWith '${p}'`).join(' OR ');

/** The role a service account needs: Contributor when it writes anything, Reader otherwise. */
export function blobRole(sa: ServiceAccount): 'Storage Blob Data Contributor' | 'Storage Blob Data Reader' {
  return BUCKET_ACCESS[sa].write.length > 0 ? 'Storage Blob Data Contributor' : 'Storage Blob Data Reader';
}

/** The condition of `sa`'s blob role assignment. */
export function blobPrefixCondition(sa: ServiceAccount): string {
  const access = BUCKET_ACCESS[sa];
  const all = [...new Set([...access.read, ...access.write])];
  const path = `@Resource[${BLOBS}:path]`;
  const listPrefix = `@Request[${BLOBS}:prefix]`;
  const parts = [
    `((!(ActionMatches{'${READ}'} AND NOT SubOperationMatches{'Blob.List'})) OR (${anyOf(path, access.read)}))`,
    `((!(ActionMatches{'${READ}'} AND SubOperationMatches{'Blob.List'})) OR (${anyOf(listPrefix, all)}))`,
  ];
  if (access.write.length > 0) {
    const writes = BLOB_WRITE_ACTIONS.map((a) => `!(ActionMatches{'${a}'})`).join(' AND ');
    parts.push(`((${writes}) OR (${anyOf(path, access.write)}))`);
  }
  return parts.join(' AND ');
}
