/**
 * The Credential Access Boundary of one job's trainer token (constructs/gcp/job-access-boundary.ts): one rule per
 * granted object or directory with exact conditions, inlined roles, listings limited to the granted prefixes, and
 * Google's 10-rule limit checked before the exchange.
 */
import { AccessBoundaryError, jobAccessBoundary } from '../../constructs/gcp/job-access-boundary';
import { adapterPrefix, fileKey, grantUnderPrefix, jobAccessGrant, jobOutputPrefix, modelPrefix, type JobAccessGrant } from '../../constructs/platform';

const JOB = 'ftjob-abc123';
const FINE_TUNED = 'acme/base:support:abc123';
const GRANT = jobAccessGrant(JOB, {
  base_model: modelPrefix('acme/base'),
  training_file: fileKey('file-train1'),
  validation_file: fileKey('file-valid1'),
  output_dir: jobOutputPrefix(JOB),
  fine_tuned_model: FINE_TUNED,
  publish_dir: adapterPrefix(FINE_TUNED),
});
const RESOURCE = '//storage.googleapis.com/projects/_/buckets/acme-artifacts';
const OBJECTS = 'projects/_/buckets/acme-artifacts/objects/';

describe('jobAccessBoundary', () => {
  test('GIVEN a LoRA job’s grant under a bucket prefix WHEN its boundary is built THEN every rule names one key and the listing names exactly the granted prefixes', () => {
    // GIVEN
    const grant = grantUnderPrefix(GRANT, 'team');
    // WHEN
    const boundary = jobAccessBoundary(grant, 'acme-artifacts');
    // THEN
    const list = ['team/files/file-train1', 'team/files/file-valid1', 'team/models/acme/base/', 'team/jobs/ftjob-abc123/output/'];
    expect(boundary).toEqual({
      accessBoundary: {
        accessBoundaryRules: [
          { availableResource: RESOURCE, availablePermissions: ['inRole:roles/storage.objectViewer'], availabilityCondition: { title: 'read team/files/file-train1', expression: `resource.name == '${OBJECTS}team/files/file-train1'` } },
          { availableResource: RESOURCE, availablePermissions: ['inRole:roles/storage.objectViewer'], availabilityCondition: { title: 'read team/files/file-valid1', expression: `resource.name == '${OBJECTS}team/files/file-valid1'` } },
          { availableResource: RESOURCE, availablePermissions: ['inRole:roles/storage.objectViewer'], availabilityCondition: { title: 'read team/models/acme/base/', expression: `resource.name.startsWith('${OBJECTS}team/models/acme/base/')` } },
          { availableResource: RESOURCE, availablePermissions: ['inRole:roles/storage.objectUser'], availabilityCondition: { title: 'read-write team/jobs/ftjob-abc123/output/', expression: `resource.name.startsWith('${OBJECTS}team/jobs/ftjob-abc123/output/')` } },
          { availableResource: RESOURCE, availablePermissions: ['inRole:roles/storage.objectCreator'], availabilityCondition: { title: 'create team/adapters/acme/base:support:abc123/', expression: `resource.name.startsWith('${OBJECTS}team/adapters/acme/base:support:abc123/')` } },
          {
            availableResource: RESOURCE,
            availablePermissions: ['inRole:roles/storage.objectViewer'],
            availabilityCondition: {
              title: 'list ftjob-abc123',
              expression: `resource.name == 'projects/_/buckets/acme-artifacts' && (${list.map((p) => `api.getAttribute('storage.googleapis.com/objectListPrefix', '') == '${p}'`).join(' || ')})`,
            },
          },
        ],
      },
    });
  });

  test('GIVEN a grant needing 11 rules WHEN its boundary is built THEN the error names the job, the count and the limit', () => {
    // GIVEN: 7 data files, 2 directories, the publish directory and the listing
    const grant: JobAccessGrant = { ...GRANT, readObjects: Array.from({ length: 7 }, (_, i) => `files/file-${i}`) };
    // WHEN / THEN
    expect(() => jobAccessBoundary(grant, 'acme-artifacts')).toThrow(
      new AccessBoundaryError('access boundary of job ftjob-abc123 needs 11 rules; allowed: at most 10 (Credential Access Boundary); grant fewer files or directories'),
    );
  });

  test('GIVEN a grant of exactly 10 rules WHEN its boundary is built THEN it is accepted', () => {
    // GIVEN
    const grant: JobAccessGrant = { ...GRANT, readObjects: Array.from({ length: 6 }, (_, i) => `files/file-${i}`) };
    // WHEN
    const boundary = jobAccessBoundary(grant, 'acme-artifacts');
    // THEN
    expect(boundary.accessBoundary.accessBoundaryRules).toHaveLength(10);
  });

  test('GIVEN a bucket name with a quote or a key with a quote WHEN the boundary is built THEN the error names the field and value', () => {
    // WHEN / THEN
    expect(() => jobAccessBoundary(GRANT, "acme'x")).toThrow(`bucket "acme'x" is not a GCS bucket name; allowed: 3-222 lowercase letters, digits, dots, dashes and underscores`);
    expect(() => jobAccessBoundary({ ...GRANT, readObjects: ["files/a' || true || '"] }, 'acme-artifacts')).toThrow(
      `read object "projects/_/buckets/acme-artifacts/objects/files/a' || true || '" cannot be quoted in an access boundary condition; allowed: no quote, backslash or newline`,
    );
  });
});
