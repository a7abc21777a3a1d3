/**
 * POST /v1/fine_tuning/jobs/{id}/pause and /resume through the official SDK (`client.fineTuning.jobs.pause/resume`),
 * with the fake trainer on the local executor: a paused job checkpoints and frees its slot, stays out of the queue,
 * and continues from its checkpoint when resumed; states that cannot be paused or resumed answer 400.
 */
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { errorOf } from './helpers/api-error-assert';
import { BASE_MODEL, startTestPlatform, waitFor, type TestPlatform } from './helpers/test-platform';
import { sftJsonl } from './helpers/training-data';

const STEPS = 12;

let t: TestPlatform;
beforeAll(async () => {
  // One slot: a second job runs only once the first has given its slot back.
  t = await startTestPlatform({ fakeTrainerEnv: { FAKE_STEPS: String(STEPS) }, supervisor: { maxConcurrentJobs: 1 } });
});
afterAll(() => t.close());

type Job = OpenAI.FineTuning.Jobs.FineTuningJob & { paused_at: number | null };

async function newJob(c: OpenAI, nEpochs: number): Promise<Job> {
  const file = await c.files.create({ file: await toFile(Buffer.from(sftJsonl(10)), 't.jsonl'), purpose: 'fine-tune' });
  // n_epochs slows the fake trainer: each step takes n_epochs × 50 ms
  return (await c.fineTuning.jobs.create({ model: BASE_MODEL, training_file: file.id, hyperparameters: { n_epochs: nEpochs } })) as Job;
}

async function messages(c: OpenAI, id: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of c.fineTuning.jobs.listEvents(id, { limit: 100 })) out.push(e.message);
  return out.reverse();
}

async function statusOf(c: OpenAI, id: string, status: string): Promise<Job | undefined> {
  const job = (await c.fineTuning.jobs.retrieve(id)) as Job;
  return job.status === status ? job : undefined;
}

test('a paused running job checkpoints and frees its slot, stays paused, and continues from its checkpoint when resumed', async () => {
  // GIVEN a running job (A, 200 ms a step) and a queued job of another project (B) waiting for the one slot
  const a = t.client(t.keyA);
  const b = t.client(t.keyB);
  const jobA = await newJob(a, 4);
  await waitFor('job A to train a few steps', async () => ((await messages(a, jobA.id)).some((m) => m.startsWith('Step 3/')) ? true : undefined));
  const jobB = await newJob(b, 1);
  expect((await b.fineTuning.jobs.retrieve(jobB.id)).status).toBe('queued');

  // WHEN A is paused
  const pausing = (await a.fineTuning.jobs.pause(jobA.id)) as Job;

  // THEN the answer is the job, still within the SDK's status enum, with paused_at set
  expect(pausing).toMatchObject({ id: jobA.id, object: 'fine_tuning.job', status: 'running' });
  expect(typeof pausing.paused_at).toBe('number');
  // ... the trainer checkpoints and stops, A goes back to the queue paused, and B gets the slot
  const paused = await waitFor('job A to be paused', () => statusOf(a, jobA.id, 'queued'), 30_000);
  expect(paused.paused_at).toBe(pausing.paused_at);
  const events = await a.fineTuning.jobs.listEvents(jobA.id, { limit: 100 });
  const pausedEvent = events.data.find((e) => e.message.startsWith('Job paused at step'));
  const step = (pausedEvent?.data as { step: number }).step;
  expect(step).toBeGreaterThanOrEqual(3);
  expect(step).toBeLessThan(STEPS);
  expect(pausedEvent?.message).toBe(`Job paused at step ${step}`);
  expect(await messages(a, jobA.id)).toEqual(expect.arrayContaining(['Pausing: the trainer saves a checkpoint and stops', `Checkpoint created at step ${step}`, `Job paused at step ${step}`]));
  await waitFor('job B to finish in the freed slot', () => statusOf(b, jobB.id, 'succeeded'), 30_000);

  // ... and A is not started again while it is paused, though the slot is free
  await new Promise((r) => setTimeout(r, 600));
  expect(await a.fineTuning.jobs.retrieve(jobA.id)).toMatchObject({ status: 'queued', paused_at: pausing.paused_at });
  // ... and /metrics counts it as paused, not as waiting for a slot
  const metrics = await (await fetch(new URL('/metrics', t.platform.url))).text();
  expect(metrics).toMatch(/^vpctune_jobs_paused 1$/m);
  expect(metrics).toMatch(/^vpctune_queue_depth 0$/m);
  expect(metrics).toMatch(/^vpctune_jobs\{status="queued"\} 1$/m);

  // WHEN A is resumed
  const resumed = (await a.fineTuning.jobs.resume(jobA.id)) as Job;

  // THEN it is queued and no longer paused, and it finishes from its checkpoint: the trainer's resume names the step,
  // and each step is described once
  expect(resumed).toMatchObject({ id: jobA.id, status: 'queued', paused_at: null });
  const done = await waitFor('job A to finish', () => statusOf(a, jobA.id, 'succeeded'), 30_000);
  expect(done.fine_tuned_model).not.toBeNull();
  const all = await messages(a, jobA.id);
  expect(all.slice(all.indexOf(`Job paused at step ${step}`))).toEqual(
    expect.arrayContaining(['Job resumed', 'Fine-tuning job started again after a pause', `Training resumed from step ${step} of ${STEPS}`, 'The job has successfully completed']),
  );
  const steps = all.filter((m) => /^Step \d+\//.test(m)).map((m) => Number(/^Step (\d+)/.exec(m)?.[1]));
  expect(steps).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
  expect(all.filter((m) => m === 'Fine-tuning job started')).toHaveLength(1);
});

test('a queued job is paused at once and keeps its place out of the queue until resumed', async () => {
  // GIVEN a running job holding the one slot and a queued job behind it
  const a = t.client(t.keyA);
  const b = t.client(t.keyB);
  const running = await newJob(a, 2);
  await waitFor('the first job to run', () => statusOf(a, running.id, 'running'));
  const queued = await newJob(b, 1);

  // WHEN the queued job is paused
  const paused = (await b.fineTuning.jobs.pause(queued.id)) as Job;

  // THEN it stays queued, paused, says so, and does not start when the slot frees up
  expect(paused).toMatchObject({ id: queued.id, status: 'queued' });
  expect(typeof paused.paused_at).toBe('number');
  expect((await messages(b, queued.id)).at(-1)).toBe('Job paused before its first checkpoint (it starts from the beginning when resumed)');
  await waitFor('the first job to finish', () => statusOf(a, running.id, 'succeeded'), 30_000);
  await new Promise((r) => setTimeout(r, 600));
  expect((await b.fineTuning.jobs.retrieve(queued.id)).status).toBe('queued');

  // WHEN it is resumed
  await b.fineTuning.jobs.resume(queued.id);

  // THEN it starts from the beginning and succeeds
  await waitFor('the resumed job to finish', () => statusOf(b, queued.id, 'succeeded'), 30_000);
  expect(await messages(b, queued.id)).toEqual(expect.arrayContaining(['Job resumed', 'Fine-tuning job started', `Training started: ${STEPS} steps over 1 epochs`]));
});

test('pausing a job that has ended or is paused, and resuming a job that is not paused, answer 400 naming the state', async () => {
  // GIVEN a succeeded job and a paused one
  const a = t.client(t.keyA);
  const ended = await newJob(a, 1);
  await waitFor('the job to finish', () => statusOf(a, ended.id, 'succeeded'), 30_000);
  const slow = await newJob(a, 20);
  await a.fineTuning.jobs.pause(slow.id);

  // WHEN the ended one is paused or resumed, and the paused one paused again
  const pauseEnded = await errorOf(() => a.fineTuning.jobs.pause(ended.id));
  const resumeEnded = await errorOf(() => a.fineTuning.jobs.resume(ended.id));
  const pauseTwice = await errorOf(() => a.fineTuning.jobs.pause(slow.id));
  const otherProject = await errorOf(() => t.client(t.keyB).fineTuning.jobs.pause(slow.id));

  // THEN each is a 400 (not a 409, which the SDKs retry) naming the job, its state and what is allowed; another project's job is a 404
  expect(pauseEnded).toEqual({ status: 400, type: 'invalid_request_error', code: 'job_not_pausable', param: 'fine_tuning_job_id', message: `Job '${ended.id}' is succeeded; only queued and running jobs can be paused.` });
  expect(resumeEnded).toEqual({ status: 400, type: 'invalid_request_error', code: 'job_not_paused', param: 'fine_tuning_job_id', message: `Job '${ended.id}' is not paused (status succeeded); only a paused job can be resumed.` });
  const pausedAt = ((await a.fineTuning.jobs.retrieve(slow.id)) as Job).paused_at;
  expect(pauseTwice).toEqual({
    status: 400, type: 'invalid_request_error', code: 'job_already_paused', param: 'fine_tuning_job_id',
    message: `Job '${slow.id}' is already paused (since ${pausedAt}); resume it with POST /v1/fine_tuning/jobs/${slow.id}/resume.`,
  });
  expect(otherProject).toEqual({ status: 404, type: 'invalid_request_error', code: 'fine_tuning_job_not_found', param: 'fine_tuning_job_id', message: `No fine-tuning job with id '${slow.id}' exists.` });

  // ... and a paused job can still be cancelled
  expect((await a.fineTuning.jobs.cancel(slow.id)) as Job).toMatchObject({ status: 'cancelled', paused_at: null });
});
