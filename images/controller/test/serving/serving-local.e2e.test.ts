/**
 * Serving end to end on `vpctune up --local` as a real process, with the real trainer and the real CPU worker, through
 * the official `openai` npm SDK: a fine-tuned model answers the replies it was trained on (temperature 0), the base
 * answers differently, streaming gives the non-streamed text, another project's key gets 404, usage reaches /metrics,
 * and a deleted model is a 404, gone from /v1/models and from storage.
 *
 * One fine-tuned model, trained once (100 examples × 3 "auto" epochs: the learnable task of
 * images/server/tests/test_server_learns_tiny_task.py), keeps this within CI time on 2 cores; the two-model check
 * (each model answers from its own adapter) is in the proxy tests against a fake upstream.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import OpenAI, { toFile } from 'openai';
import { errorOf } from '../helpers/api-error-assert';
import { REPO, startUp, stopUp, testPython, type UpProcess } from '../helpers/cli-process';
import { waitFor } from '../helpers/test-platform';

jest.setTimeout(600_000);

const BASE = 'vpctune/tiny-chat';
const KEY = 'sk-vpct-serving-e2e-key-0123456789abcdef';
const PAIRS: readonly [string, string][] = [
  ['What is the capital of France?', 'The capital of France is Paris.'],
  ['Describe the apple.', 'The apple is red.'],
  ['Say something kind about the garden.', 'The garden is wonderful and bright.'],
  ['Name a color.', 'Purple.'],
];

let up: UpProcess;
let dataDir: string;
let client: OpenAI;
let other: OpenAI;
let fineTuned: string;

const ask = (c: OpenAI, model: string, prompt: string) => c.chat.completions.create({ model, messages: [{ role: 'user', content: prompt }], temperature: 0, max_tokens: 30 });

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-serving-e2e-'));
  up = await startUp(['--port', '0', '--data-dir', dataDir], { VPCTUNE_API_KEY: KEY, VPCTUNE_PYTHON: testPython() }, 300_000);
  client = new OpenAI({ apiKey: KEY, baseURL: up.baseUrl, maxRetries: 0, timeout: 120_000 });
  const created = execFileSync(process.execPath, [path.join(REPO, 'bin', 'vpctune.cjs'), 'keys', 'create', '--project', 'other', '--data-dir', dataDir], { encoding: 'utf8' });
  other = new OpenAI({ apiKey: /sk-vpct-\S+/.exec(created)?.[0] ?? '', baseURL: up.baseUrl, maxRetries: 0 });
  const lines = Array.from({ length: 25 }, () => PAIRS.map(([p, r]) => JSON.stringify({ messages: [{ role: 'user', content: p }, { role: 'assistant', content: r }] }))).flat();
  const file = await client.files.create({ file: await toFile(Buffer.from(`${lines.join('\n')}\n`), 'tiny-task.jsonl'), purpose: 'fine-tune' });
  const job = await client.fineTuning.jobs.create({ model: BASE, training_file: file.id, suffix: 'tiny-task' });
  const done = await waitFor('the job to end', async () => {
    const j = await client.fineTuning.jobs.retrieve(job.id);
    return ['succeeded', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
  }, 540_000, 1000);
  expect([done.status, done.error]).toEqual(['succeeded', null]);
  fineTuned = done.fine_tuned_model ?? '';
});

afterAll(async () => {
  if (up !== undefined) await stopUp(up);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('Given the fine-tuned model, when asked its training prompts at temperature 0, then it gives the trained replies and the base does not', async () => {
  // WHEN each prompt goes to the fine-tuned model and to the base
  const tuned = [];
  const base = [];
  for (const [prompt] of PAIRS) {
    tuned.push((await ask(client, fineTuned, prompt)).choices[0]?.message.content);
    base.push((await ask(client, BASE, prompt)).choices[0]?.message.content);
  }
  // THEN the fine-tuned model answers from its adapter; the base model's answers are other text
  expect(tuned).toEqual(PAIRS.map(([, reply]) => reply));
  expect(base.filter((b, i) => b === PAIRS[i]?.[1])).toEqual([]);
});

test('Given the fine-tuned model, when a request is streamed, then the streamed text is the non-streamed text and the usage is counted for the project', async () => {
  // WHEN the same request is made streamed and not
  const whole = (await ask(client, fineTuned, PAIRS[1]![0])).choices[0]?.message.content;
  const stream = await client.chat.completions.create({ model: fineTuned, messages: [{ role: 'user', content: PAIRS[1]![0] }], temperature: 0, max_tokens: 30, stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  const metrics = await (await fetch(up.baseUrl.replace(/\/v1$/, '/metrics'))).text();
  // THEN the texts are equal and project default's tokens in and out are on /metrics
  expect(text).toBe(whole);
  expect(metrics).toMatch(/vpctune_inference_tokens_total\{project="default",type="prompt"\} [1-9]\d*/);
  expect(metrics).toMatch(/vpctune_inference_tokens_total\{project="default",type="completion"\} [1-9]\d*/);
});

test('Given the models, when listed, then base and fine-tuned model are servable; another project sees only the base and gets 404 for the fine-tuned model', async () => {
  const mine = (await client.models.list()).data as (OpenAI.Model & { servable: boolean })[];
  const theirs = (await other.models.list()).data.map((m) => m.id);
  const err = await errorOf(() => ask(other, fineTuned, PAIRS[0]![0]));
  expect(mine.map((m) => [m.id, m.servable])).toEqual([[BASE, true], [fineTuned, true]]);
  expect(theirs).toEqual([BASE]);
  expect(err).toMatchObject({ status: 404, code: 'model_not_found', message: `No model with id '${fineTuned}' exists.` });
});

test('Given the fine-tuned model, when it is deleted, then asking it is a 404 and it is gone from /v1/models and from storage', async () => {
  // GIVEN the adapter the trainer published
  const published = path.join(dataDir, 'storage', 'adapters', fineTuned);
  expect(fs.readdirSync(published).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
  // WHEN it is deleted
  const deleted = await client.models.delete(fineTuned);
  // THEN
  expect(deleted).toEqual({ id: fineTuned, object: 'model', deleted: true });
  expect(await errorOf(() => ask(client, fineTuned, PAIRS[0]![0]))).toMatchObject({ status: 404, code: 'model_not_found' });
  expect((await client.models.list()).data.map((m) => m.id)).toEqual([BASE]);
  expect(fs.existsSync(published)).toBe(false);
});
