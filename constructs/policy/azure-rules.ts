/**
 * vpctune's policy rules over a synthesized Azure (azurerm) stack: the AKS, storage, registry and workload identity
 * settings the Azure platform promises. Same engine and unknown-value stance as the AWS rules (rules.ts): an
 * attribute that is an unresolved expression is known only at apply time and does not fire a rule.
 */
import { Block, blocks, isExpression, isTrue, stringList } from './stack-model';
import { PolicyRule, RuleFinding, Severity } from './types';

const q = (v: unknown): string => JSON.stringify(v);
const stated = (attr: string, v: unknown, unsetMeans: string): string => (v === undefined ? `${attr} is unset (${unsetMeans})` : `${attr} = ${q(v)}`);
/** True when `v` is visibly not `true` (unset or a literal other than true). */
const notTrue = (v: unknown): boolean => !isExpression(v) && !isTrue(v);
/** True when `v` is visibly not `false` (unset, or a literal other than false), for attributes that default to true. */
const notFalse = (v: unknown): boolean => !isExpression(v) && v !== false && v !== 'false';
/** Visibly missing: unset or an empty string (an expression counts as present). */
const missing = (v: unknown): boolean => v === undefined || v === null || v === '';
const OPEN_CIDRS = ['0.0.0.0/0', '::/0'];

export const AKS_PRIVATE_CLUSTER: PolicyRule = {
  id: 'VPCT-AZ-001',
  title: 'AKS API server private unless the config allows a public one limited to authorized IP ranges',
  rationale: 'A public AKS API server exposes the control plane to credential stuffing and API exploits; it is private, or reachable from listed CIDRs only.',
  severity: Severity.HIGH,
  check(stack, options) {
    const findings: RuleFinding[] = [];
    for (const c of stack.resources('azurerm_kubernetes_cluster')) {
      const v = c.attrs['private_cluster_enabled'];
      if (!options.allowPublicEndpoint && notTrue(v)) {
        findings.push({ address: c.address, message: `${stated('private_cluster_enabled', v, 'defaults to false')}: the API server is public but the platform config does not allow it (kubernetes.publicEndpoint: false)` });
      } else if (notTrue(v)) {
        // A public API server the config allows: only from authorized ranges, none of them the whole internet.
        const ranges = blocks(c.attrs['api_server_access_profile'])[0]?.['authorized_ip_ranges'];
        if (!isExpression(ranges)) {
          const list = stringList(ranges);
          if (list.length === 0) findings.push({ address: c.address, message: 'api_server_access_profile.authorized_ip_ranges is unset: a public API server accepts every address; list the allowed CIDRs' });
          for (const open of list.filter((r) => OPEN_CIDRS.includes(r))) findings.push({ address: c.address, message: `api_server_access_profile.authorized_ip_ranges allows ${open}: the public API server is open to the internet` });
        }
      }
      if (isTrue(v) && isTrue(c.attrs['private_cluster_public_fqdn_enabled'])) {
        findings.push({ address: c.address, message: 'private_cluster_public_fqdn_enabled = true publishes the private API server name in public DNS; set it to false' });
      }
    }
    return findings;
  },
};

export const AKS_ENTRA_ONLY: PolicyRule = {
  id: 'VPCT-AZ-002',
  title: 'AKS local accounts disabled, Entra ID with Azure RBAC',
  rationale: 'Local accounts hand out a static cluster-admin kubeconfig that bypasses Entra ID, conditional access and audit; only Entra identities may reach the API.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const c of stack.resources('azurerm_kubernetes_cluster')) {
      const local = c.attrs['local_account_disabled'];
      if (notTrue(local)) findings.push({ address: c.address, message: `${stated('local_account_disabled', local, 'defaults to false')}: the static admin kubeconfig stays available; set local_account_disabled = true` });
      const aad = blocks(c.attrs['azure_active_directory_role_based_access_control'])[0];
      if (aad === undefined) findings.push({ address: c.address, message: 'no azure_active_directory_role_based_access_control block: the API does not authenticate with Entra ID' });
      else if (notTrue(aad['azure_rbac_enabled'])) {
        findings.push({ address: c.address, message: `azure_active_directory_role_based_access_control.${stated('azure_rbac_enabled', aad['azure_rbac_enabled'], 'defaults to false')}: authorization is not Azure RBAC` });
      }
    }
    return findings;
  },
};

export const AKS_KMS: PolicyRule = {
  id: 'VPCT-AZ-003',
  title: 'AKS secrets encrypted with a Key Vault key (KMS)',
  rationale: 'Kubernetes secrets are stored in etcd; KMS encryption with a customer Key Vault key limits who can read them at rest.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const c of stack.resources('azurerm_kubernetes_cluster')) {
      const kms = blocks(c.attrs['key_management_service'])[0];
      const keyId = kms?.['key_vault_key_id'];
      if (typeof keyId !== 'string' || keyId.trim() === '') {
        findings.push({ address: c.address, message: 'no key_management_service.key_vault_key_id: Kubernetes secrets are not encrypted with a Key Vault key (KMS)' });
      }
    }
    return findings;
  },
};

export const STORAGE_CMK: PolicyRule = {
  id: 'VPCT-AZ-004',
  title: 'Storage accounts encrypted with a customer-managed key',
  rationale: 'Training data, checkpoints and adapters are customer IP; a customer-managed Key Vault key puts access to them under the vault RBAC and its audit log.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const a of stack.resources('azurerm_storage_account')) {
      const inline = blocks(a.attrs['customer_managed_key']).some((k) => k['key_vault_key_id'] !== undefined || k['managed_hsm_key_id'] !== undefined);
      const attached = stack.attachedTo('azurerm_storage_account_customer_managed_key', 'storage_account_id', a).length > 0;
      if (!inline && !attached) findings.push({ address: a.address, message: 'no customer_managed_key (nor azurerm_storage_account_customer_managed_key): data is encrypted with a Microsoft-managed key only' });
    }
    return findings;
  },
};

export const STORAGE_NOT_PUBLIC: PolicyRule = {
  id: 'VPCT-AZ-005',
  title: 'Storage accounts: no public blob access, no public network access, no shared keys',
  rationale: 'A public container or a reachable account endpoint with account keys publishes training data and weights; access goes through the private endpoint with Entra ID.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const a of stack.resources('azurerm_storage_account')) {
      const checks: ReadonlyArray<readonly [string, string]> = [
        ['allow_nested_items_to_be_public', 'containers can be made public'],
        ['public_network_access_enabled', 'the account endpoint is reachable from the internet'],
        ['shared_access_key_enabled', 'account keys and SAS tokens bypass Entra ID'],
      ];
      for (const [attr, consequence] of checks) {
        const v = a.attrs[attr];
        if (notFalse(v)) findings.push({ address: a.address, message: `${stated(attr, v, 'defaults to true')}: ${consequence}; set it to false` });
      }
    }
    for (const c of stack.resources('azurerm_storage_container')) {
      const access = c.attrs['container_access_type'];
      if (access !== undefined && !isExpression(access) && access !== 'private') {
        findings.push({ address: c.address, message: `container_access_type = ${q(access)} allows anonymous reads; set "private"` });
      }
    }
    return findings;
  },
};

export const REGISTRY_PRIVATE: PolicyRule = {
  id: 'VPCT-AZ-006',
  title: 'Container registries: admin user off, no anonymous pull, no public network access',
  rationale: 'The admin user is a shared static credential and a public registry endpoint exposes the platform images; pulls go through Entra ID and the private endpoint.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const r of stack.resources('azurerm_container_registry')) {
      if (isTrue(r.attrs['admin_enabled'])) findings.push({ address: r.address, message: 'admin_enabled = true: a shared admin user and password can push and pull; set it to false' });
      if (isTrue(r.attrs['anonymous_pull_enabled'])) findings.push({ address: r.address, message: 'anonymous_pull_enabled = true: anyone who reaches the registry can pull; set it to false' });
      const v = r.attrs['public_network_access_enabled'];
      if (notFalse(v)) findings.push({ address: r.address, message: `${stated('public_network_access_enabled', v, 'defaults to true')}: the registry is reachable from the internet; set it to false` });
    }
    return findings;
  },
};

/** Built-in roles that administer what they are assigned on: never for a workload. */
const ADMIN_ROLES: Readonly<Record<string, string>> = {
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  'User Access Administrator': '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
  'Role Based Access Control Administrator': 'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
};

/** User-assigned identities with a federated credential: the identities pods act as. */
function workloadIdentities(stack: Parameters<PolicyRule['check']>[0]): Block[] {
  return stack.resources('azurerm_user_assigned_identity').filter((id) => stack.attachedTo('azurerm_federated_identity_credential', 'parent_id', id).length > 0);
}

export const WORKLOAD_IDENTITY_NOT_ADMIN: PolicyRule = {
  id: 'VPCT-AZ-007',
  title: 'No Owner or Contributor assignments for workload identities',
  rationale: 'A pod that acts as an Owner or Contributor controls the resources in scope; workload identities get data-plane roles on their container and registry only.',
  severity: Severity.CRITICAL,
  check(stack) {
    const findings: RuleFinding[] = [];
    const workloads = workloadIdentities(stack);
    for (const ra of stack.resources('azurerm_role_assignment')) {
      const principal = stack.referencesOfType(ra.attrs['principal_id'], 'azurerm_user_assigned_identity').find((b) => workloads.includes(b));
      if (principal === undefined) continue;
      const name = ra.attrs['role_definition_name'];
      const id = String(ra.attrs['role_definition_id'] ?? '');
      const admin = Object.entries(ADMIN_ROLES).find(([n, guid]) => name === n || id.toLowerCase().endsWith(guid));
      if (admin !== undefined) {
        findings.push({ address: ra.address, message: `assigns ${admin[0]} to workload identity ${principal.address}; grant a data-plane role (Storage Blob Data Reader/Contributor, AcrPull) instead` });
      }
    }
    return findings;
  },
};

const SERVICE_ACCOUNT_SUBJECT = /^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export const FEDERATION_ONE_SERVICE_ACCOUNT: PolicyRule = {
  id: 'VPCT-AZ-008',
  title: 'Federated credentials bound to exactly one Kubernetes service account',
  rationale: 'A federated credential trusts every token whose subject matches; it must name one service account on one issuer, and an identity must trust one service account only.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    const subjectsByIdentity = new Map<string, string[]>();
    for (const fc of stack.resources('azurerm_federated_identity_credential')) {
      const subject = fc.attrs['subject'];
      if (!isExpression(subject) && (typeof subject !== 'string' || !SERVICE_ACCOUNT_SUBJECT.test(subject))) {
        findings.push({ address: fc.address, message: `subject = ${q(subject)} is not one service account (system:serviceaccount:NAMESPACE:NAME)` });
      }
      const audience = stringList(fc.attrs['audience']);
      if (!audience.some(isExpression) && (audience.length !== 1 || audience[0] !== 'api://AzureADTokenExchange')) {
        findings.push({ address: fc.address, message: `audience = ${q(audience)}; allowed: ["api://AzureADTokenExchange"]` });
      }
      const issuer = fc.attrs['issuer'];
      if (typeof issuer !== 'string' || (!isExpression(issuer) && !/^https:\/\//.test(issuer))) {
        findings.push({ address: fc.address, message: `issuer = ${q(issuer)} is not the cluster's https OIDC issuer` });
      }
      for (const parent of stack.referencesOfType(fc.attrs['parent_id'], 'azurerm_user_assigned_identity')) {
        const subjects = subjectsByIdentity.get(parent.address) ?? [];
        subjectsByIdentity.set(parent.address, [...subjects, String(subject)]);
      }
    }
    for (const [identity, subjects] of subjectsByIdentity) {
      const distinct = [...new Set(subjects)];
      if (distinct.length > 1) findings.push({ address: identity, message: `trusts ${distinct.length} service accounts (${distinct.join(', ')}); one identity per service account` });
    }
    return findings;
  },
};

export const NODE_DISKS_CMK: PolicyRule = {
  id: 'VPCT-AZ-009',
  title: 'Node and VM OS disks encrypted with a customer-managed key (disk encryption set)',
  rationale: 'OS disks hold container images, pulled weights and scratch data; a disk encryption set puts them under a Key Vault key the platform controls and can revoke.',
  severity: Severity.MEDIUM,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const c of stack.resources('azurerm_kubernetes_cluster')) {
      if (missing(c.attrs['disk_encryption_set_id'])) findings.push({ address: c.address, message: 'disk_encryption_set_id is unset: node OS disks use Microsoft-managed keys; set a disk encryption set over a Key Vault key (only at cluster creation)' });
    }
    for (const vm of [...stack.resources('azurerm_linux_virtual_machine'), ...stack.resources('azurerm_windows_virtual_machine')]) {
      if (missing(blocks(vm.attrs['os_disk'])[0]?.['disk_encryption_set_id'])) findings.push({ address: vm.address, message: 'os_disk.disk_encryption_set_id is unset: the OS disk uses a Microsoft-managed key; set a disk encryption set' });
    }
    for (const des of stack.resources('azurerm_disk_encryption_set')) {
      if (missing(des.attrs['key_vault_key_id']) && missing(des.attrs['managed_hsm_key_id'])) findings.push({ address: des.address, message: 'names no key_vault_key_id (nor managed_hsm_key_id): the set has no customer-managed key' });
    }
    return findings;
  },
};

export const REGISTRY_CMK: PolicyRule = {
  id: 'VPCT-AZ-010',
  title: 'Container registries encrypted with a customer-managed key',
  rationale: 'Platform images are encrypted under a Key Vault key the platform controls, like its data; ACR takes the key only when the registry is created.',
  severity: Severity.MEDIUM,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const r of stack.resources('azurerm_container_registry')) {
      const enc = blocks(r.attrs['encryption'])[0];
      if (enc === undefined || missing(enc['key_vault_key_id'])) findings.push({ address: r.address, message: 'no encryption.key_vault_key_id: images are encrypted with a Microsoft-managed key only; set a Key Vault key (Premium, at creation)' });
      else if (missing(enc['identity_client_id'])) findings.push({ address: r.address, message: 'encryption.identity_client_id is unset: the registry has no identity to reach its key with' });
    }
    return findings;
  },
};

/** Every Azure rule, in id order. */
export const AZURE_POLICY_RULES: readonly PolicyRule[] = [
  AKS_PRIVATE_CLUSTER,
  AKS_ENTRA_ONLY,
  AKS_KMS,
  STORAGE_CMK,
  STORAGE_NOT_PUBLIC,
  REGISTRY_PRIVATE,
  WORKLOAD_IDENTITY_NOT_ADMIN,
  FEDERATION_ONE_SERVICE_ACCOUNT,
  NODE_DISKS_CMK,
  REGISTRY_CMK,
];
