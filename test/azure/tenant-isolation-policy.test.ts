/**
 * VPCT-AZ-015: the trainer's managed identity has no blob data role. Silent on the synthesized Azure platform (the
 * controller and server keep their roles, the trainer has AcrPull only); fires, with its exact message, on a copy that
 * gives the trainer's identity a blob data role, and stays silent for a non-blob role.
 */
import { evaluatePolicies, AZURE_TRAINER_IDENTITY_NO_BLOB_ACCESS, type SynthesizedStack } from '../../constructs/policy';
import { azureConfig, Json, synthConfig } from './helpers';

const clean = synthConfig(azureConfig());
const findings = (s: Json): string[] => evaluatePolicies(s as unknown as SynthesizedStack).filter((f) => f.ruleId === AZURE_TRAINER_IDENTITY_NO_BLOB_ACCESS.id).map((f) => `${f.address}: ${f.message}`);

/** The resource name of the managed identity named `name`. */
function identityKey(s: Json, name: string): string {
  const hit = Object.entries((s.resource as Record<string, Record<string, Json>>)['azurerm_user_assigned_identity'] ?? {}).find(([, i]) => i.name === name);
  if (hit === undefined) throw new Error(`no identity ${name}`);
  return hit[0];
}

describe('VPCT-AZ-015 trainer identity without blob data roles', () => {
  test('GIVEN the Azure platform as built WHEN evaluated THEN there is no finding', () => {
    // WHEN / THEN
    expect(findings(clean)).toEqual([]);
  });

  test('GIVEN a copy giving the trainer’s identity a blob data role and a registry role WHEN evaluated THEN only the blob role is named', () => {
    // GIVEN
    const s = JSON.parse(JSON.stringify(clean)) as Json;
    const trainer = identityKey(s, 'az-test-vpctune-trainer');
    const assignments = (s.resource as Record<string, Record<string, Json>>)['azurerm_role_assignment'] as Record<string, Json>;
    assignments['trainer-blobs-again'] = { scope: 'container-id', role_definition_name: 'Storage Blob Data Contributor', principal_id: `\${azurerm_user_assigned_identity.${trainer}.principal_id}` };
    assignments['trainer-acr-push'] = { scope: 'registry-id', role_definition_name: 'AcrPush', principal_id: `\${azurerm_user_assigned_identity.${trainer}.principal_id}` };
    // WHEN
    const out = findings(s);
    // THEN
    expect(out).toEqual([
      `azurerm_role_assignment.trainer-blobs-again: assigns "Storage Blob Data Contributor" to the trainer's managed identity azurerm_user_assigned_identity.${trainer}; the trainer's identity holds no blob data role (per-job user delegation SAS tokens from the controller)`,
    ]);
  });
});
