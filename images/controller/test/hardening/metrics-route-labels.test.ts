/**
 * `/metrics` labels requests by route template; every path no route matches (under /v1, /admin or anywhere) is
 * folded into route="unmatched", so unknown paths cannot grow the series.
 */
import { startTestPlatform, type TestPlatform } from '../helpers/test-platform';
import { metricsText, originOf } from './raw-http';

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({ api: { failedAuthRateLimit: null } });
});
afterAll(() => t.close());

const seriesLines = (metrics: string) => metrics.split('\n').filter((l) => l.startsWith('vpctune_http_request_duration_seconds'));

async function unknownPaths(origin: string, from: number, to: number, key: string): Promise<void> {
  for (let i = from; i < to; i += 1) {
    await fetch(`${origin}/admin/x${i}`);
    await fetch(`${origin}/v1/x${i}`);
    await fetch(`${origin}/v1/y${i}`, { headers: { authorization: `Bearer ${key}` } });
    await fetch(`${origin}/x${i}`);
  }
}

test('GIVEN 10 unknown paths of each kind WHEN 400 more arrive THEN /metrics has exactly the same series and none names a path', async () => {
  // GIVEN the series after 10 unknown paths of each kind (admin without a token, /v1 with and without a key, elsewhere)
  const origin = originOf(t.platform.url);
  await metricsText(origin);
  await unknownPaths(origin, 0, 10, t.keyA);
  const before = seriesLines(await metricsText(origin)).map((l) => l.replace(/ \S+$/, ''));

  // WHEN 400 other unknown paths of each kind arrive
  await unknownPaths(origin, 10, 410, t.keyA);

  // THEN the same series exist, labelled "unmatched", and no label holds a requested path
  const after = seriesLines(await metricsText(origin));
  expect(after.map((l) => l.replace(/ \S+$/, ''))).toEqual(before);
  expect(after.filter((l) => /x\d|y\d/.test(l))).toEqual([]);
  expect(after).toContain('vpctune_http_request_duration_seconds_count{method="GET",route="unmatched",status="401"} 1230');
  expect(after).toContain('vpctune_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 410');
});

test('GIVEN a known route WHEN it is called without a key THEN the 401 is labelled with the route template', async () => {
  // GIVEN / WHEN a file and a job are fetched without a key
  const origin = originOf(t.platform.url);
  await fetch(`${origin}/v1/files/file-abc`);
  await fetch(`${origin}/v1/fine_tuning/jobs/ftjob-abc/events`);
  await fetch(`${origin}/admin/keys`, { method: 'POST' });

  // THEN each is labelled with its template
  const after = seriesLines(await metricsText(origin));
  expect(after).toContain('vpctune_http_request_duration_seconds_count{method="GET",route="/v1/files/:file_id",status="401"} 1');
  expect(after).toContain('vpctune_http_request_duration_seconds_count{method="GET",route="/v1/fine_tuning/jobs/:fine_tuning_job_id/events",status="401"} 1');
  expect(after).toContain('vpctune_http_request_duration_seconds_count{method="POST",route="/admin/keys",status="401"} 1');
});
