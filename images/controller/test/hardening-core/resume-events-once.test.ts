/**
 * After a resume, the events a client reads describe each step once, and the resume itself is ONE event saying from
 * which checkpoint step and why. Here the trainer is killed with SIGKILL while the controller keeps running (the
 * "controller was down" case is restart.test.ts B): steps between the checkpoint and the kill are trained again by
 * the resumed run, and must not appear twice.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toFile } from 'openai';
import { startTestPlatform, waitFor, type TestPlatform } from '../helpers/test-platform';
import { sftJsonl } from '../helpers/training-data';

let tp: TestPlatform | undefined;
afterAll(async () => {
  await tp?.close();
});

function stepsOf(messages: readonly string[]): number[] {
  return messages.flatMap((m) => {
    const s = /^Step (\d+)\/\d+: training loss=/.exec(m);
    return s?.[1] === undefined ? [] : [Number(s[1])];
  });
}

test('GIVEN a trainer killed between checkpoints WHEN the running controller resumes it THEN each step is one event and the resume one event', async () => {
  // GIVEN a running job (12 steps, a checkpoint every 2) past an odd step, so the last step is after the checkpoint
  tp = await startTestPlatform({ fakeTrainerEnv: { FAKE_STEPS: '12', FAKE_STEP_SECONDS: '0.4' } });
  const c = tp.client(tp.keyA);
  const file = await c.files.create({ file: await toFile(Buffer.from(sftJsonl(12)), 'train.jsonl'), purpose: 'fine-tune' });
  const job = await c.fineTuning.jobs.create({ model: 'vpctune/tiny-chat', training_file: file.id });
  const store = tp.platform.store;
  const lastStep = async () => Math.max(0, ...stepsOf((await store.listEvents(job.id, { limit: 100 })).data.map((e) => e.message)));
  await waitFor('an odd step after step 4', async () => {
    const s = await lastStep();
    return s >= 5 && s % 2 === 1 ? s : undefined;
  }, 60_000, 20);

  // WHEN the trainer is killed with SIGKILL (the controller keeps running) and the job resumes and finishes
  const pid = Number(fs.readFileSync(path.join(tp.dataDir, 'storage', 'jobs', job.id, 'trainer.pid'), 'utf8'));
  process.kill(-pid, 'SIGKILL');
  const checkpointAtKill = Math.max(...(await store.listCheckpoints(job.id, { limit: 100 })).data.map((k) => k.step));
  const done = await waitFor('the job to end', async () => {
    const j = await c.fineTuning.jobs.retrieve(job.id);
    return ['succeeded', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
  }, 60_000, 100);

  // THEN it succeeded, every step 1..12 is described exactly once, in order
  expect(done.status).toBe('succeeded');
  const messages: string[] = [];
  for await (const e of c.fineTuning.jobs.listEvents(job.id, { limit: 100 })) messages.push(e.message);
  messages.reverse();
  expect(stepsOf(messages)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  // AND the resume is one event naming the checkpoint step and the reason (the trainer was lost while this
  // controller ran, not while it was down)
  expect(messages.filter((m) => /resum/i.test(m))).toEqual([
    `Resuming from the checkpoint at step ${checkpointAtKill} of 12 (attempt 2 of 3): the trainer process ended without an exit code (killed or crashed) while the controller was running`,
  ]);
  // AND every checkpoint is listed once
  const steps = (await c.fineTuning.jobs.checkpoints.list(job.id, { limit: 100 })).data.map((k) => k.step_number);
  expect(steps).toEqual([...new Set(steps)]);
}, 120_000);
