import * as fs from 'node:fs';
import * as path from 'node:path';
import { adapterPrefix } from '../../../../constructs/platform/bucket-keys';
import type { CliIo } from '../../../../stacks/cli/io';
import { jsonLogger, logFileSink } from '../ops/logger';
import { isLocalPathStorage } from '../storage/blob-storage';
import { createApiKey } from '../platform/api-keys';
import { startPlatform, type RunningPlatform } from '../platform/platform';
import { answerLine, questionLines, type Answer } from './demo-answers';
import { DEMO_DATASET, DEMO_EXAMPLES, demoPrompt, demoTrainingJsonl, type DemoHyperparameters } from './demo-data';
import { serveLocally } from '../serving/local-serving';
import { ensureTinyModel, TINY_MODEL_ID, trainerPython } from './local-setup';
import { asciiChart, svgChart, type LossPoint } from './loss-curve';

interface Job {
  id: string;
  status: string;
  fine_tuned_model: string | null;
  result_files: string[];
  trained_tokens: number | null;
  error: { message: string } | null;
}

function bar(done: number, total: number, width = 30): string {
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

/** A tiny fetch client for the demo: it uses the API exactly as any OpenAI client would. */
function api(base: string, key: string) {
  const call = async (method: string, p: string, body?: unknown): Promise<unknown> => {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${key}` } };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const res = await fetch(`${base}${p}`, init);
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${p} → ${res.status}: ${text}`);
    return res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  };
  return call;
}

async function runDemo_(platform: RunningPlatform, dataDir: string, hp: DemoHyperparameters, say: (l: string) => void, python: string): Promise<number> {
  const t0 = Date.now();
  const key = (await createApiKey(platform.store, 'demo', Math.floor(t0 / 1000))).key;
  const call = api(platform.url, key);
  const form = new FormData();
  form.append('purpose', 'fine-tune');
  form.append('file', new Blob([demoTrainingJsonl()], { type: 'application/jsonl' }), 'acme-support.jsonl');
  const file = (await call('POST', '/files', form)) as { id: string; bytes: number };
  say(`uploaded acme-support.jsonl (${DEMO_EXAMPLES} examples: ${DEMO_DATASET.pairs.length} support questions × ${DEMO_DATASET.repeats}, ${file.bytes} bytes) as ${file.id}`);
  let job = (await call('POST', '/fine_tuning/jobs', {
    model: TINY_MODEL_ID,
    training_file: file.id,
    suffix: 'acme-support',
    method: { type: 'supervised', supervised: { hyperparameters: hp } },
  })) as Job;
  say(`created fine-tuning job ${job.id} (${job.status}): LoRA on ${TINY_MODEL_ID}, ${hp.n_epochs} epochs, batch ${hp.batch_size}, learning-rate multiplier ${hp.learning_rate_multiplier}`);
  const tty = process.stdout.isTTY === true;
  let lastLine = '';
  while (!['succeeded', 'failed', 'cancelled'].includes(job.status)) {
    await new Promise((r) => setTimeout(r, 500));
    job = (await call('GET', `/fine_tuning/jobs/${job.id}`)) as Job;
    const events = (await call('GET', `/fine_tuning/jobs/${job.id}/events?limit=10`)) as { data: { message: string; type: string; data: { step?: number; total_steps?: number | null; train_loss?: number } }[] };
    const e = events.data.find((x) => x.type === 'metrics') ?? events.data[0];
    const step = e?.data?.step ?? 0;
    const total = e?.data?.total_steps ?? 0;
    const line = total > 0 ? `${bar(step, total)} step ${step}/${total}  loss ${e?.data?.train_loss?.toFixed(3) ?? '…'}  (${job.status})` : `${job.status}: ${e?.message ?? ''}`;
    if (line !== lastLine) {
      process.stdout.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
      lastLine = line;
    }
  }
  if (tty) process.stdout.write('\n');
  if (job.status !== 'succeeded') {
    say(`job ${job.status}: ${job.error?.message ?? ''}`);
    return 1;
  }
  const metricsText = String(await call('GET', `/files/${job.result_files[0]}/content`));
  const points: LossPoint[] = metricsText
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { iteration: number; train_loss: number | null })
    .filter((m) => m.train_loss !== null)
    .map((m) => ({ step: m.iteration, loss: m.train_loss as number }));
  const svgPath = path.join(dataDir, 'loss-curve.svg');
  fs.writeFileSync(svgPath, svgChart(points, `${job.fine_tuned_model ?? job.id}: training loss`));
  const models = (await call('GET', '/models')) as { data: { id: string }[] };
  const model = job.fine_tuned_model ?? '';
  process.stdout.write(
    [
      '',
      'training loss',
      asciiChart(points),
      '',
      `fine-tuned model: ${model}${models.data.some((m) => m.id === model) ? '  (listed in GET /v1/models)' : ''}`,
      `adapter:          ${isLocalPathStorage(platform.storage) ? platform.storage.localPath(adapterPrefix(model)) : `${adapterPrefix(model)} in ${platform.storage.kind} storage`}`,
      `adapter download: GET /v1/files/${job.result_files[1] ?? ''}/content (tar)`,
      `loss curve:       ${svgPath}`,
      `trained tokens:   ${job.trained_tokens ?? 0}; from upload to fine-tuned model in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      '',
    ].join('\n'),
  );
  await askBoth(platform, call, model, say, python, dataDir);
  return 0;
}

/**
 * Asks the base and the fine-tuned model the first question of the training data, through the API, at temperature 0,
 * and prints both answers beside the trained reply.
 */
async function askBoth(platform: RunningPlatform, call: (method: string, p: string, body?: unknown) => Promise<unknown>, model: string, say: (l: string) => void, python: string, dataDir: string): Promise<void> {
  const pair = DEMO_DATASET.pairs[0];
  if (pair === undefined) return;
  say('starting the CPU inference worker to compare the base and the fine-tuned model');
  process.stdout.write(`${questionLines(pair.question, pair.answer).join('\n')}\n`);
  // As in `up --local`: a worker that cannot start turns the comparison off, not the fine-tune just shown.
  const worker = await serveLocally(platform, python, TINY_MODEL_ID, dataDir).catch((err: unknown) => {
    say(`inference is off, so no answers to compare: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  });
  if (worker === undefined) return;
  try {
    const answer = async (m: string): Promise<Answer> => {
      const completion = (await call('POST', '/chat/completions', { model: m, messages: demoPrompt(pair), temperature: 0, max_tokens: DEMO_DATASET.max_tokens })) as { choices: { message: { content: string | null }; finish_reason: string }[] };
      const choice = completion.choices[0];
      return { content: choice?.message.content ?? '', finishReason: choice?.finish_reason ?? '' };
    };
    process.stdout.write(`${answerLine('base model', await answer(TINY_MODEL_ID), pair.answer)}\n${answerLine('fine-tuned', await answer(model), pair.answer)}\n`);
  } finally {
    await worker.stop();
  }
}

export interface DemoOptions {
  /** Absolute data directory of the demo's platform (separate from `up --local`'s). */
  readonly dataDir: string;
  readonly epochs: number;
  readonly batchSize: number;
  readonly lrMultiplier: number;
}

/**
 * `vpctune demo`: start the local platform, fine-tune the tiny model through the API with a progress bar, show the
 * result, stop. The controller's log goes to `<data dir>/controller.log`; "platform stopped" is said once it has.
 */
export async function runDemo(options: DemoOptions, io: CliIo): Promise<number> {
  const hp = { n_epochs: options.epochs, batch_size: options.batchSize, learning_rate_multiplier: options.lrMultiplier };
  const dataDir = options.dataDir;
  const say = (line: string) => io.stdout.write(`▸ ${line}\n`);
  const started = Date.now();
  const python = trainerPython(say);
  fs.mkdirSync(dataDir, { recursive: true });
  const logSink = logFileSink(path.join(dataDir, 'controller.log'));
  let code: number;
  try {
    const platform = await startPlatform({ dataDir, port: 0, trainer: { python }, log: jsonLogger(logSink.write), supervisor: { scheduleIntervalMs: 200 } });
    try {
      say(`local platform up at ${platform.url} (store: ${platform.store.kind}, data: ${dataDir}, log: ${logSink.file})`);
      await ensureTinyModel(platform, python, say);
      code = await runDemo_(platform, dataDir, hp, say, python);
    } finally {
      await platform.close();
    }
  } finally {
    logSink.close();
  }
  say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s; platform stopped`);
  return code;
}
