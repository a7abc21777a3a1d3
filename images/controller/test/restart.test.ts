/**
 * Restart safety: kill -9 of the controller (`vpctune up --local`, a real process) while a job runs loses nothing.
 * A: the trainer (real, on the tiny model) keeps running; the restarted controller re-attaches through events.jsonl
 *    and the pid file, the job finishes once, every event is there once.
 * B: the trainer dies too (fake trainer, killed with the controller); the restarted controller resumes it from its
 *    last checkpoint; the job finishes once.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import OpenAI, { toFile } from 'openai';
import { startUp, stopUp, testPython, type UpProcess } from './helpers/cli-process';
import { FAKE_TRAINER_DIR, waitFor } from './helpers/test-platform';
import { sftJsonl } from './helpers/training-data';

const KEY = 'sk-vpct-restart-test-key-0123456789abcdefghij';
const dirs: string[] = [];
const ups: UpProcess[] = [];

afterAll(async () => {
  for (const u of ups) await stopUp(u);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function up(dataDir: string, env: Readonly<Record<string, string>>): Promise<{ proc: UpProcess; client: OpenAI }> {
  const proc = await startUp(['--port', '0', '--data-dir', dataDir], { VPCTUNE_API_KEY: KEY, ...env });
  ups.push(proc);
  return { proc, client: new OpenAI({ apiKey: KEY, baseURL: proc.baseUrl, maxRetries: 0 }) };
}

async function allEvents(c: OpenAI, jobId: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of c.fineTuning.jobs.listEvents(jobId, { limit: 100 })) out.push(e.message);
  return out.reverse();
}

async function untilSucceeded(c: OpenAI, jobId: string) {
  return waitFor('the job to end', async () => {
    const j = await c.fineTuning.jobs.retrieve(jobId);
    return ['succeeded', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
  }, 240_000, 300);
}

function stepsOf(events: readonly string[]): number[] {
  return events.flatMap((m) => {
    const s = /^Step (\d+)(?:\/\d+)?: training loss=/.exec(m);
    return s?.[1] === undefined ? [] : [Number(s[1])];
  });
}

test('A: kill -9 while the real trainer runs; the restarted controller re-attaches and the job finishes once', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-restart-a-'));
  dirs.push(dataDir);
  const env = { VPCTUNE_PYTHON: testPython() };
  // GIVEN a running job past its first checkpoint (10 examples × 2 epochs, batch 1: 20 steps, a checkpoint per epoch)
  const first = await up(dataDir, env);
  const training = sftJsonl(10);
  const file = await first.client.files.create({ file: await toFile(Buffer.from(training), 'train.jsonl'), purpose: 'fine-tune' });
  const job = await first.client.fineTuning.jobs.create({ model: 'vpctune/tiny-chat', training_file: file.id, hyperparameters: { n_epochs: 2, batch_size: 1 } });
  await waitFor('a checkpoint', async () => ((await first.client.fineTuning.jobs.checkpoints.list(job.id)).data.length > 0 ? true : undefined), 180_000, 300);
  const pidFile = path.join(dataDir, 'storage', 'jobs', job.id, 'trainer.pid');
  const trainerPid = Number(fs.readFileSync(pidFile, 'utf8'));

  // WHEN the controller is killed with SIGKILL, stays down a moment, and starts again on the same data directory
  await stopUp(first.proc, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 2000));
  const second = await up(dataDir, env);
  const done = await untilSucceeded(second.client, job.id);

  // THEN the job finished once, by the same trainer process, with every step's event exactly once
  expect(done.status).toBe('succeeded');
  expect(Number(fs.readFileSync(pidFile, 'utf8'))).toBe(trainerPid);
  const events = await allEvents(second.client, job.id);
  expect(events.filter((m) => m.startsWith('Training started'))).toHaveLength(1);
  expect(events.filter((m) => /resum/i.test(m))).toEqual([]);
  expect(events.filter((m) => m === 'The job has successfully completed')).toHaveLength(1);
  expect(stepsOf(events)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  expect((await second.client.fineTuning.jobs.checkpoints.list(job.id)).data.map((c) => c.step_number)).toEqual([20, 10]);
  // AND the uploaded file and the results are intact
  expect(await (await second.client.files.content(file.id)).text()).toBe(training);
  const metrics = (await (await second.client.files.content(done.result_files[0] as string)).text()).trim().split('\n');
  expect(metrics.map((l) => JSON.parse(l).iteration)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  expect((await second.client.models.list()).data.filter((m) => m.id === done.fine_tuned_model)).toHaveLength(1);
}, 300_000);

test('B: kill -9 of controller and trainer; the restarted controller resumes from the last checkpoint', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-restart-b-'));
  dirs.push(dataDir);
  const env = { VPCTUNE_PYTHON: 'python3', PYTHONPATH: FAKE_TRAINER_DIR, FAKE_STEPS: '12', FAKE_STEP_SECONDS: '0.25' };
  // GIVEN a running job with a checkpoint at step 4
  const first = await up(dataDir, env);
  const file = await first.client.files.create({ file: await toFile(Buffer.from(sftJsonl(10)), 'train.jsonl'), purpose: 'fine-tune' });
  const job = await first.client.fineTuning.jobs.create({ model: 'vpctune/tiny-chat', training_file: file.id });
  await waitFor('checkpoint 4', async () => ((await first.client.fineTuning.jobs.checkpoints.list(job.id)).data.some((c) => c.step_number === 4) ? true : undefined), 60_000, 100);
  // WHEN controller and trainer are both killed with SIGKILL, and the controller starts again
  const trainerPid = Number(fs.readFileSync(path.join(dataDir, 'storage', 'jobs', job.id, 'trainer.pid'), 'utf8'));
  await stopUp(first.proc, 'SIGKILL');
  process.kill(trainerPid, 'SIGKILL');
  const second = await up(dataDir, env);
  const done = await untilSucceeded(second.client, job.id);
  // THEN the job resumed from a checkpoint in a second attempt and finished once
  expect(done.status).toBe('succeeded');
  const events = await allEvents(second.client, job.id);
  // AND the resume is one event naming the checkpoint step and why; every step is described once
  expect(events.filter((m) => /resum/i.test(m))).toHaveLength(1);
  expect(events.filter((m) => /^Resuming from the checkpoint at step (4|6|8|10) of 12 \(attempt 2 of 3\): the trainer was lost while the controller was down$/.test(m))).toHaveLength(1);
  expect(events.filter((m) => m === 'The job has successfully completed')).toHaveLength(1);
  expect(stepsOf(events)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
}, 120_000);
