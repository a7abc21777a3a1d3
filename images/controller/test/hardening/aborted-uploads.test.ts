/**
 * An upload whose client disconnects before the closing multipart boundary settles at once: its handler ends, the
 * partial file is removed and its file descriptor closed. Partial files a crash left behind are removed at start.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../../src/ops/logger';
import { startPlatform } from '../../src/platform/platform';
import { FAKE_TRAINER_DIR, startTestPlatform, waitFor, type TestPlatform } from '../helpers/test-platform';
import { abortedUpload, metricsText, openFds, originOf, partialFiles, sampleValue } from './raw-http';

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(() => t.close());

test('GIVEN 20 uploads cut off mid-file WHEN the clients disconnect THEN every handler settles, no partial file stays and no descriptor leaks', async () => {
  // GIVEN the server's open descriptors after one warm-up request
  const origin = originOf(t.platform.url);
  const filesDir = path.join(t.dataDir, 'storage', 'files');
  await metricsText(origin);
  const fdsBefore = openFds('self');

  // WHEN 20 clients each send 256 KiB of a larger file and then disconnect
  for (let i = 0; i < 20; i += 1) await abortedUpload(origin, t.keyA, 256 * 1024, () => partialFiles(filesDir).length > 0);

  // THEN each request ended (as 499: the client closed it) and its partial file is gone
  const settled = await waitFor('the aborted uploads to settle', async () => {
    const n = sampleValue(await metricsText(origin), 'vpctune_http_request_duration_seconds_count{method="POST",route="/v1/files",status="499"}');
    return n === 20 && partialFiles(filesDir).length === 0 ? n : undefined;
  }, 15_000);
  expect(settled).toBe(20);
  expect(partialFiles(filesDir)).toEqual([]);
  // AND the process holds no more descriptors than before
  expect(openFds('self')).toBeLessThanOrEqual(fdsBefore + 2);
  // AND nothing was registered
  expect((await t.client(t.keyA).files.list()).data).toEqual([]);
});

test('GIVEN partial files a crashed controller left WHEN the platform starts on that data directory THEN they are removed and finished files stay', async () => {
  // GIVEN a data directory with a finished file and the partial files of a dead process
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-partials-'));
  const filesDir = path.join(dataDir, 'storage', 'files');
  fs.mkdirSync(filesDir, { recursive: true });
  fs.writeFileSync(path.join(filesDir, 'file-kept'), 'done\n');
  fs.writeFileSync(path.join(filesDir, 'file-cut.partial-2147483646-1700000000000'), 'half');
  fs.mkdirSync(path.join(dataDir, 'storage', 'jobs', 'ftjob-x'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'storage', 'jobs', 'ftjob-x', 'metrics.jsonl.partial-2147483646-1700000000001'), 'half');

  // WHEN a platform starts on it
  const platform = await startPlatform({ dataDir, port: 0, trainer: { python: 'python3', env: { PYTHONPATH: FAKE_TRAINER_DIR } }, log: silentLogger });
  try {
    // THEN the partial files are gone and the finished one is untouched
    expect(partialFiles(path.join(dataDir, 'storage'))).toEqual([]);
    expect(fs.readFileSync(path.join(filesDir, 'file-kept'), 'utf8')).toBe('done\n');
  } finally {
    await platform.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
