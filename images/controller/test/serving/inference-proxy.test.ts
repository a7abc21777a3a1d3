/**
 * The controller's inference proxy against a fake upstream (fake-upstream.ts) speaking the upstream contract: routing
 * by model and project, streams, usage metrics, upstreams down / overloaded / hanging, client disconnects, models
 * listed with `servable`, checkpoints as models, and DELETE /v1/models/{id}.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import OpenAI, { toFile } from 'openai';
import { errorOf } from '../helpers/api-error-assert';
import { BASE_MODEL, startTestPlatform, waitFor, type TestPlatform } from '../helpers/test-platform';
import { sftJsonl } from '../helpers/training-data';
import { FakeMode, replyOf, startFakeUpstream, type FakeUpstream } from './fake-upstream';

jest.setTimeout(60_000);

let t: TestPlatform;
let upstream: FakeUpstream;
let a: OpenAI;
let b: OpenAI;
let fineTuned: string;
let jobId: string;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  t = await startTestPlatform({ fakeTrainerEnv: { FAKE_STEPS: '4', FAKE_STEP_SECONDS: '0.01' }, serving: { upstreams: [{ model: BASE_MODEL, urls: [upstream.url] }], proxy: { requestTimeoutMs: 800, idleTimeoutMs: 800 } } });
  a = t.client(t.keyA);
  b = t.client(t.keyB);
  const file = await a.files.create({ file: await toFile(Buffer.from(sftJsonl(12)), 'train.jsonl'), purpose: 'fine-tune' });
  const job = await a.fineTuning.jobs.create({ model: BASE_MODEL, training_file: file.id, suffix: 'proxy' });
  jobId = job.id;
  const done = await waitFor('the job to succeed', async () => {
    const j = await a.fineTuning.jobs.retrieve(job.id);
    return j.status === 'succeeded' ? j : undefined;
  });
  fineTuned = done.fine_tuned_model ?? '';
});

afterAll(async () => {
  await t?.close();
  await upstream?.close();
});

beforeEach(() => {
  upstream.mode = FakeMode.OK;
  upstream.healthy = true;
  upstream.requests.length = 0;
  upstream.abandoned.length = 0;
});

const ask = (c: OpenAI, model: string) => c.chat.completions.create({ model, messages: [{ role: 'user', content: 'hello' }], temperature: 0 });

test('Given the base and a fine-tuned model of project alpha, when alpha asks each, then the upstream of the base is asked with that model id and the answer comes back unchanged', async () => {
  // GIVEN the fine-tuned model published by the (fake) trainer under adapters/<id>/
  expect(fs.readdirSync(path.join(t.dataDir, 'storage', 'adapters', fineTuned)).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
  // WHEN alpha asks the base and the fine-tuned model, and a text completion of the fine-tuned model
  const base = await ask(a, BASE_MODEL);
  const tuned = await ask(a, fineTuned);
  const text = await a.completions.create({ model: fineTuned, prompt: 'Once', max_tokens: 5 });
  // THEN each answer is the upstream's for that model id, and the upstream was asked with the id the client named
  expect(base.choices[0]?.message.content).toBe(replyOf(BASE_MODEL));
  expect(tuned.choices[0]?.message.content).toBe(replyOf(fineTuned));
  expect(text.choices[0]?.text).toBe(replyOf(fineTuned));
  expect(upstream.requests.map((r) => [r.path, r.body['model'], r.body['temperature'] ?? r.body['max_tokens']])).toEqual([
    ['/v1/chat/completions', BASE_MODEL, 0],
    ['/v1/chat/completions', fineTuned, 0],
    ['/v1/completions', fineTuned, 5],
  ]);
});

test('Given alpha\'s fine-tuned model, when project beta asks for it, then it is a 404 model_not_found and the upstream is not asked', async () => {
  // WHEN beta names alpha's model
  const err = await errorOf(() => ask(b, fineTuned));
  // THEN 404, as for another project's jobs
  expect(err).toMatchObject({ status: 404, code: 'model_not_found', param: 'model', message: `No model with id '${fineTuned}' exists.` });
  expect(upstream.requests).toEqual([]);
});

test('Given a streamed request, when the client reads it, then the text is the non-streamed text, the upstream was asked for usage and the usage chunk is not passed on unless asked for', async () => {
  // WHEN alpha streams without and with stream_options.include_usage
  const plain = await a.chat.completions.create({ model: fineTuned, messages: [{ role: 'user', content: 'hello' }], stream: true });
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const c of plain) chunks.push(c);
  const withUsage = await a.chat.completions.create({ model: fineTuned, messages: [{ role: 'user', content: 'hello' }], stream: true, stream_options: { include_usage: true } });
  const usageChunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const c of withUsage) usageChunks.push(c);
  // THEN the text is the reply, with no usage-only chunk in the first stream and one in the second
  expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(replyOf(fineTuned));
  expect(chunks.filter((c) => c.choices.length === 0)).toEqual([]);
  expect(usageChunks.filter((c) => c.choices.length === 0).map((c) => c.usage?.completion_tokens)).toEqual([3]);
  expect(upstream.requests.map((r) => r.body['stream_options'])).toEqual([{ include_usage: true }, { include_usage: true }]);
});

test('Given answered requests, when /metrics is scraped, then tokens in and out are counted per project', async () => {
  // GIVEN beta asks the base once (its prompt is 36 characters of JSON: the fake counts characters as tokens)
  const before = t.platform.serving.meter.usageOf('beta');
  await ask(b, BASE_MODEL);
  // WHEN /metrics is read
  const text = await (await fetch(t.platform.url.replace(/\/v1$/, '/metrics'))).text();
  // THEN beta's counters grew by the upstream's usage and are exported
  const after = t.platform.serving.meter.usageOf('beta');
  expect([after.prompt - before.prompt, after.completion - before.completion]).toEqual([JSON.stringify([{ role: 'user', content: 'hello' }]).length, 3]);
  expect(text).toContain('# TYPE vpctune_inference_tokens_total counter');
  expect(text).toContain(`vpctune_inference_tokens_total{project="beta",type="prompt"} ${after.prompt}`);
  expect(text).toContain(`vpctune_inference_tokens_total{project="beta",type="completion"} ${after.completion}`);
  expect(text).toMatch(/vpctune_inference_requests_total\{project="beta",status="200"\} \d+/);
});

test('Given an overloaded upstream, when alpha asks, then it is a 429 with the upstream\'s Retry-After', async () => {
  // GIVEN the upstream answers 429 Retry-After: 7
  upstream.mode = FakeMode.OVERLOADED;
  // WHEN alpha asks (raw fetch, to see the header)
  const res = await rawChat(t.keyA, fineTuned);
  // THEN 429 upstream_overloaded, Retry-After 7
  expect([res.status, res.headers.get('retry-after')]).toEqual([429, '7']);
  expect(((await res.json()) as { error: unknown }).error).toEqual({ type: 'rate_limit_error', code: 'upstream_overloaded', param: null, message: `The model server for '${fineTuned}' is overloaded: too many requests in flight. Retry after 7 s.` });
});

test('Given an unavailable upstream, when alpha asks, then it is a 503 with the upstream\'s Retry-After', async () => {
  upstream.mode = FakeMode.UNAVAILABLE;
  const res = await rawChat(t.keyA, BASE_MODEL);
  expect([res.status, res.headers.get('retry-after')]).toEqual([503, '11']);
  expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'upstream_unavailable', message: `The model server for '${BASE_MODEL}' is unavailable: engine is starting. Retry after 11 s.` });
});

test('Given an upstream that never answers, when alpha asks, then the request timeout answers 503 with Retry-After instead of hanging', async () => {
  // GIVEN the upstream hangs and the proxy's request timeout is 0.8 s
  upstream.mode = FakeMode.HANG;
  // WHEN alpha asks
  const started = Date.now();
  const res = await rawChat(t.keyA, BASE_MODEL);
  // THEN 503 upstream_timeout soon after the timeout, and the upstream request was abandoned
  expect([res.status, res.headers.get('retry-after')]).toEqual([503, '5']);
  expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'upstream_timeout', message: `The model server for '${BASE_MODEL}' did not answer within 0.8 s. Retry after 5 s.` });
  expect(Date.now() - started).toBeLessThan(3000);
  await waitFor('the upstream to see the request dropped', async () => (upstream.abandoned.length === 1 ? true : undefined), 3000);
});

test('Given no upstream listening, when alpha asks, then it is a 503 upstream_unavailable with Retry-After and the model is listed as not servable', async () => {
  // GIVEN the base's only upstream is a closed port
  const closed = await startFakeUpstream();
  await closed.close();
  t.platform.serving.directory.register({ model: BASE_MODEL, urls: [closed.url] });
  try {
    // WHEN alpha asks, then lists the models
    const res = await rawChat(t.keyA, BASE_MODEL);
    const listed = (await a.models.list()).data as (OpenAI.Model & { servable: boolean })[];
    // THEN 503 naming the upstream's failure, and nothing on that base is servable now
    expect([res.status, res.headers.get('retry-after')]).toEqual([503, '5']);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'upstream_unavailable', message: `No model server for '${BASE_MODEL}' is reachable (${closed.url}: unreachable (ECONNREFUSED)). Retry after 5 s.` });
    expect(listed.map((m) => [m.id, m.servable])).toEqual([[BASE_MODEL, false], [fineTuned, false]]);
  } finally {
    t.platform.serving.directory.register({ model: BASE_MODEL, urls: [upstream.url] });
  }
});

test('Given a stream in progress, when the client disconnects, then the upstream request is cancelled', async () => {
  // GIVEN an upstream that sends one chunk and then waits
  upstream.mode = FakeMode.TRICKLE;
  const controller = new AbortController();
  const res = await fetch(`${t.platform.url}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${t.keyA}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: fineTuned, messages: [{ role: 'user', content: 'hi' }], stream: true }), signal: controller.signal });
  const reader = res.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  // WHEN the client goes away after the first chunk
  controller.abort();
  // THEN the upstream sees its request closed
  expect(first).toContain(`"content":"${fineTuned}"`);
  await waitFor('the upstream to see the request dropped', async () => (upstream.abandoned.length === 1 ? true : undefined), 3000);
  expect(upstream.abandoned).toEqual(['/v1/chat/completions']);
});

test('Given a healthy upstream, when alpha lists and retrieves models, then base and fine-tuned models are servable and a checkpoint is a retrievable model', async () => {
  // GIVEN the job's checkpoints
  const ckpt = (await a.fineTuning.jobs.checkpoints.list(jobId)).data[0]!.fine_tuned_model_checkpoint;
  // WHEN alpha lists models and retrieves the checkpoint; beta retrieves it
  const listed = (await a.models.list()).data as (OpenAI.Model & { servable: boolean })[];
  const got = (await a.models.retrieve(ckpt)) as OpenAI.Model & { servable: boolean };
  const err = await errorOf(() => b.models.retrieve(ckpt));
  // THEN servable is true, the checkpoint is alpha's model, beta gets 404
  expect(ckpt).toBe(`${fineTuned}:ckpt-step-4`);
  expect(listed.map((m) => [m.id, m.owned_by, m.servable])).toEqual([[BASE_MODEL, 'vpctune', true], [fineTuned, 'alpha', true]]);
  expect([got.id, got.object, got.owned_by, got.servable]).toEqual([ckpt, 'model', 'alpha', true]);
  expect(err).toMatchObject({ status: 404, code: 'model_not_found' });
});

test('Given a checkpoint id, when alpha asks it, then its adapter is published under adapters/<checkpoint id>/ naming the served base and the upstream is asked with that id', async () => {
  const ckpt = `${fineTuned}:ckpt-step-2`;
  // WHEN alpha asks the checkpoint
  const out = await ask(a, ckpt);
  // THEN the upstream answered for the checkpoint id, whose adapter is in storage with the served base's name
  expect(out.choices[0]?.message.content).toBe(replyOf(ckpt));
  const dir = path.join(t.dataDir, 'storage', 'adapters', ckpt);
  expect(fs.readdirSync(dir).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'adapter_config.json'), 'utf8'))).toEqual({ r: 16, peft_type: 'LORA', base_model_name_or_path: BASE_MODEL });
  expect(fs.readFileSync(path.join(dir, 'adapter_model.safetensors'))).toEqual(Buffer.alloc(16, 2));
});

test('Given models, when deleting a base model, another project\'s model or a checkpoint, then each is refused OpenAI-style', async () => {
  const base = await errorOf(() => a.models.delete(BASE_MODEL));
  const other = await errorOf(() => b.models.delete(fineTuned));
  const ckpt = await errorOf(() => a.models.delete(`${fineTuned}:ckpt-step-2`));
  expect(base).toEqual({ status: 403, type: 'invalid_request_error', code: 'model_not_deletable', param: 'model', message: `Model '${BASE_MODEL}' is a base model of the platform; only your project's fine-tuned models can be deleted (base models are removed by the platform's operators).` });
  expect(other).toEqual({ status: 404, type: 'invalid_request_error', code: 'model_not_found', param: 'model', message: `No model with id '${fineTuned}' exists.` });
  expect(ckpt).toMatchObject({ status: 400, code: 'model_not_deletable', message: `Model '${fineTuned}:ckpt-step-2' is a checkpoint; checkpoints are deleted with their fine-tuned model.` });
});

test('Given alpha\'s fine-tuned model, when alpha deletes it, then it is unloaded from the upstream, gone from storage and /v1/models, and asking it is a 404', async () => {
  // WHEN alpha deletes it
  const deleted = await a.models.delete(fineTuned);
  // THEN OpenAI's shape; the adapter and the published checkpoint were unloaded; the objects are gone
  expect(deleted).toEqual({ id: fineTuned, object: 'model', deleted: true });
  expect(upstream.requests.map((r) => [r.path, r.body['lora_name']])).toEqual([
    ['/v1/unload_lora_adapter', fineTuned],
    ['/v1/unload_lora_adapter', `${fineTuned}:ckpt-step-2`],
  ]);
  const adapters = path.join(t.dataDir, 'storage', 'adapters');
  expect(fs.existsSync(adapters) ? fs.readdirSync(adapters).filter((n) => n.startsWith(fineTuned)) : []).toEqual([]);
  expect((await a.models.list()).data.map((m) => m.id)).toEqual([BASE_MODEL]);
  expect(await errorOf(() => ask(a, fineTuned))).toMatchObject({ status: 404, code: 'model_not_found' });
  expect(await errorOf(() => a.models.retrieve(`${fineTuned}:ckpt-step-2`))).toMatchObject({ status: 404, code: 'model_not_found' });
});

function rawChat(key: string, model: string): Promise<Response> {
  return fetch(`${t.platform.url}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }) });
}
