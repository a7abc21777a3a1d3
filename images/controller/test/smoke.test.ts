import { toFile } from 'openai';
import { startTestPlatform, waitFor, type TestPlatform } from './helpers/test-platform';
import { sftJsonl } from './helpers/training-data';

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(() => t.close());

test('smoke', async () => {
  const c = t.client(t.keyA);
  const file = await c.files.create({ file: await toFile(Buffer.from(sftJsonl()), 'train.jsonl'), purpose: 'fine-tune' });
  const job = await c.fineTuning.jobs.create({ model: 'vpctune/tiny-chat', training_file: file.id, suffix: 'smoke' });
  const done = await waitFor('job end', async () => {
    const j = await c.fineTuning.jobs.retrieve(job.id);
    return ['succeeded', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
  });
  console.log(JSON.stringify(done, null, 1));
  const events = await c.fineTuning.jobs.listEvents(job.id, { limit: 100 });
  console.log(events.data.map((e) => e.message).reverse().join('\n'));
  const ckpts = await c.fineTuning.jobs.checkpoints.list(job.id);
  console.log(JSON.stringify(ckpts.data[0]));
  expect(done.status).toBe('succeeded');
});
