/**
 * A small run of scripts/soak-controller.ts (the full one is not CI): aborted uploads, unauthenticated requests with
 * long paths and unknown paths against the local platform in a child process leave its open descriptors, disk use,
 * database size and /metrics flat.
 */
import { runSoak, type SoakReport } from '../../../../scripts/soak-controller';

let report: SoakReport;
beforeAll(async () => {
  report = await runSoak({ abortedUploads: 40, unauthenticated: 600, unknownPaths: 600, pathBytes: 8192, concurrency: 8, maxSeconds: 60 });
}, 120_000);

test('GIVEN the soak WHEN it ran THEN every request was sent', () => {
  // GIVEN / WHEN the soak above / THEN nothing was cut short by its time limit
  expect(report.sent).toEqual({ 'aborted uploads': 40, unauthenticated: 600, 'unknown paths': 600 });
});

test('GIVEN 40 aborted uploads WHEN they settled THEN no partial file is left and no descriptor is held', () => {
  // GIVEN / WHEN the soak above / THEN
  expect(report.after.partialFiles).toBe(0);
  expect(report.after.openFds).toBeLessThanOrEqual(report.before.openFds + 2);
});

test('GIVEN 600 unauthenticated requests with 8 kB paths WHEN answered THEN the database and the data directory did not grow beyond the audited uploads', () => {
  // GIVEN / WHEN the soak above / THEN at most a few pages for the 40 audited (authenticated) uploads
  expect(report.after.databaseBytes - report.before.databaseBytes).toBeLessThanOrEqual(64 * 1024);
  expect(report.after.dataDirBytes - report.before.dataDirBytes).toBeLessThanOrEqual(64 * 1024);
  // AND the requests were refused (401, then 429 once the address used up its failed authentications)
  expect(Object.keys(report.statuses).filter((k) => k.startsWith('unauthenticated')).sort()).toEqual(expect.arrayContaining(['unauthenticated 429']));
  expect((report.statuses['unauthenticated 401'] ?? 0) + (report.statuses['unauthenticated 429'] ?? 0)).toBe(600);
});

test('GIVEN 600 unknown paths WHEN answered THEN /metrics has no more series and stays about the same size, and /healthz stays fast', () => {
  // GIVEN / WHEN the soak above / THEN
  expect(report.newSamples).toEqual([]);
  expect(report.after.metricsSamples).toBe(report.before.metricsSamples);
  expect(report.after.metricsBytes - report.before.metricsBytes).toBeLessThanOrEqual(8 * 1024);
  expect(report.after.healthzMs).toBeLessThan(250);
});
