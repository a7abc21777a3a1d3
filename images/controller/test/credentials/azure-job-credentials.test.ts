/**
 * Per-job trainer credentials on Azure (job-credentials-azure.ts): a user delegation key is asked for the token's
 * lifetime (back-dated for clock skew), every granted key and directory gets its SAS signed with it, and the Secret's
 * file is the JSON the trainer reads by longest prefix.
 */
import type { UserDelegationKey } from '@azure/storage-blob';
import { adapterPrefix, fileKey, jobAccessGrant, jobOutputPrefix, modelPrefix } from '../../../../constructs/platform';
import { AzureJobCredentialIssuer, type DelegationKeySource } from '../../src/executor/kubernetes/job-credentials-azure';

const GRANT = jobAccessGrant('ftjob-1', { base_model: modelPrefix('acme/base'), training_file: fileKey('file-1'), output_dir: jobOutputPrefix('ftjob-1'), fine_tuned_model: 'acme/base:x:1', publish_dir: adapterPrefix('acme/base:x:1') });
const NOW = Date.parse('2025-06-01T12:00:00.400Z');

/** A key source that records what it was asked for and answers a key for exactly that window. */
function fakeKeys(asked: { startsOn: Date; expiresOn: Date }[]): DelegationKeySource {
  return {
    getUserDelegationKey: async (startsOn, expiresOn): Promise<UserDelegationKey> => {
      asked.push({ startsOn, expiresOn });
      return { signedObjectId: 'oid-controller', signedTenantId: 'tid', signedStartsOn: startsOn, signedExpiresOn: expiresOn, signedService: 'b', signedVersion: '2025-01-05', value: Buffer.from('s'.repeat(32)).toString('base64') };
    },
  };
}

describe('AzureJobCredentialIssuer', () => {
  test('GIVEN a job’s grant WHEN credentials are minted THEN one key is asked for the hour and the file maps each granted prefix to its SAS', async () => {
    // GIVEN
    const asked: { startsOn: Date; expiresOn: Date }[] = [];
    const issuer = new AzureJobCredentialIssuer({ account: 'acmeartifacts', container: 'artifacts', prefix: 'team', keys: fakeKeys(asked), now: () => NOW });
    // WHEN
    const creds = await issuer.mint(GRANT);
    // THEN
    expect(asked.map((a) => [a.startsOn.toISOString(), a.expiresOn.toISOString()])).toEqual([['2025-06-01T11:55:00.000Z', '2025-06-01T13:00:00.000Z']]);
    expect(creds.expiresAt).toBe(Date.parse('2025-06-01T13:00:00.000Z'));
    expect(Object.keys(creds.files)).toEqual(['azure-sas.json']);
    const doc = JSON.parse(creds.files['azure-sas.json'] as string) as { account: string; container: string; expiry: string; entries: { prefix: string; resource: string; permissions: string; sas: string }[] };
    expect([doc.account, doc.container, doc.expiry]).toEqual(['acmeartifacts', 'artifacts', '2025-06-01T13:00:00.000Z']);
    expect(doc.entries.map((e) => [e.prefix, e.resource, e.permissions, new URLSearchParams(e.sas).get('sr'), new URLSearchParams(e.sas).get('sdd'), new URLSearchParams(e.sas).get('skoid')])).toEqual([
      ['team/files/file-1', 'b', 'r', 'b', null, 'oid-controller'],
      ['team/models/acme/base/', 'd', 'rl', 'd', '4', 'oid-controller'],
      ['team/jobs/ftjob-1/output/', 'd', 'racwl', 'd', '4', 'oid-controller'],
      ['team/adapters/acme/base:x:1/', 'd', 'cw', 'd', '4', 'oid-controller'],
    ]);
    expect(issuer.env).toEqual([{ name: 'VPCTUNE_AZURE_SAS_FILE', value: '/var/run/vpctune/credentials/azure-sas.json' }]);
    expect(issuer.podAnnotations).toEqual({ 'azure.workload.identity/skip-containers': 'trainer' });
    expect(issuer.refreshBeforeMs).toBe(30 * 60_000);
  });

  test('GIVEN Blob storage refuses the delegation key WHEN credentials are minted THEN its error reaches the caller', async () => {
    // GIVEN
    const keys: DelegationKeySource = { getUserDelegationKey: () => Promise.reject(new Error('AuthorizationPermissionMismatch')) };
    const issuer = new AzureJobCredentialIssuer({ account: 'acmeartifacts', container: 'artifacts', prefix: '', keys, now: () => NOW });
    // WHEN / THEN
    await expect(issuer.mint(GRANT)).rejects.toThrow('AuthorizationPermissionMismatch');
  });
});
