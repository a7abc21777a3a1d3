/**
 * The Credential Access Boundary of one job's trainer token on GCP (ARCHITECTURE.md, "Tenant isolation below the
 * API"): the controller exchanges a token of the trainer-job service account for a downscoped one at Google's STS with
 * this document as `options`, and the downscoped token can do only what both the account's bucket roles and these
 * rules allow. No provider bindings: the controller imports it.
 *
 * One rule per granted object or directory (its title names the key, so a reviewer reads the grant off the token):
 * - an object read by exact key: `roles/storage.objectViewer` where `resource.name == '…/objects/KEY'`;
 * - a read-only directory: `roles/storage.objectViewer` where `resource.name.startsWith('…/objects/DIR')`;
 * - a read-write directory (the job's output, read on resume, events and metrics rewritten): `roles/storage.objectUser`
 *   (on GCS an overwrite needs `storage.objects.delete`, and objectCreator has none);
 * - a write-only directory (the publish directory): `roles/storage.objectCreator` (create only: no read, no overwrite);
 * - listings: `roles/storage.objectViewer` on the bucket itself where the listing's prefix is one of `listPrefixes`.
 * Roles are inlined as `inRole:` permissions: that is the only form a Credential Access Boundary accepts.
 */
import type { JobAccessGrant } from '../platform/job-access';

/** Google's STS refuses a Credential Access Boundary with more rules than this (google-auth-library checks it too). */
export const MAX_ACCESS_BOUNDARY_RULES = 10;

export const BOUNDARY_READ_ROLE = 'roles/storage.objectViewer';
export const BOUNDARY_READ_WRITE_ROLE = 'roles/storage.objectUser';
export const BOUNDARY_CREATE_ROLE = 'roles/storage.objectCreator';

export interface AccessBoundaryRule {
  readonly availableResource: string;
  readonly availablePermissions: readonly string[];
  readonly availabilityCondition: { readonly title: string; readonly expression: string };
}

/** The `options` document of the STS token exchange. */
export interface CredentialAccessBoundary {
  readonly accessBoundary: { readonly accessBoundaryRules: readonly AccessBoundaryRule[] };
}

export class AccessBoundaryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccessBoundaryError';
  }
}

/** GCS bucket names: what a condition may quote without escaping. */
const BUCKET = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
/** Keys of a grant are validated by jobAccessGrant; this only keeps a hand-built grant from breaking a CEL string. */
const QUOTABLE = /^[^'\\\n]+$/;

function quoted(field: string, value: string): string {
  if (!QUOTABLE.test(value)) throw new AccessBoundaryError(`${field} ${JSON.stringify(value)} cannot be quoted in an access boundary condition; allowed: no quote, backslash or newline`);
  return `'${value}'`;
}

/** Titles are at most 100 characters in IAM conditions. */
function title(what: string, key: string): string {
  return `${what} ${key}`.slice(0, 100);
}

/**
 * The Credential Access Boundary of `grant` (keys already under the bucket's prefix, see `grantUnderPrefix`) on
 * `bucket`. Throws AccessBoundaryError naming the bucket when it is not a GCS bucket name, and naming the job, the
 * rule count and the limit when the grant needs more than `MAX_ACCESS_BOUNDARY_RULES` rules.
 */
export function jobAccessBoundary(grant: JobAccessGrant, bucket: string): CredentialAccessBoundary {
  if (!BUCKET.test(bucket)) throw new AccessBoundaryError(`bucket ${JSON.stringify(bucket)} is not a GCS bucket name; allowed: 3-222 lowercase letters, digits, dots, dashes and underscores`);
  const availableResource = `//storage.googleapis.com/projects/_/buckets/${bucket}`;
  const object = (key: string): string => `projects/_/buckets/${bucket}/objects/${key}`;
  const rule = (role: string, what: string, key: string, expression: string): AccessBoundaryRule => ({
    availableResource,
    availablePermissions: [`inRole:${role}`],
    availabilityCondition: { title: title(what, key), expression },
  });
  const rules: AccessBoundaryRule[] = [
    ...grant.readObjects.map((k) => rule(BOUNDARY_READ_ROLE, 'read', k, `resource.name == ${quoted('read object', object(k))}`)),
    ...grant.readPrefixes.map((p) =>
      grant.writePrefixes.includes(p)
        ? rule(BOUNDARY_READ_WRITE_ROLE, 'read-write', p, `resource.name.startsWith(${quoted('read-write prefix', object(p))})`)
        : rule(BOUNDARY_READ_ROLE, 'read', p, `resource.name.startsWith(${quoted('read prefix', object(p))})`),
    ),
    ...grant.writePrefixes
      .filter((p) => !grant.readPrefixes.includes(p))
      .map((p) => rule(BOUNDARY_CREATE_ROLE, 'create', p, `resource.name.startsWith(${quoted('write prefix', object(p))})`)),
  ];
  if (grant.listPrefixes.length > 0) {
    const prefixes = grant.listPrefixes.map((p) => `api.getAttribute('storage.googleapis.com/objectListPrefix', '') == ${quoted('list prefix', p)}`);
    rules.push({
      availableResource,
      availablePermissions: [`inRole:${BOUNDARY_READ_ROLE}`],
      availabilityCondition: { title: `list ${grant.jobId}`.slice(0, 100), expression: `resource.name == ${quoted('bucket', `projects/_/buckets/${bucket}`)} && (${prefixes.join(' || ')})` },
    });
  }
  if (rules.length > MAX_ACCESS_BOUNDARY_RULES) {
    throw new AccessBoundaryError(`access boundary of job ${grant.jobId} needs ${rules.length} rules; allowed: at most ${MAX_ACCESS_BOUNDARY_RULES} (Credential Access Boundary); grant fewer files or directories`);
  }
  return { accessBoundary: { accessBoundaryRules: rules } };
}

/** The trainer-job service account's id (`<platform>-tjb`, at most 28 characters): the source of per-job tokens, impersonated by the controller only. */
export function trainerJobServiceAccountId(platformName: string): string {
  return `${platformName}-tjb`;
}

/** Its email in `project`: what the controller impersonates. */
export function trainerJobServiceAccountEmail(platformName: string, project: string): string {
  return `${trainerJobServiceAccountId(platformName)}@${project}.iam.gserviceaccount.com`;
}
