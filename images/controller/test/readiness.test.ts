/** `/healthz` says the process answers; `/readyz` says the store and the blob storage answer too. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { LocalDirectoryStorage } from '../src/storage/local-directory-storage';
import { startTestPlatform, type TestPlatform } from './helpers/test-platform';

class FlakyStorage extends LocalDirectoryStorage {
  down = false;
  override async stat(key: string): Promise<{ readonly bytes: number } | undefined> {
    if (this.down) throw new Error('storage unreachable: connect ECONNREFUSED 127.0.0.1:9');
    return super.stat(key);
  }
  override async put(key: string, body: Readable, options?: { readonly maxBytes?: number }): Promise<{ readonly bytes: number }> {
    if (this.down) {
      body.resume();
      throw new Error('storage unreachable: connect ECONNREFUSED 127.0.0.1:9');
    }
    return super.put(key, body, options);
  }
}

let tp: TestPlatform | undefined;
afterEach(async () => {
  await tp?.close();
});

test('GIVEN reachable storage THEN ready; WHEN storage stops answering THEN /readyz is 503 with the reason while /healthz stays 200', async () => {
  const storage = new FlakyStorage(fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-ready-')));
  tp = await startTestPlatform({ storage });
  const base = tp.platform.url.replace(/\/v1$/, '');
  expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ok' });
  storage.down = true;
  const res = await fetch(`${base}/readyz`);
  expect(res.status).toBe(503);
  expect(await res.json()).toEqual({ status: 'unavailable', reason: 'storage is not writable: storage unreachable: connect ECONNREFUSED 127.0.0.1:9' });
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
});
