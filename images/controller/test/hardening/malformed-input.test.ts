/** Input that used to reach a 500 is a 400 in OpenAI's error shape: bad percent-escapes, floods of filters, deep JSON. */
import { toFile } from 'openai';
import { errorOf } from '../helpers/api-error-assert';
import { BASE_MODEL, startTestPlatform, type TestPlatform } from '../helpers/test-platform';
import { sftJsonl } from '../helpers/training-data';

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(() => t.close());

test.each([
  ['/v1/files/%E0%A4%A', 'file_id', '"%E0%A4%A"'],
  ['/v1/fine_tuning/jobs/ftjob-%ZZ/events', 'fine_tuning_job_id', '"ftjob-%ZZ"'],
  ['/v1/models/org%2/name', 'model', '"org%2/name"'],
])('GIVEN the path %s with a malformed percent-escape WHEN requested with a valid key THEN it is a 400 naming the parameter', async (path, param, shown) => {
  // GIVEN / WHEN the raw request (the SDKs always encode correctly)
  const err = await errorOf(() => fetch(`${t.platform.url.replace(/\/v1$/, '')}${path}`, { headers: { authorization: `Bearer ${t.keyA}` } }));
  // THEN it is a 400 that says what is wrong
  expect(err).toEqual({ status: 400, type: 'invalid_request_error', code: 'invalid_value', param, message: `Invalid '${param}': ${shown} is not valid percent-encoding (UTF-8 bytes as %XX).` });
});

test('GIVEN 700 metadata filters WHEN jobs are listed THEN it is a 400 saying at most 16 are allowed', async () => {
  // GIVEN 700 metadata[key]=value pairs (as many as fit in Node's 16 KiB of request headers)
  const metadata = Object.fromEntries(Array.from({ length: 700 }, (_, i) => [String(i), '']));
  // WHEN jobs are listed with them through the SDK
  const err = await errorOf(() => t.client(t.keyA).fineTuning.jobs.list({ metadata }));
  // THEN the filter is refused with its count and the limit
  expect(err).toEqual({ status: 400, type: 'invalid_request_error', code: 'invalid_value', param: 'metadata', message: "Invalid 'metadata' filter: 700 pairs; at most 16 are allowed." });
});

test('GIVEN 16 metadata filters WHEN jobs are listed THEN the filter applies', async () => {
  // GIVEN a job with metadata, and 16 filters of which one does not match it
  const a = t.client(t.keyA);
  const file = await a.files.create({ file: await toFile(Buffer.from(sftJsonl(10)), 't.jsonl'), purpose: 'fine-tune' });
  const job = await a.fineTuning.jobs.create({ model: BASE_MODEL, training_file: file.id, metadata: { team: 'search' } });
  await a.fineTuning.jobs.cancel(job.id);
  const fifteen = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, 'v']));
  // WHEN jobs are listed with one matching filter, then with 16
  const one = await a.fineTuning.jobs.list({ metadata: { team: 'search' } });
  const sixteen = await a.fineTuning.jobs.list({ metadata: { team: 'search', ...fifteen } });
  // THEN the first finds the job and the second finds nothing
  expect(one.data.map((j) => j.id)).toEqual([job.id]);
  expect(sixteen.data).toEqual([]);
});

const TOO_DEEP = { status: 400, type: 'invalid_request_error', code: 'invalid_json', param: null, message: 'The JSON body nests deeper than 32 levels of objects and arrays; at most 32 are allowed.' };

test('GIVEN a job body nesting 100,002 levels WHEN created THEN it is a 400 saying how deep JSON may nest', async () => {
  // GIVEN a body whose metadata value nests 100,000 objects (raw: no SDK serializes that deep)
  const body = `{"model":"${BASE_MODEL}","training_file":"file-x","metadata":{"k":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}}`;
  // WHEN it is posted
  const err = await errorOf(() => fetch(`${t.platform.url}/fine_tuning/jobs`, { method: 'POST', headers: { authorization: `Bearer ${t.keyA}`, 'content-type': 'application/json' }, body }));
  // THEN it is refused before any field is looked at
  expect(err).toEqual(TOO_DEEP);
});

test('GIVEN a job body nesting 33 levels WHEN created through the SDK THEN it is a 400 saying how deep JSON may nest', async () => {
  // GIVEN / WHEN the SDK sends metadata as an arbitrary JSON value 31 levels deep (the body: 33)
  const err = await errorOf(() => t.client(t.keyA).fineTuning.jobs.create({ model: BASE_MODEL, training_file: 'file-x', metadata: { k: nested(31) } as unknown as Record<string, string> }));
  // THEN it is refused before any field is looked at
  expect(err).toEqual(TOO_DEEP);
});

test('GIVEN a body that nests 32 levels WHEN created THEN the depth is accepted and the field rule answers', async () => {
  // GIVEN metadata whose value nests 30 levels (the body: 32)
  const err = await errorOf(() => t.client(t.keyA).fineTuning.jobs.create({ model: BASE_MODEL, training_file: 'file-x', metadata: { k: nested(30) } as unknown as Record<string, string> }));
  // THEN the metadata rule refuses it, not the depth limit
  expect(err).toMatchObject({ status: 400, param: 'metadata.k' });
});

function nested(levels: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i += 1) v = { a: v };
  return v;
}
