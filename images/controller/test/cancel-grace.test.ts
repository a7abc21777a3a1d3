/** Cancel sends SIGTERM, then SIGKILL once the grace period is over, to a trainer that ignores SIGTERM. */
import { toFile } from 'openai';
import { BASE_MODEL, startTestPlatform, waitFor, type TestPlatform } from './helpers/test-platform';
import { sftJsonl } from './helpers/training-data';

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({ stopGraceMs: 1000 });
});
afterAll(() => t.close());

test('a trainer that ignores SIGTERM is killed after the grace period', async () => {
  // GIVEN a running job whose trainer ignores SIGTERM (fake trainer switch: learning_rate_multiplier 9.97)
  const c = t.client(t.keyA);
  const file = await c.files.create({ file: await toFile(Buffer.from(sftJsonl(10)), 't.jsonl'), purpose: 'fine-tune' });
  const job = await c.fineTuning.jobs.create({ model: BASE_MODEL, training_file: file.id, hyperparameters: { n_epochs: 20, learning_rate_multiplier: 9.97 } });
  await waitFor('the trainer to start', async () => ((await c.fineTuning.jobs.listEvents(job.id)).data.some((e) => e.message.startsWith('Training started')) ? true : undefined));
  // WHEN the job is cancelled
  const started = Date.now();
  expect((await c.fineTuning.jobs.cancel(job.id)).status).toBe('cancelled');
  // THEN the trainer is gone after the 1 s grace period, not before it and not much after
  await waitFor('the trainer to be killed', async () => (t.platform.executor.activeRuns() === 0 ? true : undefined), 10_000, 50);
  const took = Date.now() - started;
  expect(took).toBeGreaterThanOrEqual(900);
  expect(took).toBeLessThan(4000);
});
