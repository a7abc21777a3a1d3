/**
 * Per-job trainer credentials on GCP (job-credentials-gcp.ts): the source token is exchanged at Google's STS with the
 * job's Credential Access Boundary as `options` (google-auth-library's DownscopedClient; the HTTP transport is the
 * fake), and the Secret's token file holds the downscoped token and its expiry.
 */
import { DefaultTransporter, OAuth2Client } from 'google-auth-library';
import { adapterPrefix, fileKey, jobAccessGrant, jobOutputPrefix, modelPrefix } from '../../../../constructs/platform';
import { GcpJobCredentialIssuer } from '../../src/executor/kubernetes/job-credentials-gcp';

const GRANT = jobAccessGrant('ftjob-1', { base_model: modelPrefix('acme/base'), training_file: fileKey('file-1'), output_dir: jobOutputPrefix('ftjob-1'), fine_tuned_model: 'acme/base:x:1', publish_dir: adapterPrefix('acme/base:x:1') });
const NOW = Date.parse('2025-06-01T12:00:00.000Z');

/** A source client holding a fixed trainer-job token (what impersonation would return). */
function sourceToken(): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: 'ya29.trainer-job', expiry_date: NOW + 3_600_000 });
  return client;
}

describe('GcpJobCredentialIssuer', () => {
  beforeEach(() => {
    // The clock only: the source token is valid at NOW, and the downscoped expiry is counted from it.
    jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
  });

  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  test('GIVEN a job’s grant WHEN credentials are minted THEN the token exchange carries the boundary and the file holds the downscoped token and expiry', async () => {
    // GIVEN
    const requests: { url?: string; method?: string; data?: unknown }[] = [];
    jest.spyOn(DefaultTransporter.prototype, 'request').mockImplementation((async (opts: { url?: string; method?: string; data?: unknown }) => {
      requests.push({ url: opts.url, method: opts.method, data: opts.data });
      return { data: { access_token: 'ya29.downscoped', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 3599 }, status: 200, headers: {}, config: opts };
    }) as never);
    const issuer = new GcpJobCredentialIssuer({ serviceAccount: 'acme-tjb@proj-1.iam.gserviceaccount.com', bucket: 'acme-artifacts', prefix: 'team', source: sourceToken() });
    // WHEN
    const creds = await issuer.mint(GRANT);
    // THEN
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe('https://sts.googleapis.com/v1/token');
    expect(requests[0]?.method).toBe('POST');
    const form = new URLSearchParams(requests[0]?.data as string);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token: 'ya29.trainer-job',
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      options: JSON.stringify(issuer.accessBoundary(GRANT)),
    });
    const rules = issuer.accessBoundary(GRANT).accessBoundary.accessBoundaryRules;
    expect(rules.map((r) => r.availabilityCondition.title)).toEqual(['read team/files/file-1', 'read team/models/acme/base/', 'read-write team/jobs/ftjob-1/output/', 'create team/adapters/acme/base:x:1/', 'list ftjob-1']);
    expect(creds).toEqual({ files: { 'gcs-token.json': '{"access_token":"ya29.downscoped","expiry":"2025-06-01T12:59:59.000Z"}\n' }, expiresAt: NOW + 3_599_000 });
    expect(issuer.env).toEqual([{ name: 'VPCTUNE_GCS_TOKEN_FILE', value: '/var/run/vpctune/credentials/gcs-token.json' }]);
    expect(issuer.podAnnotations).toEqual({});
  });

  test('GIVEN STS refuses the exchange WHEN credentials are minted THEN the OAuth error reaches the caller', async () => {
    // GIVEN
    const { GaxiosError } = await import('gaxios');
    jest.spyOn(DefaultTransporter.prototype, 'request').mockImplementation((async (opts: object) => {
      const response = { data: { error: 'invalid_request', error_description: 'Access boundary rule has an invalid condition' }, status: 400, headers: {}, config: opts };
      throw new GaxiosError('Request failed with status code 400', opts as never, response as never);
    }) as never);
    const issuer = new GcpJobCredentialIssuer({ serviceAccount: 'acme-tjb@proj-1.iam.gserviceaccount.com', bucket: 'acme-artifacts', prefix: '', source: sourceToken() });
    // WHEN / THEN
    await expect(issuer.mint(GRANT)).rejects.toThrow('Error code invalid_request: Access boundary rule has an invalid condition');
  });
});
