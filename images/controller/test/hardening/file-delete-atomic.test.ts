/** Deleting a file either completes (record and content gone) or leaves both, e.g. when storage refuses to delete. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { toFile } from 'openai';
import { fileKey } from '../../../../constructs/platform/bucket-keys';
import { LocalDirectoryStorage } from '../../src/storage/local-directory-storage';
import { errorOf } from '../helpers/api-error-assert';
import { startTestPlatform, type TestPlatform } from '../helpers/test-platform';
import { sftJsonl } from '../helpers/training-data';

/** Local storage whose deletes fail as on a read-only file system while `readOnly` is set. */
class SwitchableReadOnlyStorage extends LocalDirectoryStorage {
  readOnly = false;

  override async delete(key: string): Promise<void> {
    if (this.readOnly) throw Object.assign(new Error(`EROFS: read-only file system, unlink '${key}'`), { code: 'EROFS' });
    await super.delete(key);
  }
}

let t: TestPlatform;
let storage: SwitchableReadOnlyStorage;
beforeAll(async () => {
  storage = new SwitchableReadOnlyStorage(fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-ro-')));
  t = await startTestPlatform({ storage });
});
afterAll(async () => {
  await t.close();
  fs.rmSync(storage.root, { recursive: true, force: true });
});

test('GIVEN storage that refuses deletes WHEN a file is deleted THEN the call fails and both the record and the content stay; once storage recovers the delete completes', async () => {
  // GIVEN an uploaded file and storage gone read-only
  const a = t.client(t.keyA);
  const file = await a.files.create({ file: await toFile(Buffer.from(sftJsonl(10)), 'train.jsonl'), purpose: 'fine-tune' });
  storage.readOnly = true;

  // WHEN the file is deleted
  const err = await errorOf(() => a.files.delete(file.id));

  // THEN the call fails as a storage fault, and the file is still listed, retrievable and downloadable
  expect(err).toEqual({ status: 503, type: 'server_error', code: 'storage_unavailable', param: null, message: `Storage is unavailable: read-only file system (EROFS). The content of file '${file.id}' could not be deleted; the file is kept: retry once storage is writable again.` });
  expect((await a.files.retrieve(file.id)).id).toBe(file.id);
  expect((await a.files.list()).data.map((f) => f.id)).toContain(file.id);
  expect(await (await a.files.content(file.id)).text()).toBe(sftJsonl(10));

  // WHEN storage recovers and the delete is asked again
  storage.readOnly = false;
  const deleted = await a.files.delete(file.id);

  // THEN both are gone
  expect(deleted).toEqual({ id: file.id, object: 'file', deleted: true });
  expect(await errorOf(() => a.files.retrieve(file.id))).toMatchObject({ status: 404, code: 'file_not_found' });
  expect(await storage.stat(fileKey(file.id))).toBeUndefined();
});
