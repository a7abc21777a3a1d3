/**
 * The Azure policy rules (VPCT-AZ-*) over stacks synthesized from the Azure examples: the examples have no findings,
 * and each rule fires on a copy made deliberately bad in the one way the rule forbids.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cloud } from '../../constructs/catalog';
import { loadConfigFile } from '../../constructs/config';
import { evaluatePolicies, formatFindings } from '../../constructs/policy';
import { azureConfig, Json, synthConfig, TODAY } from './helpers';

const REPO = path.resolve(__dirname, '..', '..');
const examples = fs
  .readdirSync(path.join(REPO, 'stacks', 'examples'))
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .map((f) => [f, loadConfigFile(path.join(REPO, 'stacks', 'examples', f), TODAY)] as const)
  .filter(([, c]) => c.cloud === Cloud.AZURE);

const clean = synthConfig(examples.find(([f]) => f === 'azure-all-gpus.yaml')![1]);
/** A deep copy of the clean stack with `mutate` applied, and the AZ findings on it as `ID address: message` (construct hashes cut). */
function findingsAfter(mutate: (r: Json) => void, allowPublicEndpoint = false): string[] {
  const stack = JSON.parse(JSON.stringify(clean)) as Json;
  mutate(stack.resource);
  return evaluatePolicies(stack as never, { allowPublicEndpoint })
    .filter((f) => f.ruleId.startsWith('VPCT-AZ-'))
    .map((f) => `${f.ruleId} ${f.address}: ${f.message}`.replace(/_[0-9A-F]{8}\b/g, ''));
}
const first = (r: Json, type: string): Json => Object.values(r[type] as Record<string, Json>)[0] as Json;
const named = (r: Json, type: string, part: string): Json => Object.entries(r[type] as Record<string, Json>).find(([k]) => k.includes(part))![1];

describe('Azure policy rules', () => {
  test('there are two Azure examples, one with every GPU shape Azure sells', () => {
    expect(examples.map(([f]) => f).sort()).toEqual(['azure-a100.yaml', 'azure-all-gpus.yaml']);
  });

  test.each(examples)('GIVEN %s WHEN its stack is checked THEN no findings', (_file, config) => {
    // GIVEN / WHEN
    const findings = evaluatePolicies(synthConfig(config) as never, { allowPublicEndpoint: config.kubernetes.publicEndpoint });
    // THEN
    expect(formatFindings(findings)).toBe('policy: no findings');
  });

  test('GIVEN a public AKS API server WHEN checked THEN VPCT-AZ-001 fires', () => {
    expect(findingsAfter((r) => delete first(r, 'azurerm_kubernetes_cluster').private_cluster_enabled)).toEqual([
      'VPCT-AZ-001 azurerm_kubernetes_cluster.platform_cluster: private_cluster_enabled is unset (defaults to false): the API server is public but the platform config does not allow it (kubernetes.publicEndpoint: false)',
    ]);
    expect(findingsAfter((r) => (first(r, 'azurerm_kubernetes_cluster').private_cluster_public_fqdn_enabled = true))).toEqual([
      'VPCT-AZ-001 azurerm_kubernetes_cluster.platform_cluster: private_cluster_public_fqdn_enabled = true publishes the private API server name in public DNS; set it to false',
    ]);
  });

  test('GIVEN a public AKS API server the config allows WHEN checked THEN VPCT-AZ-001 accepts it only with authorized ranges, none of them the whole internet', () => {
    // GIVEN
    const publicWith = (ranges: string[] | undefined) => (r: Json): void => {
      const c = first(r, 'azurerm_kubernetes_cluster');
      c.private_cluster_enabled = false;
      if (ranges !== undefined) c.api_server_access_profile = { authorized_ip_ranges: ranges };
    };
    // WHEN / THEN
    expect(findingsAfter(publicWith(['203.0.113.0/24', '${azurerm_public_ip.nat.ip_address}/32']), true)).toEqual([]);
    expect(findingsAfter(publicWith(undefined), true)).toEqual([
      'VPCT-AZ-001 azurerm_kubernetes_cluster.platform_cluster: api_server_access_profile.authorized_ip_ranges is unset: a public API server accepts every address; list the allowed CIDRs',
    ]);
    expect(findingsAfter(publicWith(['203.0.113.0/24', '0.0.0.0/0']), true)).toEqual([
      'VPCT-AZ-001 azurerm_kubernetes_cluster.platform_cluster: api_server_access_profile.authorized_ip_ranges allows 0.0.0.0/0: the public API server is open to the internet',
    ]);
  });

  test('GIVEN a public example config WHEN synthesized and checked with its publicEndpoint THEN no findings', () => {
    // GIVEN
    const config = azureConfig({ kubernetes: { publicEndpoint: true, publicAccessCidrs: ['203.0.113.0/24'] } });
    // WHEN
    const findings = evaluatePolicies(synthConfig(config) as never, { allowPublicEndpoint: config.kubernetes.publicEndpoint });
    // THEN
    expect(formatFindings(findings)).toBe('policy: no findings');
  });

  test('GIVEN local accounts on and Azure RBAC off WHEN checked THEN VPCT-AZ-002 fires for each', () => {
    expect(
      findingsAfter((r) => {
        const c = first(r, 'azurerm_kubernetes_cluster');
        c.local_account_disabled = false;
        c.azure_active_directory_role_based_access_control.azure_rbac_enabled = false;
      }),
    ).toEqual([
      'VPCT-AZ-002 azurerm_kubernetes_cluster.platform_cluster: azure_active_directory_role_based_access_control.azure_rbac_enabled = false: authorization is not Azure RBAC',
      'VPCT-AZ-002 azurerm_kubernetes_cluster.platform_cluster: local_account_disabled = false: the static admin kubeconfig stays available; set local_account_disabled = true',
    ]);
  });

  test('GIVEN no KMS block WHEN checked THEN VPCT-AZ-003 fires', () => {
    expect(findingsAfter((r) => delete first(r, 'azurerm_kubernetes_cluster').key_management_service)).toEqual([
      'VPCT-AZ-003 azurerm_kubernetes_cluster.platform_cluster: no key_management_service.key_vault_key_id: Kubernetes secrets are not encrypted with a Key Vault key (KMS)',
    ]);
  });

  test('GIVEN a storage account without a customer-managed key WHEN checked THEN VPCT-AZ-004 fires', () => {
    expect(findingsAfter((r) => delete first(r, 'azurerm_storage_account').customer_managed_key)).toEqual([
      'VPCT-AZ-004 azurerm_storage_account.platform_artifacts_account: no customer_managed_key (nor azurerm_storage_account_customer_managed_key): data is encrypted with a Microsoft-managed key only',
    ]);
  });

  test('GIVEN public blob access, public network access, shared keys and a blob container WHEN checked THEN VPCT-AZ-005 fires for each', () => {
    expect(
      findingsAfter((r) => {
        const a = first(r, 'azurerm_storage_account');
        delete a.allow_nested_items_to_be_public;
        a.public_network_access_enabled = true;
        a.shared_access_key_enabled = true;
        first(r, 'azurerm_storage_container').container_access_type = 'blob';
      }),
    ).toEqual([
      'VPCT-AZ-005 azurerm_storage_account.platform_artifacts_account: allow_nested_items_to_be_public is unset (defaults to true): containers can be made public; set it to false',
      'VPCT-AZ-005 azurerm_storage_account.platform_artifacts_account: public_network_access_enabled = true: the account endpoint is reachable from the internet; set it to false',
      'VPCT-AZ-005 azurerm_storage_account.platform_artifacts_account: shared_access_key_enabled = true: account keys and SAS tokens bypass Entra ID; set it to false',
      'VPCT-AZ-005 azurerm_storage_container.platform_artifacts_container: container_access_type = "blob" allows anonymous reads; set "private"',
    ]);
  });

  test('GIVEN a registry with the admin user, anonymous pull and public network access WHEN checked THEN VPCT-AZ-006 fires for each', () => {
    expect(
      findingsAfter((r) => {
        const acr = first(r, 'azurerm_container_registry');
        acr.admin_enabled = true;
        acr.anonymous_pull_enabled = true;
        delete acr.public_network_access_enabled;
      }),
    ).toEqual([
      'VPCT-AZ-006 azurerm_container_registry.platform_registry: admin_enabled = true: a shared admin user and password can push and pull; set it to false',
      'VPCT-AZ-006 azurerm_container_registry.platform_registry: anonymous_pull_enabled = true: anyone who reaches the registry can pull; set it to false',
      'VPCT-AZ-006 azurerm_container_registry.platform_registry: public_network_access_enabled is unset (defaults to true): the registry is reachable from the internet; set it to false',
    ]);
  });

  test('GIVEN a workload identity made Contributor (by name) and Owner (by id) WHEN checked THEN VPCT-AZ-007 fires; the cluster identity is not a workload identity', () => {
    expect(
      findingsAfter((r) => {
        named(r, 'azurerm_role_assignment', 'vpctune-trainer-acr-pull').role_definition_name = 'Contributor';
        const server = named(r, 'azurerm_role_assignment', 'vpctune-server-acr-pull');
        delete server.role_definition_name;
        server.role_definition_id = '/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
        named(r, 'azurerm_role_assignment', 'subnet-network-contributor').role_definition_name = 'Owner';
      }),
    ).toEqual([
      'VPCT-AZ-007 azurerm_role_assignment.platform_identity_vpctune-server-acr-pull: assigns Owner to workload identity azurerm_user_assigned_identity.platform_identity_vpctune-server; grant a data-plane role (Storage Blob Data Reader/Contributor, AcrPull) instead',
      'VPCT-AZ-007 azurerm_role_assignment.platform_identity_vpctune-trainer-acr-pull: assigns Contributor to workload identity azurerm_user_assigned_identity.platform_identity_vpctune-trainer; grant a data-plane role (Storage Blob Data Reader/Contributor, AcrPull) instead',
    ]);
  });

  test('GIVEN a wildcard subject, a foreign audience, a plain-http issuer and an identity trusting two service accounts WHEN checked THEN VPCT-AZ-008 fires for each', () => {
    expect(
      findingsAfter((r) => {
        const controller = named(r, 'azurerm_federated_identity_credential', 'vpctune-controller');
        controller.subject = 'system:serviceaccount:vpctune:*';
        controller.audience = ['api://AzureADTokenExchange', 'sts.amazonaws.com'];
        controller.issuer = 'http://issuer.example';
        const server = named(r, 'azurerm_federated_identity_credential', 'vpctune-server');
        server.parent_id = named(r, 'azurerm_federated_identity_credential', 'vpctune-trainer').parent_id;
      }),
    ).toEqual([
      'VPCT-AZ-008 azurerm_federated_identity_credential.platform_identity_vpctune-controller-federation: audience = ["api://AzureADTokenExchange","sts.amazonaws.com"]; allowed: ["api://AzureADTokenExchange"]',
      'VPCT-AZ-008 azurerm_federated_identity_credential.platform_identity_vpctune-controller-federation: issuer = "http://issuer.example" is not the cluster\'s https OIDC issuer',
      'VPCT-AZ-008 azurerm_federated_identity_credential.platform_identity_vpctune-controller-federation: subject = "system:serviceaccount:vpctune:*" is not one service account (system:serviceaccount:NAMESPACE:NAME)',
      'VPCT-AZ-008 azurerm_user_assigned_identity.platform_identity_vpctune-trainer: trusts 2 service accounts (system:serviceaccount:vpctune:vpctune-server, system:serviceaccount:vpctune:vpctune-trainer); one identity per service account',
    ]);
  });

  test('GIVEN a cluster and a VM without a disk encryption set, and a set without a key WHEN checked THEN VPCT-AZ-009 fires for each', () => {
    expect(
      findingsAfter((r) => {
        delete first(r, 'azurerm_kubernetes_cluster').disk_encryption_set_id;
        delete first(r, 'azurerm_disk_encryption_set').key_vault_key_id;
        r.azurerm_linux_virtual_machine = { jump: { name: 'jump', os_disk: { caching: 'ReadWrite', storage_account_type: 'StandardSSD_LRS' } } };
      }),
    ).toEqual([
      'VPCT-AZ-009 azurerm_disk_encryption_set.platform_disk-encryption_set: names no key_vault_key_id (nor managed_hsm_key_id): the set has no customer-managed key',
      'VPCT-AZ-009 azurerm_kubernetes_cluster.platform_cluster: disk_encryption_set_id is unset: node OS disks use Microsoft-managed keys; set a disk encryption set over a Key Vault key (only at cluster creation)',
      'VPCT-AZ-009 azurerm_linux_virtual_machine.jump: os_disk.disk_encryption_set_id is unset: the OS disk uses a Microsoft-managed key; set a disk encryption set',
    ]);
  });

  test('GIVEN a registry without a customer-managed key, and one without the identity to reach it WHEN checked THEN VPCT-AZ-010 fires for each', () => {
    expect(findingsAfter((r) => delete first(r, 'azurerm_container_registry').encryption)).toEqual([
      'VPCT-AZ-010 azurerm_container_registry.platform_registry: no encryption.key_vault_key_id: images are encrypted with a Microsoft-managed key only; set a Key Vault key (Premium, at creation)',
    ]);
    expect(findingsAfter((r) => delete first(r, 'azurerm_container_registry').encryption[0].identity_client_id)).toEqual([
      'VPCT-AZ-010 azurerm_container_registry.platform_registry: encryption.identity_client_id is unset: the registry has no identity to reach its key with',
    ]);
  });
});
