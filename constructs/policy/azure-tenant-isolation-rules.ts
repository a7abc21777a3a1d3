/**
 * Tenant isolation below the API on Azure (ARCHITECTURE.md): the trainer's managed identity holds no blob data role;
 * a trainer pod works with its job's user delegation SAS tokens only. Same engine and unknown-value stance as
 * rules.ts.
 */
import { PLATFORM_NAMESPACE, ServiceAccount } from '../platform/conventions';
import type { Block, StackModel } from './stack-model';
import { PolicyRule, RuleFinding, Severity } from './types';

const TRAINER_SUBJECT = `system:serviceaccount:${PLATFORM_NAMESPACE}:${ServiceAccount.TRAINER}`;

/** Managed identities federated with the trainer's Kubernetes service account. */
function trainerIdentities(stack: StackModel): Block[] {
  const federations = stack.resources('azurerm_federated_identity_credential').filter((f) => f.attrs['subject'] === TRAINER_SUBJECT);
  return [...new Set(federations.flatMap((f) => stack.referencesOfType(f.attrs['parent_id'], 'azurerm_user_assigned_identity')))];
}

/** Whether a role assignment's role reads or writes blob data. */
function isBlobDataRole(role: unknown): role is string {
  return typeof role === 'string' && role.startsWith('Storage Blob Data ');
}

export const AZURE_TRAINER_IDENTITY_NO_BLOB_ACCESS: PolicyRule = {
  id: 'VPCT-AZ-015',
  title: "The trainer's managed identity has no blob data role",
  rationale: "One compromised trainer (or its stolen workload identity token) must not reach every project's files and adapters; trainers get per-job user delegation SAS tokens from the controller.",
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    const trainers = trainerIdentities(stack);
    for (const grant of stack.resources('azurerm_role_assignment')) {
      if (!isBlobDataRole(grant.attrs['role_definition_name'])) continue;
      for (const identity of stack.referencesOfType(grant.attrs['principal_id'], 'azurerm_user_assigned_identity')) {
        if (!trainers.includes(identity)) continue;
        findings.push({ address: grant.address, message: `assigns ${JSON.stringify(grant.attrs['role_definition_name'])} to the trainer's managed identity ${identity.address}; the trainer's identity holds no blob data role (per-job user delegation SAS tokens from the controller)` });
      }
    }
    return findings;
  },
};

export const AZURE_TENANT_ISOLATION_POLICY_RULES: readonly PolicyRule[] = [AZURE_TRAINER_IDENTITY_NO_BLOB_ACCESS];
