/**
 * NUL and other control characters in ids, names, models and metadata of request bodies are a 400 naming the field,
 * never stored (SQLite would cut a string at NUL: "vpctune/tiny-chat\u0000../x" was stored as the base model).
 */
import { toFile } from 'openai';
import { errorOf } from '../helpers/api-error-assert';
import { BASE_MODEL, startTestPlatform, type TestPlatform } from '../helpers/test-platform';
import { sftJsonl } from '../helpers/training-data';

let tp: TestPlatform;
let fileId: string;
beforeAll(async () => {
  tp = await startTestPlatform();
  fileId = (await tp.client(tp.keyA).files.create({ file: await toFile(Buffer.from(sftJsonl(12)), 'train.jsonl'), purpose: 'fine-tune' })).id;
});
afterAll(async () => {
  await tp.close();
});

function createJob(body: Record<string, unknown>): Promise<Response> {
  return fetch(`${tp.platform.url}/fine_tuning/jobs`, { method: 'POST', headers: { authorization: `Bearer ${tp.keyA}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

const cases: readonly { readonly name: string; readonly body: () => Record<string, unknown>; readonly param: string; readonly message: () => string }[] = [
  {
    name: 'NUL in model',
    body: () => ({ model: `${BASE_MODEL}\u0000../x`, training_file: fileId }),
    param: 'model',
    message: () => `Invalid 'model': "vpctune/tiny-chat\\u0000../x" contains the control character U+0000 at position 17; allowed: printable characters only.`,
  },
  {
    name: 'NUL in training_file',
    body: () => ({ model: BASE_MODEL, training_file: `${fileId}\u0000junk` }),
    param: 'training_file',
    message: () => `Invalid 'training_file': ${JSON.stringify(`${fileId}\u0000junk`)} contains the control character U+0000 at position ${fileId.length}; allowed: printable characters only.`,
  },
  {
    name: 'escape in validation_file',
    body: () => ({ model: BASE_MODEL, training_file: fileId, validation_file: `\u001b[2J${fileId}` }),
    param: 'validation_file',
    message: () => `Invalid 'validation_file': ${JSON.stringify(`\u001b[2J${fileId}`)} contains the control character U+001B at position 0; allowed: printable characters only.`,
  },
  {
    name: 'newline in a metadata key',
    body: () => ({ model: BASE_MODEL, training_file: fileId, metadata: { 'team\nx': 'a' } }),
    param: 'metadata',
    message: () => `Invalid 'metadata': key "team\\nx" contains the control character U+000A at position 4; allowed: printable characters only.`,
  },
  {
    name: 'NUL in a metadata value',
    body: () => ({ model: BASE_MODEL, training_file: fileId, metadata: { team: 'a\u0000b' } }),
    param: 'metadata.team',
    message: () => `Invalid 'metadata.team': "a\\u0000b" contains the control character U+0000 at position 1; allowed: printable characters only.`,
  },
  {
    name: 'DEL in suffix',
    body: () => ({ model: BASE_MODEL, training_file: fileId, suffix: 'ok\u007f' }),
    param: 'suffix',
    message: () => `Invalid 'suffix': "ok\u007f" contains the control character U+007F at position 2; allowed: printable characters only.`,
  },
];

test.each(cases)('GIVEN a create-job body with $name WHEN posted THEN 400 naming the field, and no job', async ({ body, param, message }) => {
  // GIVEN a body with a control character in one field
  // WHEN it is posted
  const err = await errorOf(() => createJob(body()));
  // THEN a 400 names the field, shows the value escaped and says what is allowed
  expect(err).toEqual({ status: 400, type: 'invalid_request_error', code: 'invalid_value', param, message: message() });
  // AND no job was created
  expect((await tp.client(tp.keyA).fineTuning.jobs.list()).data).toEqual([]);
});

/** A multipart upload whose file name is given RFC 5987-encoded (`filename*`), as a client may send any byte that way. */
function uploadNamed(encodedName: string): Promise<Response> {
  const boundary = 'vpctune-test-boundary';
  const body = [
    `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nfine-tune\r\n`,
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename*=UTF-8''${encodedName}\r\nContent-Type: application/octet-stream\r\n\r\n${sftJsonl(12)}\r\n`,
    `--${boundary}--\r\n`,
  ].join('');
  return fetch(`${tp.platform.url}/files`, { method: 'POST', headers: { authorization: `Bearer ${tp.keyA}`, 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
}

test('GIVEN an upload whose file name holds a NUL WHEN posted THEN 400 naming the file name, and no file', async () => {
  // GIVEN a multipart upload whose (percent-encoded) file name decodes to one with a NUL
  const before = (await tp.client(tp.keyA).files.list()).data.length;
  // WHEN it is uploaded
  const err = await errorOf(() => uploadNamed('train%00junk.jsonl'));
  // THEN a 400 names the file name
  expect(err).toEqual({ status: 400, type: 'invalid_request_error', code: 'invalid_value', param: 'file', message: `Invalid 'file' name: "train\\u0000junk.jsonl" contains the control character U+0000 at position 5; allowed: printable characters only.` });
  // AND no file was stored, while the same upload with a printable name is accepted
  expect((await tp.client(tp.keyA).files.list()).data.length).toBe(before);
  expect((await uploadNamed('train.jsonl')).status).toBe(200);
});

test('GIVEN printable non-ASCII text in every field WHEN a job is created THEN it is accepted unchanged', async () => {
  // GIVEN metadata with accents and CJK (printable, not control characters)
  // WHEN the job is created
  const res = await createJob({ model: BASE_MODEL, training_file: fileId, metadata: { équipe: 'données 测试' } });
  // THEN it is created with the metadata as sent
  expect(res.status).toBe(200);
  expect(((await res.json()) as { metadata: unknown }).metadata).toEqual({ équipe: 'données 测试' });
});
