/**
 * File names round-trip as UTF-8 and downloads carry an RFC 6266 Content-Disposition (RFC 5987 `filename*`); ids and
 * query parameters with NUL or other control characters are refused with a 400 naming the parameter.
 */
import contentDisposition from 'content-disposition';
import { toFile } from 'openai';
import { errorOf } from '../helpers/api-error-assert';
import { BASE_MODEL, startTestPlatform, type TestPlatform } from '../helpers/test-platform';
import { sftJsonl } from '../helpers/training-data';

let t: TestPlatform;
let fileId: string;
beforeAll(async () => {
  t = await startTestPlatform();
  fileId = (await t.client(t.keyA).files.create({ file: await toFile(Buffer.from(sftJsonl(10)), 'données-тест.jsonl'), purpose: 'fine-tune' })).id;
});
afterAll(() => t.close());

test('GIVEN a file uploaded as données-тест.jsonl WHEN it is retrieved, listed and downloaded THEN the name is intact everywhere', async () => {
  // GIVEN the file uploaded through the SDK (in beforeAll)
  const a = t.client(t.keyA);
  // WHEN it is retrieved, listed and its content downloaded
  const retrieved = await a.files.retrieve(fileId);
  const listed = (await a.files.list()).data.find((f) => f.id === fileId);
  const content = await a.files.content(fileId);
  // THEN the name is the uploaded one, and the download header is RFC 6266 with an ASCII fallback and the UTF-8 name
  expect(retrieved.filename).toBe('données-тест.jsonl');
  expect(listed?.filename).toBe('données-тест.jsonl');
  expect(content.status).toBe(200);
  const header = content.headers.get('content-disposition') ?? '';
  expect(header).toBe("attachment; filename=\"donn?es-????.jsonl\"; filename*=UTF-8''donn%C3%A9es-%D1%82%D0%B5%D1%81%D1%82.jsonl");
  expect(contentDisposition.parse(header).parameters['filename']).toBe('données-тест.jsonl');
  expect(await content.text()).toBe(sftJsonl(10));
});

test('GIVEN a file name with a control character (as an RFC 5987 filename*) WHEN uploaded THEN it is a 400 naming the file', async () => {
  // GIVEN a multipart body whose file part is named a<U+0001>b.jsonl (no SDK sends a raw control character in a header)
  const boundary = 'b0undary';
  const body = `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nfine-tune\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename*=UTF-8''a%01b.jsonl\r\n\r\n${sftJsonl(10)}\r\n--${boundary}--\r\n`;
  // WHEN it is uploaded
  const err = await errorOf(() => fetch(`${t.platform.url}/files`, { method: 'POST', headers: { authorization: `Bearer ${t.keyA}`, 'content-type': `multipart/form-data; boundary=${boundary}` }, body }));
  // THEN it is refused, naming the file name and the character
  expect(err).toEqual({ status: 400, type: 'invalid_request_error', code: 'invalid_value', param: 'file', message: 'Invalid \'file\' name: "a\\u0001b.jsonl" contains the control character U+0001 at position 1; allowed: printable characters only.' });
});

test.each([
  ['a file id with NUL and more after it', () => t.client(t.keyA).files.retrieve(`${fileId}\u0000junk`), 'file_id', '"FILE\\u0000junk"', 'U+0000 at position 29'],
  ["a file's content by an id with a NUL", () => t.client(t.keyA).files.content(`${fileId}\u0000`), 'file_id', '"FILE\\u0000"', 'U+0000 at position 29'],
  ['a job id with a newline', () => t.client(t.keyA).fineTuning.jobs.retrieve('ftjob-abc\ndef'), 'fine_tuning_job_id', '"ftjob-abc\\ndef"', 'U+000A at position 9'],
  ['job events by an id with DEL', () => t.client(t.keyA).fineTuning.jobs.listEvents('ftjob-abc\u007f'), 'fine_tuning_job_id', '"ftjob-abc\u007f"', 'U+007F at position 9'],
  ['a model id with a NUL and a path', () => t.client(t.keyA).models.retrieve(`${BASE_MODEL}\u0000../x`), 'model', '"vpctune/tiny-chat\\u0000../x"', 'U+0000 at position 17'],
  ["a list cursor 'after' with a NUL", () => t.client(t.keyA).files.list({ after: `${fileId}\u0000` }), 'after', '"FILE\\u0000"', 'U+0000 at position 29'],
  ['a metadata filter value with a NUL', () => t.client(t.keyA).fineTuning.jobs.list({ metadata: { team: 'a\u0000b' } }), 'metadata[team]', '"a\\u0000b"', 'U+0000 at position 1'],
])('GIVEN %s WHEN requested THEN it is a 400 naming the parameter and the character', async (_what, call, param, shownValue, where) => {
  // GIVEN / WHEN the request is made through the SDK
  const err = await errorOf(call);
  // THEN it is refused before any lookup, naming the parameter, the value and the character
  expect(err).toEqual({ status: 400, type: 'invalid_request_error', code: 'invalid_value', param, message: `Invalid '${param}': ${shownValue.replace('FILE', fileId)} contains the control character ${where}; allowed: printable characters only.` });
});

test('GIVEN a metadata filter key with an escape character WHEN jobs are listed THEN it is a 400 naming the query parameter', async () => {
  // GIVEN / WHEN the filter's key holds ESC
  const err = await errorOf(() => t.client(t.keyA).fineTuning.jobs.list({ metadata: { 'te\u001bam': 'x' } }));
  // THEN the parameter's name is refused
  expect(err).toEqual({ status: 400, type: 'invalid_request_error', code: 'invalid_value', param: 'metadata[te\u001bam]', message: 'Invalid query parameter name: "metadata[te\\u001bam]" contains the control character U+001B at position 11; allowed: printable characters only.' });
});
