/**
 * The admin API (what `vpctune keys` and `vpctune models import` use while a controller runs) answers bad input with a
 * 400 naming the field and the value, and the CLI prints that reason instead of a server error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../../../stacks/cli/main';
import { errorOf } from '../helpers/api-error-assert';
import { fakeModelDir, startTestPlatform, type TestPlatform } from '../helpers/test-platform';
import { originOf } from './raw-http';

let t: TestPlatform;
let modelDir: string;
beforeAll(async () => {
  t = await startTestPlatform();
  modelDir = fakeModelDir(fs.mkdtempSync(path.join(t.dataDir, 'import-')));
});
afterAll(() => t.close());

const PROJECT_RULE = "allowed: 1-63 lowercase letters, digits, '-' or '_', starting with a letter or digit.";
const MODEL_RULE = "allowed: a Hugging Face style id like 'org/name' (letters, digits, '.', '_' and '-', at most one '/').";

async function admin(pathName: string, body: unknown) {
  const token = fs.readFileSync(path.join(t.dataDir, 'admin.token'), 'utf8').trim();
  return fetch(`${originOf(t.platform.url)}${pathName}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

test.each([
  ['/admin/keys', { project: '../x' }, 'project', `Invalid 'project': "../x"; ${PROJECT_RULE}`],
  ['/admin/keys', { project: 'a\u0000b' }, 'project', `Invalid 'project': "a\\u0000b"; ${PROJECT_RULE}`],
  ['/admin/keys/list', { project: 'UPPER' }, 'project', `Invalid 'project': "UPPER"; ${PROJECT_RULE}`],
  ['/admin/models/list', { project: '../x' }, 'project', `Invalid 'project': "../x"; ${PROJECT_RULE}`],
  ['/admin/models/import', { id: '../../etc', from: '/tmp' }, 'id', `Invalid 'id': "../../etc"; ${MODEL_RULE}`],
  ['/admin/models/import', { id: 'org/name\u0000x', from: '/tmp' }, 'id', `Invalid 'id': "org/name\\u0000x"; ${MODEL_RULE}`],
  ['/admin/models/import', { id: 'org/name', from: '/no/such/dir' }, 'from', `Invalid 'from': "/no/such/dir" is not a directory on the controller's machine.`],
  ['/admin/models/import', { id: 'org/name', from: '/tmp' }, 'from', `Invalid 'from': "/tmp" has no config.json; expected a Hugging Face model directory.`],
])('GIVEN %s with %j WHEN called THEN it is a 400 naming the field and the value', async (pathName, body, param, message) => {
  // GIVEN / WHEN the admin call is made with the controller's token
  const err = await errorOf(() => admin(pathName, body));
  // THEN it is a 400 with the reason
  expect(err).toEqual({ status: 400, type: 'invalid_request_error', code: 'invalid_value', param, message });
});

test('GIVEN a running controller WHEN vpctune models import is given --id ../../etc THEN it exits 2 with the reason from the controller', async () => {
  // GIVEN a controller that owns the data directory (this test's platform)
  // WHEN the CLI (its sources, in this process) imports a model under a path-like id
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
  const code = await main(['models', 'import', '--id', '../../etc', '--from', modelDir, '--data-dir', t.dataDir], io);
  // THEN it fails as a usage error with the controller's reason, and no model was registered
  expect({ code, stdout, stderr }).toEqual({ code: 2, stdout: '', stderr: `vpctune models import: Invalid 'id': "../../etc"; ${MODEL_RULE}\n` });
  expect((await t.platform.store.listModels('alpha')).map((m) => m.id)).toEqual(['vpctune/tiny-chat']);
}, 60_000);
