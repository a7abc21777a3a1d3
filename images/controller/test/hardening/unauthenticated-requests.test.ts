/**
 * A request that fails authentication writes nothing durable (no audit row, no growth of the database): it is counted
 * in `vpctune_auth_failures_total{reason}`. Failed authentication is rate-limited per client address.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorOf } from '../helpers/api-error-assert';
import { startTestPlatform, type TestPlatform } from '../helpers/test-platform';
import { metricsText, originOf, sampleValue } from './raw-http';

describe('without a failed-authentication limit', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ api: { failedAuthRateLimit: null } });
  });
  afterAll(() => t.close());

  test('GIVEN 300 mutating calls without a key and with 8 kB paths WHEN answered THEN each is a 401, no audit row is written, the database does not grow, and the metric counts them', async () => {
    // GIVEN the database file's size and the audit log before
    const origin = originOf(t.platform.url);
    const db = path.join(t.dataDir, 'controller.db');
    const sizeBefore = fs.statSync(db).size;
    const auditBefore = (await t.platform.store.listAudit(10_000)).length;
    const longPath = `/v1/files/${'x'.repeat(8 * 1024)}`;

    // WHEN 100 POSTs, 100 DELETEs without a key and 100 POSTs with an unknown key arrive
    const statuses: number[] = [];
    for (let i = 0; i < 100; i += 1) {
      statuses.push((await fetch(`${origin}${longPath}${i}`, { method: 'POST' })).status);
      statuses.push((await fetch(`${origin}${longPath}${i}`, { method: 'DELETE' })).status);
      statuses.push((await fetch(`${origin}/v1/fine_tuning/jobs`, { method: 'POST', headers: { authorization: 'Bearer sk-vpct-not-a-key-0000000000000' }, body: '{}' })).status);
    }

    // THEN every one is refused with 401
    expect(new Set(statuses)).toEqual(new Set([401]));
    // AND nothing was written to the audit log, and the database file did not grow
    expect((await t.platform.store.listAudit(10_000)).length).toBe(auditBefore);
    expect(fs.statSync(db).size).toBe(sizeBefore);
    // AND the failures are counted by reason
    const metrics = await metricsText(origin);
    expect(sampleValue(metrics, 'vpctune_auth_failures_total{reason="missing_api_key"}')).toBe(200);
    expect(sampleValue(metrics, 'vpctune_auth_failures_total{reason="invalid_api_key"}')).toBe(100);
  });

  test('GIVEN a valid key WHEN it makes a mutating call THEN that call is still audited', async () => {
    // GIVEN / WHEN a file is deleted that does not exist (an authenticated, mutating call)
    const err = await errorOf(() => t.client(t.keyA).files.delete('file-none'));
    // THEN it is answered and written to the audit log with its key and project
    expect(err).toMatchObject({ status: 404, code: 'file_not_found' });
    const [last] = await t.platform.store.listAudit(1);
    expect(last).toMatchObject({ method: 'DELETE', path: '/v1/files/file-none', status: 404, projectId: 'alpha', keyId: t.keyAId });
  });
});

describe('with the failed-authentication limit (burst 5, 0.5/s)', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ api: { failedAuthRateLimit: { perSecond: 0.5, burst: 5 } } });
  });
  afterAll(() => t.close());

  test('GIVEN 5 failed authentications from one address WHEN more come from it THEN they are 429s with Retry-After, and a valid key from it still works', async () => {
    // GIVEN five requests with a wrong key, each a 401
    const bad = t.client('sk-vpct-wrong-key-00000000000000000000000000000');
    for (let i = 0; i < 5; i += 1) expect(await errorOf(() => bad.files.list())).toMatchObject({ status: 401, code: 'invalid_api_key' });

    // WHEN the same address tries again with the wrong key, without a key, and with a valid key
    const limited = await errorOf(() => bad.files.list());
    const raw = await fetch(`${t.platform.url}/files`, { method: 'POST' });
    const valid = await t.client(t.keyA).files.list();

    // THEN the failures are refused as rate limited with the time to wait
    expect(limited).toEqual({ status: 429, code: 'rate_limit_exceeded', param: null, type: 'invalid_request_error', message: 'Too many failed authentications from 127.0.0.1: retry after 2 s.' });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('2');
    // AND the valid key is served
    expect(valid.data).toEqual([]);
    // AND the refusals are counted, and nothing was audited
    const metrics = await metricsText(originOf(t.platform.url));
    expect(sampleValue(metrics, 'vpctune_auth_failures_total{reason="invalid_api_key"}')).toBe(5);
    expect(sampleValue(metrics, 'vpctune_auth_failures_total{reason="rate_limited"}')).toBe(2);
    expect(await t.platform.store.listAudit(10)).toEqual([]);
  });
});
