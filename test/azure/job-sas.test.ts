import { createHmac } from 'node:crypto';
import type { UserDelegationKey } from '@azure/storage-blob';
import { JOB_SAS_VERSION, jobSasDocument, SasPermissions, SasResource } from '../../constructs/azure/job-sas';
import { jobAccessGrant, JobAccessError } from '../../constructs/platform/job-access';

const KEY: UserDelegationKey = {
  signedObjectId: '11111111-1111-1111-1111-111111111111',
  signedTenantId: '22222222-2222-2222-2222-222222222222',
  signedStartsOn: new Date('2026-01-01T00:00:00Z'),
  signedExpiresOn: new Date('2026-01-01T02:00:00Z'),
  signedService: 'b',
  signedVersion: '2025-01-05',
  value: Buffer.from('k'.repeat(32)).toString('base64'),
};
const START = new Date('2026-01-01T00:55:00Z');
const END = new Date('2026-01-01T02:00:00Z');
const GRANT = jobAccessGrant('ftjob-1', { base_model: 'models/llama/', training_file: 'files/file-a', output_dir: 'jobs/ftjob-1/output/', fine_tuned_model: 'ft-x', publish_dir: 'adapters/ft-x/' });
const KEY_PARAMS = 'skoid=11111111-1111-1111-1111-111111111111&sktid=22222222-2222-2222-2222-222222222222&skt=2026-01-01T00%3A00%3A00Z&ske=2026-01-01T02%3A00%3A00Z&sks=b&skv=2025-01-05';
const TIMES = 'sv=2025-01-05&spr=https&st=2026-01-01T00%3A55%3A00Z&se=2026-01-01T02%3A00%3A00Z';

/** The user delegation SAS signature as Azure's "Create a user delegation SAS" documents it (version 2020-12-06 on). */
function documentedSignature(sp: string, resource: string, sr: string): string {
  const fields = [sp, '2026-01-01T00:55:00Z', '2026-01-01T02:00:00Z', resource, KEY.signedObjectId, KEY.signedTenantId, '2026-01-01T00:00:00Z', '2026-01-01T02:00:00Z', 'b', '2025-01-05',
    '', '', '', '', 'https', JOB_SAS_VERSION, sr, '', '', '', '', '', '', ''];
  return createHmac('sha256', Buffer.from(KEY.value, 'base64')).update(fields.join('\n'), 'utf8').digest('base64');
}

describe('Azure job SAS tokens', () => {
  test('GIVEN a LoRA job grant, a fixed delegation key and clock WHEN its SAS document is built THEN each key and directory has exactly its token', () => {
    // GIVEN the grant, KEY, START and END above
    // WHEN
    const doc = jobSasDocument(GRANT, { account: 'acct', container: 'vpctune', key: KEY, startsOn: START, expiresOn: END });
    // THEN
    expect(doc.account).toBe('acct');
    expect(doc.container).toBe('vpctune');
    expect(doc.expiry).toBe('2026-01-01T02:00:00.000Z');
    expect(doc.entries.map((e) => [e.prefix, e.resource, e.permissions])).toEqual([
      ['files/file-a', SasResource.BLOB, SasPermissions.READ_OBJECT],
      ['models/llama/', SasResource.DIRECTORY, SasPermissions.READ_DIRECTORY],
      ['jobs/ftjob-1/output/', SasResource.DIRECTORY, SasPermissions.READ_WRITE_DIRECTORY],
      ['adapters/ft-x/', SasResource.DIRECTORY, SasPermissions.WRITE_DIRECTORY],
    ]);
    expect(doc.entries.map((e) => e.sas)).toEqual([
      `${TIMES}&${KEY_PARAMS}&sr=b&sp=r&sig=X6pAU4IxRP4yjAWQsj6MLvuhL7btJLWhQvf0YTrd%2BIw%3D`,
      `${TIMES}&${KEY_PARAMS}&sr=d&sp=rl&sig=pXINLNvACpQUt3yxxrhVYJDAVFCwNsgNKD1OEOKxXo4%3D&sdd=2`,
      `${TIMES}&${KEY_PARAMS}&sr=d&sp=racwl&sig=0FiBrw9kUGuqJexuMV2D2G0LP19itG9xYLSsyJRcdrw%3D&sdd=3`,
      `${TIMES}&${KEY_PARAMS}&sr=d&sp=cw&sig=96MqdCpgFUdwlMN09yLLNErJBI3aC7FzaKanWGDYNtA%3D&sdd=2`,
    ]);
  });

  test('GIVEN the documented string-to-sign WHEN the data file token is built THEN its signature is that HMAC of the key', () => {
    // GIVEN
    const expected = documentedSignature('r', '/blob/acct/vpctune/files/file-a', 'b');
    // WHEN
    const sas = new URLSearchParams(jobSasDocument(GRANT, { account: 'acct', container: 'vpctune', key: KEY, startsOn: START, expiresOn: END }).entries[0]?.sas);
    // THEN
    expect(sas.get('sig')).toBe(expected);
  });

  test('GIVEN a bucket prefix WHEN the document is built THEN every token is scoped under it and directory depth counts it', () => {
    // WHEN
    const doc = jobSasDocument(GRANT, { account: 'acct', container: 'vpctune', prefix: 'tenant/', key: KEY, startsOn: START, expiresOn: END });
    // THEN
    expect(doc.entries.map((e) => [e.prefix, new URLSearchParams(e.sas).get('sdd')])).toEqual([
      ['tenant/files/file-a', null],
      ['tenant/models/llama/', '3'],
      ['tenant/jobs/ftjob-1/output/', '4'],
      ['tenant/adapters/ft-x/', '3'],
    ]);
  });

  test('GIVEN an expiry after the delegation key’s WHEN the document is built THEN it is refused naming both times', () => {
    // WHEN / THEN
    expect(() => jobSasDocument(GRANT, { account: 'acct', container: 'vpctune', key: KEY, startsOn: START, expiresOn: new Date('2026-01-01T02:00:01Z') })).toThrow(
      new JobAccessError("SAS expiry 2026-01-01T02:00:01.000Z of job ftjob-1 is after the delegation key's 2026-01-01T02:00:00.000Z; allowed: at most the key's expiry"),
    );
  });

  test('GIVEN an expiry not after the start WHEN the document is built THEN it is refused', () => {
    // WHEN / THEN
    expect(() => jobSasDocument(GRANT, { account: 'acct', container: 'vpctune', key: KEY, startsOn: END, expiresOn: END })).toThrow(
      'SAS expiry 2026-01-01T02:00:00.000Z of job ftjob-1 is not after its start 2026-01-01T02:00:00.000Z',
    );
  });
});
