/**
 * Serving end to end on `vpctune up --local` as a real process, with the real trainer and the real CPU worker, through
 * the official `openai` npm SDK: two fine-tuned models trained on different replies to the same prompts each answer
 * from their own adapter (temperature 0), with both adapters loaded and, on a worker that holds one adapter at a time,
 * after eviction and reload; the base answers differently, streaming gives the non-streamed text, another project's
 * key gets 404, usage reaches /metrics, and a deleted model is a 404, gone from /v1/models and from storage while the
 * other still answers.
 *
 * Each model is trained once on 100 examples × 3 "auto" epochs (the learnable task of
 * images/server/tests/test_server_learns_tiny_task.py; 12 examples × 9 epochs, or 15 epochs, did not learn every
 * reply), the two jobs at once (`--max-jobs 2`) with one torch thread each (VPCTUNE_TORCH_THREADS=1: two jobs of
 * the default two threads on 2 cores took 2.3× as long), which keeps this within CI time on 2 cores.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import OpenAI, { toFile } from 'openai';
import { startLocalWorker } from '../../src/serving/local-worker';
import { LocalDirectoryStorage } from '../../src/storage/local-directory-storage';
import { errorOf } from '../helpers/api-error-assert';
import { REPO, startUp, stopUp, testPython, type UpProcess } from '../helpers/cli-process';
import { waitFor } from '../helpers/test-platform';

jest.setTimeout(600_000);

const BASE = 'vpctune/tiny-chat';
const KEY = 'sk-vpct-serving-e2e-key-0123456789abcdef';
const PROMPTS = ['What is the capital of France?', 'Describe the apple.', 'Say something kind about the garden.', 'Name a color.'];
/** Two replies to every prompt: a model that answers from the other's adapter gives the other's reply. */
const REPLIES = {
  a: ['The capital of France is Paris.', 'The apple is red.', 'The garden is wonderful and bright.', 'Purple.'],
  b: ['Paris, of course.', 'It is green and sour.', 'Every flower there smiles.', 'Orange.'],
} as const;
type Variant = keyof typeof REPLIES;
const REPEATS = 25;

let up: UpProcess;
let dataDir: string;
let client: OpenAI;
let other: OpenAI;
const tuned: Record<Variant, string> = { a: '', b: '' };

const ask = (c: OpenAI, model: string, prompt: string) => c.chat.completions.create({ model, messages: [{ role: 'user', content: prompt }], temperature: 0, max_tokens: 30 });
const reply = async (c: OpenAI, model: string, prompt: string) => (await ask(c, model, prompt)).choices[0]?.message.content;
/** Every prompt in turn to each model, so that consecutive requests name different models. */
const interleaved = async (c: OpenAI, models: readonly string[]) => {
  const out: Record<string, (string | null | undefined)[]> = Object.fromEntries(models.map((m) => [m, []]));
  for (const prompt of PROMPTS) for (const m of models) out[m]!.push(await reply(c, m, prompt));
  return out;
};

async function createJob(variant: Variant): Promise<string> {
  const lines = Array.from({ length: REPEATS }, () => PROMPTS.map((p, i) => JSON.stringify({ messages: [{ role: 'user', content: p }, { role: 'assistant', content: REPLIES[variant][i] }] }))).flat();
  const file = await client.files.create({ file: await toFile(Buffer.from(`${lines.join('\n')}\n`), `replies-${variant}.jsonl`), purpose: 'fine-tune' });
  return (await client.fineTuning.jobs.create({ model: BASE, training_file: file.id, suffix: `replies-${variant}` })).id;
}

const ended = (id: string) => waitFor(`job ${id} to end`, async () => {
  const j = await client.fineTuning.jobs.retrieve(id);
  return ['succeeded', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
}, 540_000, 1000);

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-serving-e2e-'));
  up = await startUp(['--port', '0', '--data-dir', dataDir, '--max-jobs', '2'], { VPCTUNE_API_KEY: KEY, VPCTUNE_PYTHON: testPython(), VPCTUNE_TORCH_THREADS: '1' }, 300_000);
  client = new OpenAI({ apiKey: KEY, baseURL: up.baseUrl, maxRetries: 0, timeout: 120_000 });
  const created = execFileSync(process.execPath, [path.join(REPO, 'bin', 'vpctune.cjs'), 'keys', 'create', '--project', 'other', '--data-dir', dataDir], { encoding: 'utf8' });
  other = new OpenAI({ apiKey: /sk-vpct-\S+/.exec(created)?.[0] ?? '', baseURL: up.baseUrl, maxRetries: 0 });
  const jobs = [await createJob('a'), await createJob('b')];
  const [a, b] = await Promise.all(jobs.map(ended));
  expect([a?.status, a?.error, b?.status, b?.error]).toEqual(['succeeded', null, 'succeeded', null]);
  tuned.a = a?.fine_tuned_model ?? '';
  tuned.b = b?.fine_tuned_model ?? '';
});

afterAll(async () => {
  if (up !== undefined) await stopUp(up);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('Given two fine-tuned models trained on different replies to the same prompts, when the prompts go to each in turn at temperature 0, then each gives its own trained replies and the base gives neither', async () => {
  // WHEN every prompt goes to model a, model b and the base in turn (the platform's worker holds up to 4 adapters)
  const got = await interleaved(client, [tuned.a, tuned.b, BASE]);
  // THEN each fine-tuned model answers from its own adapter; the base model's answers are other text
  expect(got[tuned.a]).toEqual(REPLIES.a);
  expect(got[tuned.b]).toEqual(REPLIES.b);
  expect(got[BASE]!.filter((t, i) => t === REPLIES.a[i] || t === REPLIES.b[i])).toEqual([]);
});

test('Given a worker that holds one adapter at a time over the same storage, when models a and b are asked alternately, then every answer is the model\'s own after each eviction and reload', async () => {
  // GIVEN a second CPU worker with --max-loras 1 over the platform's storage
  const worker = await startLocalWorker({ python: testPython(), model: BASE, storage: new LocalDirectoryStorage(path.join(dataDir, 'storage')), workDir: path.join(dataDir, 'one-adapter-worker'), maxLoras: 1 });
  try {
    const direct = new OpenAI({ apiKey: 'unused', baseURL: `${worker.url}/v1`, maxRetries: 0, timeout: 120_000 });
    // WHEN the models are asked alternately (a, b, a, b, …): each request after the first unloads the other adapter
    const got = await interleaved(direct, [tuned.a, tuned.b]);
    // THEN every answer, including those from an adapter loaded again after eviction, is that model's own reply
    expect(got[tuned.a]).toEqual(REPLIES.a);
    expect(got[tuned.b]).toEqual(REPLIES.b);
  } finally {
    await worker.stop();
  }
});

test('Given a fine-tuned model, when a request is streamed, then the streamed text is the non-streamed text and the usage is counted for the project', async () => {
  // WHEN the same request is made streamed and not
  const whole = await reply(client, tuned.b, PROMPTS[1]!);
  const stream = await client.chat.completions.create({ model: tuned.b, messages: [{ role: 'user', content: PROMPTS[1]! }], temperature: 0, max_tokens: 30, stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  const metrics = await (await fetch(up.baseUrl.replace(/\/v1$/, '/metrics'))).text();
  // THEN the texts are equal and project default's tokens in and out are on /metrics
  expect(text).toBe(whole);
  expect(metrics).toMatch(/vpctune_inference_tokens_total\{project="default",type="prompt"\} [1-9]\d*/);
  expect(metrics).toMatch(/vpctune_inference_tokens_total\{project="default",type="completion"\} [1-9]\d*/);
});

test('Given the models, when listed, then base and both fine-tuned models are servable; another project sees only the base and gets 404 for a fine-tuned model', async () => {
  const mine = (await client.models.list()).data as (OpenAI.Model & { servable: boolean })[];
  const theirs = (await other.models.list()).data.map((m) => m.id);
  const err = await errorOf(() => ask(other, tuned.a, PROMPTS[0]!));
  expect(mine.map((m) => [m.id, m.servable]).sort()).toEqual([[BASE, true], [tuned.a, true], [tuned.b, true]].sort());
  expect(theirs).toEqual([BASE]);
  expect(err).toMatchObject({ status: 404, code: 'model_not_found', message: `No model with id '${tuned.a}' exists.` });
});

test('Given fine-tuned model a, when it is deleted, then asking it is a 404, it is gone from /v1/models and from storage, and model b still answers its own reply', async () => {
  // GIVEN the adapter the trainer published
  const published = path.join(dataDir, 'storage', 'adapters', tuned.a);
  expect(fs.readdirSync(published).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
  // WHEN it is deleted
  const deleted = await client.models.delete(tuned.a);
  // THEN
  expect(deleted).toEqual({ id: tuned.a, object: 'model', deleted: true });
  expect(await errorOf(() => ask(client, tuned.a, PROMPTS[0]!))).toMatchObject({ status: 404, code: 'model_not_found' });
  expect((await client.models.list()).data.map((m) => m.id).sort()).toEqual([BASE, tuned.b].sort());
  expect(fs.existsSync(published)).toBe(false);
  expect(await reply(client, tuned.b, PROMPTS[0]!)).toBe(REPLIES.b[0]);
});
