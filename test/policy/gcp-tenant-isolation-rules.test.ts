/**
 * VPCT-GCP-018: the trainer's Google service account has no bucket role. Silent on a synthesized GCP example (the
 * trainer-job account holds the roles, and no Kubernetes service account acts as it); fires, with its exact message,
 * on copies giving the trainer's account a bucket role, a bucket binding or a project storage role.
 */
import { evaluatePolicies, GCP_TRAINER_IDENTITY_NO_BUCKET_ACCESS, SynthesizedStack } from '../../constructs/policy';
import { synthFile } from '../gcp/helpers';

type Json = SynthesizedStack & { resource: Record<string, Record<string, Record<string, unknown>>> };

const clean = synthFile('stacks/examples/gcp-a100.yaml') as unknown as Json;
const findings = (s: SynthesizedStack): string[] => evaluatePolicies(s).filter((f) => f.ruleId === GCP_TRAINER_IDENTITY_NO_BUCKET_ACCESS.id).map((f) => `${f.address}: ${f.message}`);

/** The resource name of the Google service account whose account id ends in `suffix`. */
function accountName(s: Json, suffix: string): string {
  const hit = Object.entries(s.resource['google_service_account'] ?? {}).find(([, a]) => String(a['account_id']).endsWith(suffix));
  if (hit === undefined) throw new Error(`no account *${suffix}`);
  return hit[0];
}

function copyWith(add: (s: Json, trainer: string) => void): Json {
  const s = JSON.parse(JSON.stringify(clean)) as Json;
  add(s, accountName(s, '-trn'));
  return s;
}

describe('VPCT-GCP-018 trainer identity without bucket roles', () => {
  test('GIVEN the GCP example as built WHEN evaluated THEN there is no finding', () => {
    // WHEN / THEN
    expect(findings(clean)).toEqual([]);
  });

  test('GIVEN the trainer’s account given a bucket role, a bucket binding and a project storage role WHEN evaluated THEN each grant is named', () => {
    // GIVEN
    const s = copyWith((json, trainer) => {
      const member = `serviceAccount:\${google_service_account.${trainer}.email}`;
      json.resource['google_storage_bucket_iam_member'] = { ...json.resource['google_storage_bucket_iam_member'], 'old-trainer-read': { bucket: 'gcp-a100-artifacts', role: 'roles/storage.objectViewer', member } };
      json.resource['google_storage_bucket_iam_binding'] = { 'old-trainer-write': { bucket: 'gcp-a100-artifacts', role: 'roles/storage.objectUser', members: [member] } };
      json.resource['google_project_iam_member'] = { ...json.resource['google_project_iam_member'], 'trainer-admin': { project: 'p', role: 'roles/storage.admin', member } };
      json.resource['google_project_iam_member']['trainer-logs'] = { project: 'p', role: 'roles/logging.logWriter', member };
    });
    // WHEN
    const trainer = accountName(s, '-trn');
    // THEN (in the engine's address order)
    expect(findings(s)).toEqual([
      `google_project_iam_member.trainer-admin: grants "roles/storage.admin" on the project to the trainer's service account google_service_account.${trainer}; the trainer's identity holds no bucket role (per-job downscoped tokens from the controller)`,
      `google_storage_bucket_iam_binding.old-trainer-write: grants "roles/storage.objectUser" on bucket "gcp-a100-artifacts" to the trainer's service account google_service_account.${trainer}; the trainer's identity holds no bucket role (per-job downscoped tokens from the controller)`,
      `google_storage_bucket_iam_member.old-trainer-read: grants "roles/storage.objectViewer" on bucket "gcp-a100-artifacts" to the trainer's service account google_service_account.${trainer}; the trainer's identity holds no bucket role (per-job downscoped tokens from the controller)`,
    ]);
  });

  test('GIVEN the trainer-job account’s bucket roles WHEN the trainer’s Kubernetes service account is bound to it THEN its grants are findings', () => {
    // GIVEN: the trainer pod acting as the trainer-job account directly would bypass the downscoping
    const s = copyWith((json) => {
      const binding = Object.values(json.resource['google_service_account_iam_member'] ?? {}).find((b) => String(b['member']).endsWith('[vpctune/vpctune-trainer]'));
      if (binding === undefined) throw new Error('no trainer binding');
      binding['service_account_id'] = `\${google_service_account.${accountName(json, '-tjb')}.name}`;
    });
    // WHEN / THEN
    expect(findings(s).map((f) => f.split(':')[0]).sort()).toEqual(
      Object.entries(s.resource['google_storage_bucket_iam_member'] ?? {}).filter(([, g]) => String(g['member']).includes(accountName(s, '-tjb'))).map(([n]) => `google_storage_bucket_iam_member.${n}`).sort(),
    );
    expect(findings(s)).toHaveLength(2);
  });
});
