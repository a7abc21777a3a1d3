/**
 * Tenant isolation below the API on GCP (ARCHITECTURE.md): the trainer's Google service account holds no bucket role;
 * a trainer pod works with its job's downscoped token only. Same engine and unknown-value stance as rules.ts.
 */
import { PLATFORM_NAMESPACE, ServiceAccount } from '../platform/conventions';
import type { Block, StackModel } from './stack-model';
import { stringList } from './stack-model';
import { PolicyRule, RuleFinding, Severity } from './types';

const WORKLOAD_IDENTITY_USER = 'roles/iam.workloadIdentityUser';
const TRAINER_MEMBER_SUFFIX = `.svc.id.goog[${PLATFORM_NAMESPACE}/${ServiceAccount.TRAINER}]`;

/** Google service accounts the trainer's Kubernetes service account may act as (Workload Identity). */
function trainerAccounts(stack: StackModel): Block[] {
  const bindings = stack.resources('google_service_account_iam_member').filter((b) => b.attrs['role'] === WORKLOAD_IDENTITY_USER && typeof b.attrs['member'] === 'string' && b.attrs['member'].endsWith(TRAINER_MEMBER_SUFFIX));
  return [...new Set(bindings.flatMap((b) => stack.referencesOfType(b.attrs['service_account_id'], 'google_service_account')))];
}

/** Whether `role` reaches Cloud Storage objects or buckets (or everything). */
function isStorageRole(role: unknown): role is string {
  return typeof role === 'string' && (role.startsWith('roles/storage.') || role === 'roles/owner' || role === 'roles/editor' || role === 'roles/viewer');
}

export const GCP_TRAINER_IDENTITY_NO_BUCKET_ACCESS: PolicyRule = {
  id: 'VPCT-GCP-018',
  title: "The trainer's Google service account has no bucket role",
  rationale: "One compromised trainer (or its stolen Workload Identity token) must not reach every project's files and adapters; trainers get per-job downscoped tokens from the controller.",
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const account of trainerAccounts(stack)) {
      const grants: Array<[Block, readonly string[]]> = [
        ...stack.resources('google_storage_bucket_iam_member').map((g): [Block, readonly string[]] => [g, [g.attrs['member']].filter((m): m is string => typeof m === 'string')]),
        ...stack.resources('google_storage_bucket_iam_binding').map((g): [Block, readonly string[]] => [g, stringList(g.attrs['members'])]),
        ...stack.resources('google_project_iam_member').map((g): [Block, readonly string[]] => [g, [g.attrs['member']].filter((m): m is string => typeof m === 'string')]),
      ];
      for (const [grant, members] of grants) {
        if (!isStorageRole(grant.attrs['role'])) continue;
        if (!members.some((m) => stack.referencesOfType(m, 'google_service_account').includes(account))) continue;
        const where = grant.type === 'google_project_iam_member' ? 'on the project' : `on bucket ${JSON.stringify(grant.attrs['bucket'])}`;
        findings.push({ address: grant.address, message: `grants ${JSON.stringify(grant.attrs['role'])} ${where} to the trainer's service account ${account.address}; the trainer's identity holds no bucket role (per-job downscoped tokens from the controller)` });
      }
    }
    return findings;
  },
};

export const GCP_TENANT_ISOLATION_POLICY_RULES: readonly PolicyRule[] = [GCP_TRAINER_IDENTITY_NO_BUCKET_ACCESS];
